import { processIo } from "../../lib/cli/io";
import { OptionError } from "../../lib/ops/args";
import { DEMO_USAGE, parseDemoArgs } from "./demo/args";
import { EXIT_FAILED, EXIT_INTERRUPTED, runDemo } from "./demo/run";

/**
 * `npm run demo -- --orders 50`: see ./demo/args.ts for the options and ./demo/run.ts for what it does.
 * Ctrl-C (or SIGTERM) stops the watch and the stack the demo started, Java included, before exiting; a
 * second Ctrl-C exits at once.
 */

let parsed: ReturnType<typeof parseDemoArgs>;
try {
  parsed = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof OptionError || error instanceof TypeError)) throw error;
  console.error(`demo: ${error.message}\n\n${DEMO_USAGE}`);
  process.exit(EXIT_FAILED);
}
if (parsed.help) {
  console.log(DEMO_USAGE);
  process.exit(0);
}

/**
 * Under `npm run`, one Ctrl-C arrives twice: the terminal signals the whole process group and npm forwards
 * the signal to its child. Only a signal well after the first one means "exit at once".
 */
const REPEATED_SIGNAL_GRACE_MS = 1_000;
const abort = new AbortController();
let firstSignalAt = 0;
const onSignal = (signal: NodeJS.Signals) => {
  if (abort.signal.aborted) {
    if (Date.now() - firstSignalAt > REPEATED_SIGNAL_GRACE_MS) process.exit(EXIT_INTERRUPTED);
    return;
  }
  firstSignalAt = Date.now();
  process.stderr.write(`\n[demo] ${signal}: stopping (again to exit at once)\n`);
  abort.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const result = await runDemo(
  { ...parsed.options, signal: abort.signal },
  { ...processIo(), isTTY: process.stdout.isTTY === true },
);
process.exit(result.exitCode);

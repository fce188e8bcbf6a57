import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { LOCAL_STACK_ENV_PATH } from "../../lib/cli/target";
import { parseWebhookSecrets } from "../../lib/webhook/signature";
import { CURSOR_READINGS, type CursorReading } from "../simulator/lists";
import { NUMBERING_MODES, type NumberingMode } from "../simulator/state";
import {
  DEFAULT_RECONCILE_SECONDS,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
  WEBHOOK_PATH,
} from "./stack";

/**
 * `npm start [-- --persist] [-- --quiet] [-- --local-env FILE]`: the whole pipeline on this machine. Prints each
 * endpoint and a `ready` line, answers GET /health on RECEIVER_PORT, and stops everything (Java, the function
 * environments, the simulator, fauxqs) on Ctrl-C, SIGTERM or SIGHUP. The npm script execs this process, so a
 * SIGTERM that npm forwards to its child reaches it (with `sh -c` in between, the shell died and nothing stopped).
 *
 * Environment: RECEIVER_PORT (default 3000), CONSOLE_PORT (the web console, default 3001), LOCAL_CDR_POLL_SECONDS (default 60), LOCAL_RECONCILE_SECONDS
 * (default 3600), WEBHOOK_SECRETS (space-separated whsec_… values; the first signs the simulator's deliveries;
 * generated and printed when unset), SUNAT_DELAY_MS (the simulator's answer delay, default 2000), SIM_NUMBERING,
 * SIM_CURSOR, SIM_LIST_LAG_MS and SIM_EXISTING_RECEIPTS (the reading of the seed the simulator plays),
 * RECEIPT_LOOKUP_DELAY_SECONDS.
 */

function numberFrom(name: string, fallback: number, { zeroAllowed }: { zeroAllowed: boolean }): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    console.error(`${name} must be a ${zeroAllowed ? "non-negative" : "positive"} number, got "${text}"`);
    process.exit(1);
  }
  return value;
}

const { values } = parseArgs({
  options: {
    persist: { type: "boolean", default: false },
    quiet: { type: "boolean", default: false },
    // Where the CLI (`npm run -s cpe -- …`) and `npm run demo -- --attach` find this stack.
    "local-env": { type: "string", default: LOCAL_STACK_ENV_PATH },
  },
});
const envFile = resolve(values["local-env"]);

/**
 * Which reading of the seed the simulator plays (see infra/simulator/state.ts and lists.ts): SIM_NUMBERING
 * (explicit | auto | repeat), SIM_CURSOR (list_order | created_after), SIM_LIST_LAG_MS, SIM_EXISTING_RECEIPTS
 * (e.g. F001-66,B001-51: a store that issued receipts before this product).
 */
function simulatorReadings(
  env: NodeJS.ProcessEnv,
): Pick<LocalStackOptions, "numbering" | "listLagMs" | "existingReceipts" | "cursor"> {
  const numbering = env.SIM_NUMBERING ?? "explicit";
  if (!(NUMBERING_MODES as readonly string[]).includes(numbering)) {
    throw new Error(`SIM_NUMBERING must be one of ${NUMBERING_MODES.join(", ")}; got "${numbering}"`);
  }
  const cursor = env.SIM_CURSOR ?? "list_order";
  if (!(CURSOR_READINGS as readonly string[]).includes(cursor)) {
    throw new Error(`SIM_CURSOR must be one of ${CURSOR_READINGS.join(", ")}; got "${cursor}"`);
  }
  const existingReceipts: Record<string, number> = {};
  for (const entry of (env.SIM_EXISTING_RECEIPTS ?? "").split(",").filter((part) => part.trim() !== "")) {
    const match = /^\s*([A-Z0-9]{4})-([1-9]\d{0,7})\s*$/.exec(entry);
    if (!match?.[1] || !match[2])
      throw new Error(`SIM_EXISTING_RECEIPTS: "${entry}" is not SERIES-NUMBER (e.g. F001-66)`);
    existingReceipts[match[1]] = Number(match[2]);
  }
  return {
    numbering: numbering as NumberingMode,
    cursor: cursor as CursorReading,
    listLagMs: numberFrom("SIM_LIST_LAG_MS", 0, { zeroAllowed: true }),
    existingReceipts,
  };
}

const started = Date.now();
const configuredSecrets = parseWebhookSecrets(process.env.WEBHOOK_SECRETS);
const log = (line: string) => console.log(`[local] ${line}`);

const cdrPollSeconds = numberFrom("LOCAL_CDR_POLL_SECONDS", 60, { zeroAllowed: false });
const reconcileSeconds = numberFrom("LOCAL_RECONCILE_SECONDS", DEFAULT_RECONCILE_SECONDS, {
  zeroAllowed: false,
});

let stack: LocalStack;
try {
  stack = await startLocalStack({
    receiptLookupDelaySeconds: numberFrom("RECEIPT_LOOKUP_DELAY_SECONDS", 60, { zeroAllowed: false }),
    receiverPort: numberFrom("RECEIVER_PORT", 3000, { zeroAllowed: true }),
    consolePort: numberFrom("CONSOLE_PORT", 3001, { zeroAllowed: true }),
    cdrPollSeconds,
    reconcileSeconds,
    sunatDelayMs: numberFrom("SUNAT_DELAY_MS", 2_000, { zeroAllowed: true }),
    ...simulatorReadings(process.env),
    webhookSecrets: configuredSecrets,
    persistDir: values.persist ? resolve(".cache/dynamodb-data") : undefined,
    log,
    handlerOutput: values.quiet ? undefined : (name, line) => console.log(`[${name}] ${line}`),
  });
} catch (error) {
  console.error(`could not start the local stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

await mkdir(dirname(envFile), { recursive: true });
await writeFile(envFile, `${JSON.stringify(stack.env, null, 2)}\n`, { mode: 0o600 });

console.log(
  `receiver (Function URL)   ${stack.receiverUrl}${WEBHOOK_PATH}   health: ${stack.receiverUrl}/health`,
);
console.log(`web console               ${stack.consoleUrl}   (cpe console opens it)`);
console.log(`Acelérala simulator       ${stack.simulator.url}   (admin: ${stack.simulator.url}/_sim/stats)`);
console.log(
  `DynamoDB Local            ${stack.env.AWS_ENDPOINT_URL_DYNAMODB}   table ${stack.env.TABLE_NAME}`,
);
console.log(`SQS (fauxqs)              ${stack.env.ORDER_EVENTS_QUEUE_URL}`);
console.log(`                          DLQ ${stack.env.ORDER_EVENTS_DLQ_URL}`);
if (configuredSecrets.length === 0) {
  // A development secret for this run only; set WEBHOOK_SECRETS to keep one across runs.
  console.log(`WEBHOOK_SECRETS (generated for this run): ${stack.env.WEBHOOK_SECRETS}`);
}
console.log(
  `functions                 webhook-receiver, receipt-worker, cdr-poller (every ${cdrPollSeconds} s), ` +
    `reconciler (every ${reconcileSeconds} s), console`,
);
console.log(`CLI environment           ${envFile}`);
console.log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`[local] ${signal}: stopping`);
  await stack.stop();
  await rm(envFile, { force: true });
  console.log("[local] stopped");
  process.exit(0);
}
// Ctrl-C reaches this process twice (the terminal signals the whole process group, and npm forwards it): the
// second is ignored while stopping.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.on(signal, () => void shutdown(signal));

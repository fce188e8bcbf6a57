import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type CliCommand, EXIT_ERROR, EXIT_OK } from "./command";
import { COMMANDS } from "./commands";
import { type CliIo, processIo } from "./io";

/**
 * `cpe`: the operator CLI. A small dispatcher: the first argument names a subcommand from the COMMANDS table
 * (lib/cli/commands.ts); everything after it is that subcommand's to parse.
 */
export function usage(commands: readonly CliCommand[] = COMMANDS): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    "Usage: cpe <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `cpe <command> --help` for the options of a command.",
  ].join("\n");
}

/** Runs `cpe` with argv (without node and script) and returns the exit code. Never calls process.exit. */
export async function run(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(`${usage(commands)}\n`);
    return EXIT_OK;
  }
  if (name === undefined) {
    io.stderr(`${usage(commands)}\n`);
    return EXIT_ERROR;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`cpe: unknown command "${name}"\n\n${usage(commands)}\n`);
    return EXIT_ERROR;
  }
  return command.run(rest, io);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** The process entry (bin/cpe.mjs calls it in the bundle): runs `cpe` and sets the process's exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    process.exitCode = await run(argv, processIo());
  } catch (error) {
    process.stderr.write(`cpe: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT_ERROR;
  }
}

// `npx tsx lib/cli/main.ts …` runs the sources directly.
if (isEntryPoint()) void main(process.argv.slice(2));

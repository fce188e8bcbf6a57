import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type CliCommand, EXIT_CODES_USAGE, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./command";
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
    "Uso: cpe <comando> [opciones]",
    "",
    "Comandos:",
    ...lines,
    "",
    "`cpe <comando> --help` muestra las opciones de un comando. Los comandos que leen el sistema usan la pila",
    "local de `npm start`, o AWS con --aws. Los datos salen por stdout (--json: claves en inglés, null sin valor);",
    "el progreso y los errores, por stderr.",
    "",
    EXIT_CODES_USAGE,
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
    return EXIT_USAGE;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr(`cpe: comando desconocido "${name}"\n\n${usage(commands)}\n`);
    return EXIT_USAGE;
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

/**
 * The process entry (bin/cpe.mjs calls it in the bundle): runs `cpe` and sets the process's exit code. Bad
 * input never gets here (each command answers it with a message); what does is a bug, reported in one line
 * (CPE_DEBUG=1 adds the stack trace).
 */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    process.exitCode = await run(argv, processIo());
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const stack = process.env.CPE_DEBUG && error instanceof Error ? `\n${error.stack}` : "";
    process.stderr.write(`cpe: error inesperado: ${text}${stack}\n(CPE_DEBUG=1 muestra dónde ocurrió)\n`);
    process.exitCode = EXIT_FAILURE;
  }
}

// `npx tsx lib/cli/main.ts …` runs the sources directly.
if (isEntryPoint()) void main(process.argv.slice(2));

import { type ParseArgsConfig, parseArgs } from "node:util";
import { OptionError, parseOrderId } from "../ops/args";
import type { CliIo } from "./io";

/**
 * Exit codes shared by every subcommand (README, "The `cpe` command"):
 * 0 done; 1 a failure (unreachable target, an API or AWS error, unreadable input, something that did not
 * happen); 2 a usage error (an unknown option, a bad value: nothing was done); 3 done, and it found something a
 * person must look at (an order that breaks a rule, a resend refused, reconcile findings).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_NEEDS_PERSON = 3;

/** The lines every usage text ends with. */
export const EXIT_CODES_USAGE = `Códigos de salida: 0 hecho; 1 falló (destino inalcanzable, error de la API o de AWS, entrada ilegible);
2 error de uso (opción desconocida o valor no válido: no se hizo nada); 3 hecho, con hallazgos que una persona
debe revisar.`;

/**
 * One `cpe` subcommand. The dispatcher (main.ts) only picks the module by name and hands it the rest of argv;
 * each module parses its own options (parseCommandArgs) and returns an exit code.
 */
export interface CliCommand {
  name: string;
  /** One line for `cpe --help`. */
  summary: string;
  /** Full usage text for `cpe <name> --help`. */
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** What a command's messages start with ("cpe status") and the usage text it prints with usage errors. */
export interface CommandText {
  name: string;
  usage: string;
}

/** `name: message` on stderr; returns EXIT_FAILURE. */
export function commandError(command: Pick<CommandText, "name">, io: CliIo, message: string): number {
  io.stderr(`${command.name}: ${message}\n`);
  return EXIT_FAILURE;
}

/** `name: message` and a pointer to --help, on stderr; returns EXIT_USAGE. */
export function usageError(command: CommandText, io: CliIo, message: string): number {
  io.stderr(`${command.name}: ${message}\n(${command.name} --help muestra las opciones)\n`);
  return EXIT_USAGE;
}

/** node:util parseArgs's errors, in Spanish, naming the option or argument. */
function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  switch ((error as NodeJS.ErrnoException).code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `opción desconocida ${quoted}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing/.test(message)
        ? `falta el valor de ${quoted.replace(/ <value>$/, "")}`
        : `${quoted.replace(/ <value>$/, "")} no lleva valor`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `argumento inesperado "${quoted}": este comando no lleva argumentos sueltos`;
    default:
      return message;
  }
}

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

export type ParsedCommandArgs<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: O & typeof HELP_OPTION;
    allowPositionals: boolean;
    strict: true;
  }>
>;

export interface CommandArgsSpec<O extends OptionsConfig, R> extends CommandText {
  /** The command's own options; --help/-h is added to them. */
  options: O;
  allowPositionals?: boolean;
  /** Checks the parsed options (ops/args validators); its OptionError becomes a usage error. */
  validate?: (parsed: ParsedCommandArgs<O>) => R;
}

/**
 * The start every command shares: parseArgs (strict), then --help. Returns the parsed arguments (and what
 * `validate` made of them), or the exit code when the command is done already: EXIT_OK after printing the
 * usage for --help, EXIT_USAGE after printing `name: message` for a bad option.
 */
export function parseCommandArgs<const O extends OptionsConfig, R = undefined>(
  argv: string[],
  io: CliIo,
  spec: CommandArgsSpec<O, R>,
): (ParsedCommandArgs<O> & { validated: R }) | number {
  let parsed: ParsedCommandArgs<O>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...spec.options, ...HELP_OPTION },
      allowPositionals: spec.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    return usageError(spec, io, parseArgsMessage(error));
  }
  // The values' type depends on O, which is generic here: only the `help` we added is read.
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(`${spec.usage}\n`);
    return EXIT_OK;
  }
  try {
    return { ...parsed, validated: spec.validate ? spec.validate(parsed) : (undefined as R) };
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    return usageError(spec, io, error.message);
  }
}

/** The ORDER_ID arguments of `cpe resend` (one or more; `32204` or `#32204`). */
export function orderIdArguments(positionals: readonly string[]): number[] {
  if (positionals.length === 0) throw new OptionError("falta el número de pedido (ORDER_ID)");
  return positionals.map((argument) => parseOrderId("ORDER_ID", argument));
}

/** The one ORDER_ID argument of `cpe status`. */
export function orderIdArgument(positionals: readonly string[]): number {
  const [orderArgument, ...extra] = positionals;
  if (orderArgument === undefined) throw new OptionError("falta el número de pedido (ORDER_ID)");
  if (extra.length > 0) throw new OptionError(`argumento inesperado "${extra[0]}": indique un solo ORDER_ID`);
  return parseOrderId("ORDER_ID", orderArgument);
}

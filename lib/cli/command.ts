import { type ParseArgsConfig, parseArgs } from "node:util";
import { OptionError, parseId, parseSince } from "../ops/args";
import type { CliIo } from "./io";

/** Exit codes shared by every subcommand. */
export const EXIT_OK = 0;
/** Usage errors, unreadable or malformed input, configuration errors. */
export const EXIT_ERROR = 1;
/** The input was understood but breaks a business rule (e.g. an order that cannot get a receipt). */
export const EXIT_RULE_BROKEN = 2;

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

/** `name: message` on stderr; returns EXIT_ERROR. */
export function commandError(command: Pick<CommandText, "name">, io: CliIo, message: string): number {
  io.stderr(`${command.name}: ${message}\n`);
  return EXIT_ERROR;
}

/** `name: message`, a blank line and the usage, on stderr; returns EXIT_ERROR. */
export function usageError(command: CommandText, io: CliIo, message: string): number {
  io.stderr(`${command.name}: ${message}\n\n${command.usage}\n`);
  return EXIT_ERROR;
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
  /** False: an OptionError of `validate` prints only `name: message`, without the usage. Default true. */
  usageWithOptionErrors?: boolean;
}

/**
 * The start every command shares: parseArgs (strict), then --help. Returns the parsed arguments (and what
 * `validate` made of them), or the exit code when the command is done already: EXIT_OK after printing the
 * usage for --help, EXIT_ERROR after printing `name: message` and the usage for a bad option.
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
    return usageError(spec, io, (error as Error).message);
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
    return spec.usageWithOptionErrors === false
      ? commandError(spec, io, error.message)
      : usageError(spec, io, error.message);
  }
}

/** parseSince's rules (a date in Peru or a date-time with offset) under another option's name. */
export function parseDateOption(option: string, value: string): Date {
  try {
    return parseSince(value);
  } catch (error) {
    if (error instanceof OptionError) throw new OptionError(error.message.replace(/^--since/, option));
    throw error;
  }
}

/** The one ORDER_ID argument of `cpe status` and `cpe resend`. */
export function orderIdArgument(positionals: readonly string[]): number {
  const [orderArgument, ...extra] = positionals;
  if (orderArgument === undefined) throw new OptionError("ORDER_ID is required");
  if (extra.length > 0) throw new OptionError(`unexpected argument "${extra[0]}": give one ORDER_ID`);
  return parseId("ORDER_ID", orderArgument);
}

import type { CliIo } from "./io";

/** Exit codes shared by every subcommand. */
export const EXIT_OK = 0;
/** Usage errors, unreadable or malformed input, configuration errors. */
export const EXIT_ERROR = 1;
/** The input was understood but breaks a business rule (e.g. an order that cannot get a receipt). */
export const EXIT_RULE_BROKEN = 2;

/**
 * One `cpe` subcommand. The dispatcher (main.ts) only picks the module by name and hands it the rest of argv;
 * each module parses its own options (node:util parseArgs) and returns an exit code.
 */
export interface CliCommand {
  name: string;
  /** One line for `cpe --help`. */
  summary: string;
  /** Full usage text for `cpe <name> --help`. */
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

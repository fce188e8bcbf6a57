import type { CliCommand } from "./command";
import { buildCommand } from "./commands/build";
import { dlqCommand } from "./commands/dlq";
import { receiptsCommand } from "./commands/receipts";
import { statusCommand } from "./commands/status";
import { wordsCommand } from "./commands/words";

/**
 * The subcommands of `cpe`. To add one (dlq, status, receipts, backfill, …): write a module under
 * lib/cli/commands/ exporting a CliCommand, and add it to this list. main.ts needs no change.
 */
export const COMMANDS: readonly CliCommand[] = [
  buildCommand,
  wordsCommand,
  dlqCommand,
  statusCommand,
  receiptsCommand,
];

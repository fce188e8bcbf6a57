import type { CliCommand } from "./command";
import { backfillCommand } from "./commands/backfill";
import { buildCommand } from "./commands/build";
import { consoleCommand } from "./commands/console";
import { dlqCommand } from "./commands/dlq";
import { receiptsCommand } from "./commands/receipts";
import { reconcileCommand } from "./commands/reconcile";
import { reissueCommand } from "./commands/reissue";
import { resendCommand } from "./commands/resend";
import { seriesCommand } from "./commands/series";
import { statusCommand } from "./commands/status";
import { webhooksCommand } from "./commands/webhooks";
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
  backfillCommand,
  resendCommand,
  reissueCommand,
  reconcileCommand,
  seriesCommand,
  webhooksCommand,
  consoleCommand,
];

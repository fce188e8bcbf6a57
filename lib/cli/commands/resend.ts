import { parseArgs } from "node:util";
import { OptionError, parseId } from "../../ops/args";
import { ResendError, resendOrder } from "../../ops/resend";
import { StateConflictError } from "../../store/receipt-store";
import { type CliCommand, EXIT_ERROR, EXIT_OK, EXIT_RULE_BROKEN } from "../command";
import type { CliIo } from "../io";
import {
  createTargetReceiptStore,
  resolveTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
} from "../target";
import { targetEnqueue } from "./backfill";
import { reportOperatorFailure, resolveAceleralaAccess, storeIdOption } from "./webhooks";

const USAGE = `Usage: cpe resend ORDER_ID [--store ID] [--json] [--aws | --local-env FILE]

The individual flow: puts one order back on the order-events queue (the receiver's envelope, a new event id
resend_<store>_<order>_<ms>), for the worker and its exactly-once guard.

  - no receipt yet, or NEEDS_ATTENTION after the merchant fixed the order: the worker re-reads and issues it;
  - REJECTED: SUNAT burnt its number; the record keeps it in its history and the order is issued under a NEW
    number (cpe status ORDER_ID shows both);
  - SUBMITTED, ACCEPTED, STALE: refused, nothing is enqueued.

  --store ID           the store of the order; default: the first store of the stores file (511 locally)
  --json               the result as JSON
${TARGET_USAGE}
                       With --aws, ACELERALA_API_URL and ACELERALA_CREDENTIALS_ARN come from the environment.

Follow it with cpe status ORDER_ID. Exit codes: 0 enqueued; 2 refused (the receipt's state does not allow a
resend); 1 usage error, unknown order, unreachable target or API error.`;

const NAME = "cpe resend";

interface ResendValues {
  store?: string;
  json?: boolean;
  aws?: boolean;
  "local-env"?: string;
  help?: boolean;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed: { values: ResendValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        store: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        ...TARGET_OPTIONS,
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.stderr(`${NAME}: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  let target: Target | undefined;
  try {
    const [orderArgument, ...extra] = positionals;
    if (orderArgument === undefined) throw new OptionError("ORDER_ID is required");
    if (extra.length > 0) throw new OptionError(`unexpected argument "${extra[0]}": give one ORDER_ID`);
    const orderId = parseId("ORDER_ID", orderArgument);
    const storeId = await storeIdOption(values.store, io);
    target = await resolveTarget(values, io, { needsQueues: true });
    const api = await (await resolveAceleralaAccess(values, io))(storeId);
    const receipts = createTargetReceiptStore(target);
    const queue = targetEnqueue(target);
    try {
      const result = await resendOrder(
        { storeId, orderId },
        {
          getRecord: (key) => receipts.store.get(key),
          getOrder: (id) => api.getOrder(id),
          markForReissue: (key, why, now) => receipts.store.markForReissue(key, why, now),
          enqueue: queue.enqueue,
          now: () => new Date(),
        },
      );
      if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else if (result.outcome === "refused")
        io.stderr(
          `${NAME}: order ${orderId} is ${result.state}${result.documentNumber ? ` (${result.documentNumber})` : ""}: ${result.reason}; nothing enqueued\n`,
        );
      else {
        const burnt = result.burntNumber
          ? `; ${result.burntNumber} stays burnt, the worker issues it under a new number`
          : "";
        io.stdout(
          `Enqueued order ${orderId} of store ${storeId} (event ${result.eventId}; was ${result.previousState ?? "without a receipt"})${burnt}\nFollow it with: cpe status ${orderId}\n`,
        );
      }
      return result.outcome === "refused" ? EXIT_RULE_BROKEN : EXIT_OK;
    } finally {
      receipts.destroy();
      queue.destroy();
    }
  } catch (error) {
    if (error instanceof OptionError) {
      io.stderr(`${NAME}: ${error.message}\n\n${USAGE}\n`);
      return EXIT_ERROR;
    }
    if (error instanceof ResendError || error instanceof StateConflictError) {
      io.stderr(
        `${NAME}: ${error.message}${error instanceof StateConflictError ? " (another resend or the worker changed it first: check cpe status)" : ""}\n`,
      );
      return EXIT_ERROR;
    }
    return reportOperatorFailure(NAME, error, io, target);
  }
}

export const resendCommand: CliCommand = {
  name: "resend",
  summary: "put one order back on the queue (after a fix, or under a new number after a SUNAT rejection)",
  usage: USAGE,
  run,
};

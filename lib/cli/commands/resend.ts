import { ResendError, resendOrder } from "../../ops/resend";
import { StateConflictError } from "../../store/receipt-store";
import { type CliCommand, EXIT_OK, EXIT_RULE_BROKEN, orderIdArgument, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import { storeIdOption } from "../store-file";
import {
  createTargetReceiptStore,
  operateOnTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  targetAcelerala,
  targetEnqueue,
} from "../target";

const USAGE = `Usage: cpe resend ORDER_ID [--store ID] [--json] [--aws | --local-env FILE]

The individual flow: puts one order back on the order-events queue (the receiver's event reference, a new event id
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

const COMMAND = { name: "cpe resend", usage: USAGE };

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: { store: { type: "string" }, json: { type: "boolean" }, ...TARGET_OPTIONS },
    allowPositionals: true,
  });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  return operateOnTarget(
    COMMAND,
    io,
    async (resolveTarget) => {
      const orderId = orderIdArgument(positionals);
      const storeId = await storeIdOption(values.store, io);
      const target = await resolveTarget(values, { needsQueues: true, needsAcelerala: true });
      const api = await targetAcelerala(target)(storeId);
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
            `${COMMAND.name}: order ${orderId} is ${result.state}${result.documentNumber ? ` (${result.documentNumber})` : ""}: ${result.reason}; nothing enqueued\n`,
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
    },
    explainResendFailure,
  );
}

/** A resend that cannot start, or lost a race: one line, without the usage. */
function explainResendFailure(error: unknown): string | undefined {
  if (error instanceof ResendError) return error.message;
  if (error instanceof StateConflictError)
    return `${error.message} (another resend or the worker changed it first: check cpe status)`;
  return undefined;
}

export const resendCommand: CliCommand = {
  name: "resend",
  summary: "put one order back on the queue (after a fix, or under a new number after a SUNAT rejection)",
  usage: USAGE,
  run,
};

import { OptionError } from "../../ops/args";
import { reissueOrder } from "../../ops/reissue";
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

const USAGE = `Usage: cpe reissue ORDER_ID [--motive 01|02] [--store ID] [--json] [--aws | --local-env FILE]

For an order whose receipt landed in Acelérala but differs from the order (NEEDS_ATTENTION,
landed_receipt_differs: the order changed while its receipt was being issued). The worker issues a credit note
for the whole landed receipt, and once SUNAT accepted it, a new receipt from the order as it is now. Nothing is
ever issued twice: both go through the exactly-once guard.

  --motive 01|02       Catálogo 09: 01 anulación de la operación, 02 anulación por error en el RUC; default 02
                       when the landed receipt names a RUC the order no longer carries, else 01
  --store ID           the store of the order; default: the first store of the stores file (511 locally)
  --json               the result as JSON
${TARGET_USAGE}

Follow it with cpe status ORDER_ID. Exit codes: 0 requested; 2 refused (the record is not a landed receipt that
differs); 1 usage error, unknown order, unreachable target or API error.`;

const COMMAND = { name: "cpe reissue", usage: USAGE };

function parseMotive(value: string | undefined): "01" | "02" | undefined {
  if (value === undefined) return undefined;
  if (value === "01" || value === "02") return value;
  throw new OptionError(`--motive must be 01 or 02, got "${value}"`);
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      motive: { type: "string" },
      store: { type: "string" },
      json: { type: "boolean" },
      ...TARGET_OPTIONS,
    },
    allowPositionals: true,
    validate: ({ values, positionals }) => ({
      orderId: orderIdArgument(positionals),
      motive: parseMotive(values.motive),
    }),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated } = parsed;
  return operateOnTarget(
    COMMAND,
    io,
    async (resolveTarget) => {
      const storeId = await storeIdOption(values.store, io);
      const target = await resolveTarget(values, { needsQueues: true, needsAcelerala: true });
      const api = await targetAcelerala(target)(storeId);
      const receipts = createTargetReceiptStore(target);
      const queue = targetEnqueue(target);
      try {
        const result = await reissueOrder(
          { storeId, orderId: validated.orderId },
          {
            getRecord: (key) => receipts.store.get(key),
            getReceipt: (id) => api.getReceipt(id),
            getOrder: (id) => api.getOrder(id),
            requestReissue: (key, expect, reissue, now) =>
              receipts.store.requestReissue(key, expect, reissue, now),
            enqueue: queue.enqueue,
            now: () => new Date(),
          },
          validated.motive ? { motive: validated.motive } : {},
        );
        if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        else if (result.outcome === "refused")
          io.stderr(
            `${COMMAND.name}: order ${validated.orderId}${result.state ? ` is ${result.state}` : ""}: ${result.reason}\n`,
          );
        else
          io.stdout(
            `Reissue requested for order ${validated.orderId}: a credit note (motive ${result.motive}) undoes ${result.documentNumber}, then a new receipt (event ${result.eventId})\nFollow it with: cpe status ${validated.orderId}\n`,
          );
        return result.outcome === "refused" ? EXIT_RULE_BROKEN : EXIT_OK;
      } finally {
        receipts.destroy();
        queue.destroy();
      }
    },
    (error) =>
      error instanceof StateConflictError
        ? `${error.message} (the worker changed it first: check cpe status)`
        : undefined,
  );
}

export const reissueCommand: CliCommand = {
  name: "reissue",
  summary: "undo a receipt that landed and differs from its order with a credit note, then issue a new one",
  usage: USAGE,
  run,
};

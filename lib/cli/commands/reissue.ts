import { OptionError } from "../../ops/args";
import { stateLabel } from "../../ops/receipt-view";
import { reissueOrder } from "../../ops/reissue";
import { StateConflictError } from "../../store/receipt-store";
import {
  type CliCommand,
  EXIT_CODES_USAGE,
  EXIT_NEEDS_PERSON,
  EXIT_OK,
  orderIdArgument,
  parseCommandArgs,
} from "../command";
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

const USAGE = `Uso: cpe reissue ORDER_ID [--motive 01|02] [--store ID] [--json] [--aws | --local-env FILE]

Para un pedido cuyo comprobante llegó a Acelérala pero no coincide con el pedido (ATENCIÓN, landed_receipt_differs:
el pedido cambió mientras su comprobante se emitía). El worker emite una nota de crédito por todo el comprobante que
llegó y, cuando SUNAT la acepta, un comprobante nuevo del pedido tal como está ahora. Nada se emite dos veces: ambos
pasan por la guarda de una sola emisión.

  --motive 01|02       Catálogo 09: 01 anulación de la operación, 02 anulación por error en el RUC; por defecto 02
                       cuando el comprobante que llegó nombra un RUC que el pedido ya no tiene, si no 01
  --store ID           la tienda del pedido; por defecto la primera del archivo de tiendas (511 en local)
  --json               el resultado en JSON (claves en inglés)
${TARGET_USAGE}

Sígalo con cpe status ORDER_ID. ${EXIT_CODES_USAGE} Aquí: 3 rechazado (el registro no es un comprobante que
llegó y no coincide; el motivo dice qué mirar).`;

const COMMAND = { name: "cpe reissue", usage: USAGE };

function parseMotive(value: string | undefined): "01" | "02" | undefined {
  if (value === undefined) return undefined;
  if (value === "01" || value === "02") return value;
  throw new OptionError(`--motive debe ser 01 o 02; se recibió "${value}"`);
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
        if (values.json)
          io.stdout(
            `${JSON.stringify(
              result.outcome === "requested"
                ? { ...result, state: null, reason: null }
                : {
                    ...result,
                    state: result.state ?? null,
                    eventId: null,
                    documentNumber: null,
                    motive: null,
                  },
              null,
              2,
            )}\n`,
          );
        else if (result.outcome === "refused")
          io.stderr(
            `${COMMAND.name}: el pedido ${validated.orderId}${result.state ? ` está en ${stateLabel(result.state)}` : ""}: ${result.reason}\n`,
          );
        else
          io.stdout(
            `Reemisión pedida para el pedido ${validated.orderId}: una nota de crédito (motivo ${result.motive}) anula ${result.documentNumber}, luego un comprobante nuevo (evento ${result.eventId})\nSígalo con: cpe status ${validated.orderId}\n`,
          );
        return result.outcome === "refused" ? EXIT_NEEDS_PERSON : EXIT_OK;
      } finally {
        receipts.destroy();
        queue.destroy();
      }
    },
    (error) =>
      error instanceof StateConflictError
        ? `${error.message} (el worker lo cambió primero: revise cpe status)`
        : undefined,
  );
}

export const reissueCommand: CliCommand = {
  name: "reissue",
  summary:
    "anula con una nota de crédito un comprobante que llegó y no coincide con su pedido, y emite uno nuevo",
  usage: USAGE,
  run,
};

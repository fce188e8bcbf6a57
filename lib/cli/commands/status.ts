import { formatStatus, statusView } from "../../ops/receipt-view";
import {
  type CliCommand,
  commandError,
  EXIT_CODES_USAGE,
  EXIT_OK,
  orderIdArgument,
  parseCommandArgs,
} from "../command";
import type { CliIo } from "../io";
import { storeIdOption } from "../store-file";
import { createTargetReceiptStore, operateOnTarget, TARGET_OPTIONS, TARGET_USAGE } from "../target";

const USAGE = `Uso: cpe status ORDER_ID [--store ID] [--json] [--aws | --local-env FILE]

Muestra el comprobante de un pedido (ORDER_ID: 32204 o #32204): estado en API/SUNAT, tipo y número, total,
fecha de emisión, código y descripción de la respuesta de SUNAT, enlaces (XML, PDF, CDR), problemas por corregir
(campo, regla, mensaje), el último error, los números quemados, liberados o tomados por otros comprobantes, el
historial de estados y sus notas de crédito, cada una con su respuesta de SUNAT. Los documentos y correos del
cliente se muestran enmascarados.

  --store ID           la tienda del pedido; por defecto la primera de $STORES_CONFIG_PATH o config/stores.json
                       (511 en local)
  --json               el registro en JSON (claves en inglés, null sin valor; sin el cuerpo enviado a la API)
${TARGET_USAGE}

${EXIT_CODES_USAGE} El 1 incluye un pedido sin registro.`;

const COMMAND = { name: "cpe status", usage: USAGE };

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: { store: { type: "string" }, json: { type: "boolean" }, ...TARGET_OPTIONS },
    allowPositionals: true,
    validate: ({ positionals }) => orderIdArgument(positionals),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: orderId } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const storeId = await storeIdOption(values.store, io);
    const target = await resolveTarget(values, { needsQueues: false });
    const receipts = createTargetReceiptStore(target);
    try {
      const key = { storeId, orderId };
      const [record, notes] = await Promise.all([receipts.store.get(key), receipts.store.notesOf(key)]);
      if (!record)
        return commandError(
          COMMAND,
          io,
          `el pedido ${orderId} de la tienda ${storeId} no tiene registro de comprobante (tabla ${target.tableName}, ${target.description}); cpe resend ${orderId} lo emite`,
        );
      const view = statusView(record, notes);
      io.stdout(values.json ? `${JSON.stringify(view, null, 2)}\n` : `${formatStatus(view)}\n`);
      return EXIT_OK;
    } finally {
      receipts.destroy();
    }
  });
}

export const statusCommand: CliCommand = {
  name: "status",
  summary:
    "el comprobante de un pedido: estado, respuesta de SUNAT, enlaces, problemas, historial y notas de crédito",
  usage: USAGE,
  run,
};

import {
  type BulkResendResult,
  describeResendResult,
  explainResendError,
  RESEND_OUTCOME_LABELS,
  resendOrders,
} from "../../ops/resend";
import { formatTable } from "../../ops/text";
import {
  type CliCommand,
  EXIT_CODES_USAGE,
  EXIT_FAILURE,
  EXIT_NEEDS_PERSON,
  EXIT_OK,
  orderIdArguments,
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

const USAGE = `Uso: cpe resend ORDER_ID… [--store ID] [--json] [--aws | --local-env FILE]

"Enviar documentos al API" del plugin, para uno o varios pedidos (32204 o #32204): cada uno vuelve a la cola de
eventos como la referencia que encola el receptor (id de evento resend_<tienda>_<pedido>_<ms>), para el worker y su
guarda de una sola emisión: un reenvío nunca emite un segundo comprobante. Uno tras otro, con el progreso en stderr
y el resultado de cada pedido al final:

  EN COLA             sin comprobante, o ATENCIÓN después de que el comercio corrigió el pedido: el worker lo
                      vuelve a leer y lo emite; RECHAZADO: SUNAT quemó su número, que queda en el historial, y
                      se emite con un número NUEVO (cpe status ORDER_ID muestra ambos)
  YA EMITIDO          REGISTRADO o ACEPTADO: no se encola nada (no hace falta)
  REQUIERE REVISIÓN   VENCIDO, una excepción de SUNAT (0100–1999) o un comprobante que llegó y no coincide con el
                      pedido: no se encola nada; una persona debe revisarlo
  FALLÓ               el pedido no existe en Acelérala, o la cola o la API fallaron: vuelva a intentarlo

  --store ID           la tienda de los pedidos; por defecto la primera del archivo de tiendas (511 en local)
  --json               los resultados en JSON (claves en inglés)
${TARGET_USAGE}
                       Con --aws, ACELERALA_API_URL y ACELERALA_CREDENTIALS_ARN vienen del entorno.

Siga cada pedido con cpe status ORDER_ID. ${EXIT_CODES_USAGE} Aquí: 0 todos en cola o ya
emitidos; 3 alguno requiere revisión; 1 alguno falló.`;

const COMMAND = { name: "cpe resend", usage: USAGE };

/** The JSON of one result: stable English keys, null for no value. */
function resultJson(result: BulkResendResult) {
  return {
    orderId: result.orderId,
    outcome: result.outcome,
    eventId: result.outcome === "enqueued" ? result.eventId : null,
    previousState: result.outcome === "enqueued" ? (result.previousState ?? null) : null,
    burntNumber: result.outcome === "enqueued" ? (result.burntNumber ?? null) : null,
    state: result.outcome === "already_issued" || result.outcome === "refused" ? result.state : null,
    documentNumber:
      result.outcome === "already_issued" || result.outcome === "refused"
        ? (result.documentNumber ?? null)
        : null,
    reason: result.outcome === "already_issued" || result.outcome === "refused" ? result.reason : null,
    error: result.outcome === "failed" ? result.error : null,
  };
}

export function resendExitCode(results: readonly BulkResendResult[]): number {
  if (results.some((result) => result.outcome === "failed")) return EXIT_FAILURE;
  if (results.some((result) => result.outcome === "refused")) return EXIT_NEEDS_PERSON;
  return EXIT_OK;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: { store: { type: "string" }, json: { type: "boolean" }, ...TARGET_OPTIONS },
    allowPositionals: true,
    validate: ({ positionals }) => orderIdArguments(positionals),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: orderIds } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const storeId = await storeIdOption(values.store, io);
    const target = await resolveTarget(values, { needsQueues: true, needsAcelerala: true });
    const api = await targetAcelerala(target)(storeId);
    const receipts = createTargetReceiptStore(target);
    const queue = targetEnqueue(target);
    try {
      const results = await resendOrders(
        storeId,
        orderIds,
        {
          getRecord: (key) => receipts.store.get(key),
          getOrder: (id) => api.getOrder(id),
          markForReissue: (key, why, now) => receipts.store.markForReissue(key, why, now),
          enqueue: queue.enqueue,
          now: () => new Date(),
        },
        {
          explain: explainResendError,
          onResult: (result, done, total) =>
            io.stderr(`[${done}/${total}] #${result.orderId}: ${describeResendResult(result)}\n`),
        },
      );
      if (values.json) io.stdout(`${JSON.stringify(results.map(resultJson), null, 2)}\n`);
      else
        io.stdout(
          `${formatTable(
            ["Pedido", "Resultado", "Detalle"],
            results.map((result) => [
              `#${result.orderId}`,
              RESEND_OUTCOME_LABELS[result.outcome],
              describeResendResult(result),
            ]),
          )}\n`,
        );
      return resendExitCode(results);
    } finally {
      receipts.destroy();
      queue.destroy();
    }
  });
}

export const resendCommand: CliCommand = {
  name: "resend",
  summary: "enviar documentos al API: vuelve a encolar uno o varios pedidos (nunca un segundo comprobante)",
  usage: USAGE,
  run,
};

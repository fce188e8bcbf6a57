import { OptionError, parseDateOption, parseId } from "../../ops/args";
import {
  aceleralaReconcileSources,
  DEFAULT_GRACE_MINUTES,
  formatReconcileReport,
  isClean,
  reconcile,
} from "../../ops/reconcile";
import {
  type CliCommand,
  EXIT_CODES_USAGE,
  EXIT_FAILURE,
  EXIT_NEEDS_PERSON,
  EXIT_OK,
  parseCommandArgs,
} from "../command";
import type { CliIo } from "../io";
import {
  createTargetReceiptStore,
  operateOnTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  targetAcelerala,
  targetEnqueue,
} from "../target";

const USAGE = `Uso: cpe reconcile --store ID --since FECHA [--fix] [--grace-minutes N] [--json] [--aws | --local-env FILE]

Compara Acelérala con DynamoDB para los pedidos de la tienda confirmados (y los comprobantes creados) desde FECHA,
porque los webhooks se pueden perder:
  - pedidos pagados sin comprobante          (--fix los encola para el worker, id de evento rc_<tienda>_<pedido>_<hora>)
  - pedidos pagados con un comprobante emitido fuera de este sistema (nunca se encolan: lo duplicaría)
  - pedidos que requieren revisión (ATENCIÓN: corrija el pedido y luego cpe resend)
  - comprobantes sin pedido                  (sin pedido, sin registro aquí, o un segundo comprobante de un pedido)
  - montos que no coinciden                  (el total del comprobante no es el del pedido)
  - notas de crédito adeudadas               (pedidos anulados o reembolsados desde FECHA cuyo comprobante aceptado
                                              las notas no cubren; --fix los encola para el worker)

  --store ID           la tienda (obligatorio)
  --since FECHA        2026-11-21 (medianoche en Perú) o fecha y hora con zona (obligatorio)
  --fix                encola los pedidos pagados sin comprobante y los que adeudan una nota de crédito
  --grace-minutes N    deja fuera los pedidos de los últimos N minutos, aún en camino (por defecto ${DEFAULT_GRACE_MINUTES}; 0 ninguno)
  --json               el informe en JSON (claves en inglés)
${TARGET_USAGE}
                       Con --aws, ACELERALA_API_URL y ACELERALA_CREDENTIALS_ARN vienen del entorno.

En AWS la misma revisión corre cada hora (la función Reconciler) con --fix. ${EXIT_CODES_USAGE}
Aquí: 0 nada que hacer (o, con --fix, todos los pedidos sin comprobante encolados y nada más); 3 hallazgos que una
persona debe revisar (también pedidos en ATENCIÓN); 1 además si algún encolado falló.`;

const COMMAND = { name: "cpe reconcile", usage: USAGE };

interface ReconcileValues {
  store?: string;
  since?: string;
  fix?: boolean;
  "grace-minutes"?: string;
  json?: boolean;
}

export interface ReconcileRequest {
  storeId: number;
  since: Date;
  fix: boolean;
  graceMinutes: number;
  json: boolean;
}

export function parseReconcileOptions(values: ReconcileValues): ReconcileRequest {
  if (values.store === undefined) throw new OptionError("falta --store ID");
  if (values.since === undefined) throw new OptionError("falta --since FECHA");
  const grace = values["grace-minutes"];
  if (grace !== undefined && !/^\d+$/.test(grace.trim()))
    throw new OptionError(
      `--grace-minutes debe ser un número entero de minutos (0 o más); se recibió "${grace}"`,
    );
  return {
    storeId: parseId("--store", values.store),
    since: parseDateOption("--since", values.since),
    fix: values.fix ?? false,
    graceMinutes: grace === undefined ? DEFAULT_GRACE_MINUTES : Number(grace.trim()),
    json: values.json ?? false,
  };
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      store: { type: "string" },
      since: { type: "string" },
      fix: { type: "boolean" },
      "grace-minutes": { type: "string" },
      json: { type: "boolean" },
      ...TARGET_OPTIONS,
    },
    validate: ({ values }) => parseReconcileOptions(values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: request } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const target = await resolveTarget(values, { needsQueues: request.fix, needsAcelerala: true });
    const api = await targetAcelerala(target)(request.storeId);
    const receipts = createTargetReceiptStore(target);
    const queue = request.fix ? targetEnqueue(target) : undefined;
    try {
      const report = await reconcile(
        {
          storeId: request.storeId,
          since: request.since,
          graceMinutes: request.graceMinutes,
          fix: request.fix,
        },
        {
          ...aceleralaReconcileSources(api),
          getRecord: (key) => receipts.store.get(key),
          notesOf: (key) => receipts.store.notesOf(key),
          enqueue: queue?.enqueue ?? (async () => {}),
          now: () => new Date(),
        },
      );
      io.stdout(request.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReconcileReport(report)}\n`);
      if (report.enqueueFailures.length > 0) return EXIT_FAILURE;
      // With --fix the missing orders (and the credit notes owed) are dealt with; everything else needs a person.
      const open = request.fix
        ? {
            ...report,
            missing: [],
            creditNotesOwed: report.creditNotesOwed.filter((o) => o.waitsForAttention),
          }
        : report;
      return isClean(open) ? EXIT_OK : EXIT_NEEDS_PERSON;
    } finally {
      receipts.destroy();
      queue?.destroy();
    }
  });
}

export const reconcileCommand: CliCommand = {
  name: "reconcile",
  summary: "pedidos pagados sin comprobante, en ATENCIÓN, comprobantes sin pedido y montos distintos (--fix)",
  usage: USAGE,
  run,
};

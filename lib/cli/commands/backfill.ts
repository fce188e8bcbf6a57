import type { AceleralaClient } from "../../acelerala/client";
import { OptionError, parseDateOption, parseEndDateOption, parseId } from "../../ops/args";
import { type BackfillSummary, formatBackfillSummary, progressBar, runBackfill } from "../../ops/backfill";
import { peruDateTime } from "../../ops/text";
import { type CliCommand, EXIT_CODES_USAGE, EXIT_FAILURE, EXIT_OK, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import {
  createTargetReceiptStore,
  operateOnTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
  targetAcelerala,
  targetEnqueue,
} from "../target";

const USAGE = `Uso: cpe backfill --store ID --placed-from FECHA [--placed-to FECHA] [--dry-run] [--json] [--aws | --local-env FILE]

El flujo masivo: lista los pedidos pagados de la tienda confirmados en el rango (GET /v1/orders, por placed), deja
fuera los que ya tienen su comprobante (REGISTRADO, ACEPTADO, RECHAZADO o VENCIDO) o necesitan una persona
(ATENCIÓN: corrija el pedido y luego cpe resend) y encola el resto en la cola de eventos, como la referencia que
encola el receptor: el worker los emite igual que tras un webhook, con la misma guarda.

  --store ID             la tienda (obligatorio)
  --placed-from FECHA    desde esta fecha (2026-11-21 = medianoche en Perú) o fecha y hora con zona (obligatorio)
  --placed-to FECHA      hasta esta fecha, inclusive si es una fecha (el día entero en Perú), exclusiva si es una
                         hora; por defecto sin fin
  --dry-run              lista y cuenta (wouldEnqueue); no encola nada
  --json                 el resumen en JSON por stdout (claves en inglés)
${TARGET_USAGE}
                         Con --aws, ACELERALA_API_URL y ACELERALA_CREDENTIALS_ARN vienen del entorno.

El id de evento de cada pedido es bf_<tienda>_<pedido>_<día UTC>: repetir el mismo backfill antes de 5 minutos
encola cada pedido una vez (deduplicación de SQS); después, la guarda del worker ignora los ya emitidos. El progreso
va a stderr; el resumen, a stdout. ${EXIT_CODES_USAGE} El 1 incluye cualquier pedido que no se pudo encolar.`;

const COMMAND = { name: "cpe backfill", usage: USAGE };

interface BackfillValues {
  store?: string;
  "placed-from"?: string;
  "placed-to"?: string;
  "dry-run"?: boolean;
  json?: boolean;
}

export interface BackfillRequest {
  storeId: number;
  placedFrom: Date;
  placedTo?: Date;
  dryRun: boolean;
  json: boolean;
}

/** Validates the options of `cpe backfill`; throws OptionError naming the option and the rule. */
export function parseBackfillOptions(values: BackfillValues): BackfillRequest {
  if (values.store === undefined) throw new OptionError("falta --store ID");
  if (values["placed-from"] === undefined) throw new OptionError("falta --placed-from FECHA");
  const request: BackfillRequest = {
    storeId: parseId("--store", values.store),
    placedFrom: parseDateOption("--placed-from", values["placed-from"]),
    dryRun: values["dry-run"] ?? false,
    json: values.json ?? false,
  };
  const to = values["placed-to"];
  if (to !== undefined) {
    // A plain date names a whole day in Peru: the range ends where the next day starts.
    request.placedTo = parseEndDateOption("--placed-to", to);
    if (request.placedTo.getTime() <= request.placedFrom.getTime())
      throw new OptionError(
        `--placed-to (${to}) debe ser posterior a --placed-from (${values["placed-from"]})`,
      );
  }
  return request;
}

async function execute(request: BackfillRequest, target: Target, api: AceleralaClient, io: CliIo) {
  const receipts = createTargetReceiptStore(target);
  const queue = targetEnqueue(target);
  let lastProgressAt = 0;
  try {
    const summary: BackfillSummary = await runBackfill(
      {
        storeId: request.storeId,
        placedFrom: request.placedFrom,
        placedTo: request.placedTo,
        dryRun: request.dryRun,
        onProgress: ({ counts, fraction, lastPlaced }) => {
          const now = Date.now();
          if (now - lastProgressAt < 1000 && fraction < 1) return;
          lastProgressAt = now;
          const at = lastPlaced ? ` hasta ${peruDateTime(lastPlaced)}` : "";
          io.stderr(
            `${progressBar(fraction)} ${counts.found} encontrados${at}: ${counts.alreadyIssued} ya emitidos, ` +
              `${request.dryRun ? `${counts.wouldEnqueue} se encolarían` : `${counts.enqueued} encolados`}, ${counts.skipped} omitidos` +
              `${counts.failed ? `, ${counts.failed} fallaron` : ""}\n`,
          );
        },
      },
      {
        listOrders: (params) => api.iterateOrders(params),
        getRecord: (key) => receipts.store.get(key),
        enqueue: queue.enqueue,
        now: () => new Date(),
      },
    );
    io.stdout(request.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatBackfillSummary(summary)}\n`);
    return summary.failed > 0 ? EXIT_FAILURE : EXIT_OK;
  } finally {
    receipts.destroy();
    queue.destroy();
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      store: { type: "string" },
      "placed-from": { type: "string" },
      "placed-to": { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      ...TARGET_OPTIONS,
    },
    validate: ({ values }) => parseBackfillOptions(values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: request } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const target = await resolveTarget(values, { needsQueues: true, needsAcelerala: true });
    const api = await targetAcelerala(target)(request.storeId);
    return await execute(request, target, api, io);
  });
}

export const backfillCommand: CliCommand = {
  name: "backfill",
  summary: "encola los pedidos pagados de un rango de fechas que aún no tienen comprobante (flujo masivo)",
  usage: USAGE,
  run,
};

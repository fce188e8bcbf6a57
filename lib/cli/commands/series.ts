import { OptionError, parseId } from "../../ops/args";
import {
  formatSeries,
  listSeries,
  parseSeriesName,
  type SeriesDeps,
  type SeriesRow,
  seedSeries,
  setSeries,
} from "../../ops/series";
import { type CliCommand, EXIT_CODES_USAGE, EXIT_OK, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import { loadStoreConfigs, storeIdOption } from "../store-file";
import {
  createTargetReceiptStore,
  operateOnTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type TargetFlags,
  targetAcelerala,
} from "../target";

const USAGE = `Uso: cpe series list [--store ID] [--json] [--aws | --local-env FILE]
     cpe series seed SERIE [--store ID] [--json] [--aws | --local-env FILE]
     cpe series set SERIE ÚLTIMO [--store ID] [--json] [--aws | --local-env FILE]

Los contadores con que se numeran los comprobantes (uno por tienda y serie), junto al mayor correlativo que ya
tiene Acelérala en cada serie. El contador de una serie se inicia desde la API con su primer comprobante: una
tienda que emitió F001-66 antes continúa en F001-67; los contadores solo suben.

list   las series de la tienda (del archivo de tiendas y las que tienen contador): contador, el mayor de la API,
       el siguiente número
seed   sube el contador de SERIE al mayor de la API (lo crea si falta)
set    fija el contador de SERIE en ÚLTIMO (el siguiente comprobante lleva ÚLTIMO + 1); se rechaza por debajo del
       mayor de la API o del propio contador (esos números pueden haberse enviado)

  --store ID           por defecto la primera tienda del archivo de tiendas
  --json               salida en JSON (claves en inglés)
${TARGET_USAGE}

${EXIT_CODES_USAGE}`;

const COMMAND = { name: "cpe series", usage: USAGE };

type SeriesAction =
  | { action: "list" }
  | { action: "seed"; series: string }
  | { action: "set"; series: string; last: number };

function parseSeriesAction(positionals: readonly string[], values: TargetFlags): SeriesAction {
  const [action, series, last, ...extra] = positionals;
  if (values.aws && values["local-env"] !== undefined)
    throw new OptionError("--aws y --local-env se excluyen: elija AWS o una pila local");
  const unexpected = (value: string | undefined) => {
    if (value !== undefined) throw new OptionError(`argumento inesperado "${value}"`);
  };
  switch (action) {
    case "list":
      unexpected(series);
      return { action };
    case "seed":
      if (series === undefined) throw new OptionError("seed necesita SERIE, p. ej. F001");
      unexpected(last);
      return { action, series: parseSeriesName(series) };
    case "set":
      if (series === undefined || last === undefined)
        throw new OptionError("set necesita SERIE y ÚLTIMO, p. ej. F001 66");
      unexpected(extra[0]);
      return { action, series: parseSeriesName(series), last: parseId("ÚLTIMO", last) };
    default:
      throw new OptionError(
        action === undefined
          ? "indique list, seed o set"
          : `acción desconocida "${action}": indique list, seed o set`,
      );
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: { store: { type: "string" }, json: { type: "boolean" }, ...TARGET_OPTIONS },
    allowPositionals: true,
    validate: ({ values, positionals }) => parseSeriesAction(positionals, values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const storeId = await storeIdOption(values.store, io);
    const target = await resolveTarget(values, { needsQueues: false, needsAcelerala: true });
    const receipts = createTargetReceiptStore(target);
    try {
      const api = await targetAcelerala(target)(storeId);
      const deps: SeriesDeps = {
        readCounter: (store, series) => receipts.store.readCounter(store, series),
        listCounters: (store) => receipts.store.listCounters(store),
        raiseCounter: (store, series, atLeast, now) =>
          receipts.store.raiseCounter(store, series, atLeast, now),
        apiHighest: (series) => api.highestCorrelative(series),
        now: () => new Date(),
      };
      let rows: SeriesRow[];
      if (validated.action === "list") {
        const stores = await loadStoreConfigs(undefined, io);
        const config = stores.find((store) => store.store_id === storeId);
        const configured = config ? Object.values(config.series) : [];
        rows = await listSeries(storeId, configured, deps);
      } else if (validated.action === "seed") {
        rows = [await seedSeries(storeId, validated.series, deps)];
      } else {
        rows = [await setSeries(storeId, validated.series, validated.last, deps)];
      }
      io.stdout(values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatSeries(rows)}\n`);
      return EXIT_OK;
    } finally {
      receipts.destroy();
    }
  });
}

export const seriesCommand: CliCommand = {
  name: "series",
  summary: "los contadores de numeración por serie junto al mayor de la API (list), o subirlos (seed, set)",
  usage: USAGE,
  run,
};

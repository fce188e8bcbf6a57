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
import { type CliCommand, EXIT_OK, parseCommandArgs } from "../command";
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

const USAGE = `Usage: cpe series list [--store ID] [--json] [--aws | --local-env FILE]
       cpe series seed SERIES [--store ID] [--json] [--aws | --local-env FILE]
       cpe series set SERIES LAST [--store ID] [--json] [--aws | --local-env FILE]

The counters the receipts are numbered from (one per store and series), beside the highest correlative
Acelérala already holds in each series. A series' counter is seeded from the API on its first receipt, so a
store that issued F001-66 before continues at F001-67; counters only move up.

list   the store's series (from the stores file, and any with a counter): counter, the API's highest, next number
seed   raises SERIES' counter to the API's highest (creates it when missing)
set    sets SERIES' counter to LAST (the next receipt gets LAST + 1); refused below the API's highest or below
       the counter itself (those numbers may have been sent)

  --store ID           default: the first store of the stores file
  --json               machine-readable output
${TARGET_USAGE}

Exit codes: 0 done; 1 usage error, a refused value, API error or unreachable target.`;

const COMMAND = { name: "cpe series", usage: USAGE };

type SeriesAction =
  | { action: "list" }
  | { action: "seed"; series: string }
  | { action: "set"; series: string; last: number };

function parseSeriesAction(positionals: readonly string[], values: TargetFlags): SeriesAction {
  const [action, series, last, ...extra] = positionals;
  if (values.aws && values["local-env"] !== undefined)
    throw new OptionError("--aws and --local-env exclude each other: choose AWS or a local stack");
  const unexpected = (value: string | undefined) => {
    if (value !== undefined) throw new OptionError(`unexpected argument "${value}"`);
  };
  switch (action) {
    case "list":
      unexpected(series);
      return { action };
    case "seed":
      if (series === undefined) throw new OptionError("seed needs SERIES, e.g. F001");
      unexpected(last);
      return { action, series: parseSeriesName(series) };
    case "set":
      if (series === undefined || last === undefined)
        throw new OptionError("set needs SERIES and LAST, e.g. F001 66");
      unexpected(extra[0]);
      return { action, series: parseSeriesName(series), last: parseId("LAST", last) };
    default:
      throw new OptionError(
        action === undefined ? "say list, seed or set" : `unknown action "${action}": say list, seed or set`,
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
  return operateOnTarget(
    COMMAND,
    io,
    async (resolveTarget) => {
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
    },
    (error) => (error instanceof OptionError ? error.message : undefined),
  );
}

export const seriesCommand: CliCommand = {
  name: "series",
  summary: "show the receipt number counters per series beside the API's highest (list), seed or raise them",
  usage: USAGE,
  run,
};

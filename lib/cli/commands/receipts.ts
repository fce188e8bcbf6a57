import { parseArgs } from "node:util";
import { OptionError, parseId, parsePositiveInteger, parseReceiptState, parseSince } from "../../ops/args";
import { compareNewestFirst, formatReceiptList, listRow } from "../../ops/receipt-view";
import type { ReceiptRecord, ReceiptState } from "../../store/receipt-record";
import { type CliCommand, EXIT_ERROR, EXIT_OK } from "../command";
import type { CliIo } from "../io";
import {
  createTargetReceiptStore,
  reportTargetFailure,
  resolveTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
} from "../target";

const DEFAULT_LIMIT = 50;

const USAGE = `Usage: cpe receipts [--state S] [--since DATE] [--store ID] [--limit N] [--json] [--aws | --local-env FILE]

Lists receipt records, newest first, like the store plugin's order list: Pedido, Fecha (Peru time), Tipo de
documento ("Factura F001-66", "Boleta" before a number), Estado en API/SUNAT (ACEPTADO, RECHAZADO, REGISTRADO =
sent and waiting for SUNAT, ATENCIÓN = needs attention, VENCIDO = no CDR in time, RESERVADO = number reserved,
not yet confirmed), Total, and the XML/PDF/CDR links.

  --state S            only records in state S: RESERVED, SUBMITTED, ACCEPTED, REJECTED, NEEDS_ATTENTION, STALE
  --since DATE         only records created from DATE on: 2026-11-21 (from midnight in Peru) or an ISO
                       date-time with offset (2026-11-21T10:00:00Z)
  --store ID           only this store's records (default: every store)
  --limit N            at most N rows (default ${DEFAULT_LIMIT})
  --json               the rows as a JSON array
${TARGET_USAGE}

Reads the whole table (a Scan): meant for operators, not for hot paths. Exit codes: 0 listed (possibly
nothing); 1 usage error or unreachable target.`;

const NAME = "cpe receipts";

interface ReceiptsValues {
  state?: string;
  since?: string;
  store?: string;
  limit?: string;
  json?: boolean;
  aws?: boolean;
  "local-env"?: string;
  help?: boolean;
}

export interface ReceiptsQuery {
  state?: ReceiptState;
  since?: Date;
  storeId?: number;
  limit: number;
  json: boolean;
}

/** Validates the options of `cpe receipts`; throws OptionError naming the option and the rule. */
export function parseReceiptsOptions(values: ReceiptsValues): ReceiptsQuery {
  const query: ReceiptsQuery = {
    limit: values.limit === undefined ? DEFAULT_LIMIT : parsePositiveInteger("--limit", values.limit),
    json: values.json ?? false,
  };
  if (values.state !== undefined) query.state = parseReceiptState(values.state);
  if (values.since !== undefined) query.since = parseSince(values.since);
  if (values.store !== undefined) query.storeId = parseId("--store", values.store);
  return query;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let values: ReceiptsValues;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        state: { type: "string" },
        since: { type: "string" },
        store: { type: "string" },
        limit: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        ...TARGET_OPTIONS,
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    io.stderr(`${NAME}: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  let query: ReceiptsQuery;
  try {
    query = parseReceiptsOptions(values);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    io.stderr(`${NAME}: ${error.message}\n`);
    return EXIT_ERROR;
  }
  let target: Target | undefined;
  try {
    target = await resolveTarget(values, io, { needsQueues: false });
    const receipts = createTargetReceiptStore(target);
    const records: ReceiptRecord[] = [];
    try {
      const filter: { state?: ReceiptState; since?: Date } = {};
      if (query.state) filter.state = query.state;
      if (query.since) filter.since = query.since;
      for await (const record of receipts.store.scan(filter)) {
        if (query.storeId === undefined || record.storeId === query.storeId) records.push(record);
      }
    } finally {
      receipts.destroy();
    }
    records.sort(compareNewestFirst);
    const rows = records.slice(0, query.limit).map(listRow);
    if (query.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) io.stdout("No receipts match.\n");
    else io.stdout(`${formatReceiptList(rows)}\n`);
    if (records.length > rows.length)
      io.stderr(`${NAME}: showing the newest ${rows.length} of ${records.length}; use --limit for more\n`);
    return EXIT_OK;
  } catch (error) {
    return reportTargetFailure(NAME, error, io, target);
  }
}

export const receiptsCommand: CliCommand = {
  name: "receipts",
  summary: "list receipt records (order, date, document, API/SUNAT status, total, links)",
  usage: USAGE,
  run,
};

import { parseId, parsePositiveInteger, parseReceiptState, parseSince } from "../../ops/args";
import { compareNewestFirst, formatReceiptList, listRow } from "../../ops/receipt-view";
import type { ReceiptRecord, ReceiptState } from "../../store/receipt-record";
import { type CliCommand, EXIT_OK, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import { createTargetReceiptStore, operateOnTarget, TARGET_OPTIONS, TARGET_USAGE } from "../target";

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

const COMMAND = { name: "cpe receipts", usage: USAGE };

interface ReceiptsValues {
  state?: string;
  since?: string;
  store?: string;
  limit?: string;
  json?: boolean;
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
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      state: { type: "string" },
      since: { type: "string" },
      store: { type: "string" },
      limit: { type: "string" },
      json: { type: "boolean" },
      ...TARGET_OPTIONS,
    },
    validate: ({ values }) => parseReceiptsOptions(values),
    usageWithOptionErrors: false,
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: query } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const target = await resolveTarget(values, { needsQueues: false });
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
      io.stderr(
        `${COMMAND.name}: showing the newest ${rows.length} of ${records.length}; use --limit for more\n`,
      );
    return EXIT_OK;
  });
}

export const receiptsCommand: CliCommand = {
  name: "receipts",
  summary: "list receipt records (order, date, document, API/SUNAT status, total, links)",
  usage: USAGE,
  run,
};

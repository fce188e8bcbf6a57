import { parseArgs } from "node:util";
import { OptionError, parseId } from "../../ops/args";
import { formatStatus, statusView } from "../../ops/receipt-view";
import { type CliCommand, EXIT_ERROR, EXIT_OK } from "../command";
import type { CliIo } from "../io";
import { loadStoreConfigs } from "../store-file";
import {
  createTargetReceiptStore,
  reportTargetFailure,
  resolveTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  type Target,
} from "../target";

const USAGE = `Usage: cpe status ORDER_ID [--store ID] [--json] [--aws | --local-env FILE]

Shows the receipt record of an order: state, document type and number, total, SUNAT code and message, links
(XML, PDF, CDR), problems (field, rule, message), the last error, and the history of its state transitions.
Customer document numbers and e-mails are masked.

  --store ID           the store of the order; default: the first store of $STORES_CONFIG_PATH or
                       config/stores.json (511 locally)
  --json               the record as JSON (without the stored request body)
${TARGET_USAGE}

Exit codes: 0 shown; 1 no record for the order, usage error, or unreachable target.`;

const NAME = "cpe status";

async function defaultStoreId(io: CliIo): Promise<number> {
  const [first] = await loadStoreConfigs(undefined, io);
  if (!first) throw new OptionError("the stores file holds no store: pass --store ID");
  return first.store_id;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed: {
    values: { store?: string; json?: boolean; aws?: boolean; "local-env"?: string; help?: boolean };
    positionals: string[];
  };
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        store: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        ...TARGET_OPTIONS,
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.stderr(`${NAME}: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  let target: Target | undefined;
  try {
    const [orderArgument, ...extra] = positionals;
    if (orderArgument === undefined) throw new OptionError("ORDER_ID is required");
    if (extra.length > 0) throw new OptionError(`unexpected argument "${extra[0]}": give one ORDER_ID`);
    const orderId = parseId("ORDER_ID", orderArgument);
    const storeId = values.store !== undefined ? parseId("--store", values.store) : await defaultStoreId(io);
    target = await resolveTarget(values, io, { needsQueues: false });
    const receipts = createTargetReceiptStore(target);
    try {
      const record = await receipts.store.get({ storeId, orderId });
      if (!record) {
        io.stderr(
          `${NAME}: order ${orderId} of store ${storeId} has no receipt record (table ${target.tableName}, ${target.description})\n`,
        );
        return EXIT_ERROR;
      }
      const view = statusView(record);
      io.stdout(values.json ? `${JSON.stringify(view, null, 2)}\n` : `${formatStatus(view)}\n`);
      return EXIT_OK;
    } finally {
      receipts.destroy();
    }
  } catch (error) {
    if (error instanceof OptionError) {
      io.stderr(`${NAME}: ${error.message}\n\n${USAGE}\n`);
      return EXIT_ERROR;
    }
    return reportTargetFailure(NAME, error, io, target);
  }
}

export const statusCommand: CliCommand = {
  name: "status",
  summary: "show the receipt record of an order: state, SUNAT answer, links, problems and history",
  usage: USAGE,
  run,
};

import { formatStatus, statusView } from "../../ops/receipt-view";
import { type CliCommand, commandError, EXIT_OK, orderIdArgument, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import { storeIdOption } from "../store-file";
import { createTargetReceiptStore, operateOnTarget, TARGET_OPTIONS, TARGET_USAGE } from "../target";

const USAGE = `Usage: cpe status ORDER_ID [--store ID] [--json] [--aws | --local-env FILE]

Shows the receipt record of an order: state, document type and number, total, SUNAT code and message, links
(XML, PDF, CDR), problems (field, rule, message), the last error, and the history of its state transitions.
Customer document numbers and e-mails are masked.

  --store ID           the store of the order; default: the first store of $STORES_CONFIG_PATH or
                       config/stores.json (511 locally)
  --json               the record as JSON (without the stored request body)
${TARGET_USAGE}

Exit codes: 0 shown; 1 no record for the order, usage error, or unreachable target.`;

const COMMAND = { name: "cpe status", usage: USAGE };

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: { store: { type: "string" }, json: { type: "boolean" }, ...TARGET_OPTIONS },
    allowPositionals: true,
  });
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const orderId = orderIdArgument(positionals);
    const storeId = await storeIdOption(values.store, io);
    const target = await resolveTarget(values, { needsQueues: false });
    const receipts = createTargetReceiptStore(target);
    try {
      const record = await receipts.store.get({ storeId, orderId });
      if (!record)
        return commandError(
          COMMAND,
          io,
          `order ${orderId} of store ${storeId} has no receipt record (table ${target.tableName}, ${target.description})`,
        );
      const view = statusView(record);
      io.stdout(values.json ? `${JSON.stringify(view, null, 2)}\n` : `${formatStatus(view)}\n`);
      return EXIT_OK;
    } finally {
      receipts.destroy();
    }
  });
}

export const statusCommand: CliCommand = {
  name: "status",
  summary: "show the receipt record of an order: state, SUNAT answer, links, problems and history",
  usage: USAGE,
  run,
};

import { type BuildReceiptOptions, buildReceipt } from "../../receipt";
import {
  type CliCommand,
  commandError,
  EXIT_OK,
  EXIT_RULE_BROKEN,
  parseCommandArgs,
  usageError,
} from "../command";
import { type CliIo, InputFileError, readJsonFile } from "../io";
import { loadStoreConfigs, selectStore } from "../store-file";

const USAGE = `Usage: cpe build --order FILE [--store FILE] [--issue-date YYYY-MM-DD] [--correlative N]

Builds the receipt for an Acelérala order and prints it as JSON on stdout: the body the worker POSTs to
/v1/receipts, with every computed total. FILE may hold the order itself or a webhook envelope
({ "data": { "object": <order> } }).

  --order FILE         the order (JSON)
  --store FILE         stores file (an array of store configurations); default: $STORES_CONFIG_PATH or
                       config/stores.json; the store is the one matching the order's store_id, else the first
  --issue-date DATE    issue date; default: the order's placed (else created) date in Peru time
  --correlative N      the number reserved for the receipt; default: none (the API assigns it)

Exit codes: 0 receipt printed; 2 the order breaks a rule (each problem on stderr); 1 usage or input error.`;

/** The order inside a webhook envelope, or the value itself. */
function unwrapOrder(value: unknown): unknown {
  if (typeof value === "object" && value !== null && "data" in value) {
    const data = (value as { data?: unknown }).data;
    if (typeof data === "object" && data !== null && "object" in data)
      return (data as { object: unknown }).object;
  }
  return value;
}

const COMMAND = { name: "cpe build", usage: USAGE };

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      order: { type: "string" },
      store: { type: "string" },
      "issue-date": { type: "string" },
      correlative: { type: "string" },
    },
  });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  if (!values.order) return usageError(COMMAND, io, "--order FILE is required");
  const options: BuildReceiptOptions = {};
  if (values["issue-date"] !== undefined) options.issueDate = values["issue-date"];
  if (values.correlative !== undefined) {
    if (!/^\d+$/.test(values.correlative))
      return commandError(COMMAND, io, "--correlative must be a positive integer");
    options.correlative = Number(values.correlative);
  }

  try {
    const order = unwrapOrder(await readJsonFile(values.order, io));
    const stores = await loadStoreConfigs(values.store, io);
    const orderStoreId =
      typeof order === "object" && order !== null ? (order as { store_id?: unknown }).store_id : undefined;
    const store = selectStore(stores, orderStoreId);
    const result = buildReceipt(order, store, options);
    if (!result.ok) {
      for (const problem of result.problems)
        io.stderr(`${problem.field} [${problem.rule}]: ${problem.message}\n`);
      return EXIT_RULE_BROKEN;
    }
    io.stdout(`${JSON.stringify(result.receipt, null, 2)}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof InputFileError) return commandError(COMMAND, io, error.message);
    throw error;
  }
}

export const buildCommand: CliCommand = {
  name: "build",
  summary: "build the receipt of an order and print it as JSON (the body of POST /v1/receipts)",
  usage: USAGE,
  run,
};

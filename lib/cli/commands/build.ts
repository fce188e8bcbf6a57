import { parseArgs } from "node:util";
import { type BuildReceiptOptions, buildReceipt } from "../../receipt";
import { type CliCommand, EXIT_ERROR, EXIT_OK, EXIT_RULE_BROKEN } from "../command";
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

async function run(argv: string[], io: CliIo): Promise<number> {
  let values: { order?: string; store?: string; "issue-date"?: string; correlative?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        order: { type: "string" },
        store: { type: "string" },
        "issue-date": { type: "string" },
        correlative: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr(`cpe build: ${(error as Error).message}\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (!values.order) {
    io.stderr(`cpe build: --order FILE is required\n\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  const options: BuildReceiptOptions = {};
  if (values["issue-date"] !== undefined) options.issueDate = values["issue-date"];
  if (values.correlative !== undefined) {
    if (!/^\d+$/.test(values.correlative)) {
      io.stderr("cpe build: --correlative must be a positive integer\n");
      return EXIT_ERROR;
    }
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
    if (error instanceof InputFileError) {
      io.stderr(`cpe build: ${error.message}\n`);
      return EXIT_ERROR;
    }
    throw error;
  }
}

export const buildCommand: CliCommand = {
  name: "build",
  summary: "build the receipt of an order and print it as JSON (the body of POST /v1/receipts)",
  usage: USAGE,
  run,
};

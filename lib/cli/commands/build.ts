import { OptionError, parseCalendarDate, parsePositiveInteger } from "../../ops/args";
import { type BuildReceiptOptions, buildReceipt } from "../../receipt";
import {
  type CliCommand,
  commandError,
  EXIT_CODES_USAGE,
  EXIT_NEEDS_PERSON,
  EXIT_OK,
  parseCommandArgs,
} from "../command";
import { type CliIo, InputFileError, readJsonFile } from "../io";
import { loadStoreConfigs, selectStore } from "../store-file";

const USAGE = `Uso: cpe build --order FILE [--store FILE] [--issue-date AAAA-MM-DD] [--correlative N]

Construye el comprobante de un pedido de Acelérala y lo imprime en JSON por stdout: el cuerpo que el worker envía
a POST /v1/receipts, con todos sus totales. FILE puede tener el pedido o un webhook
({ "data": { "object": <pedido> } }).

  --order FILE         el pedido (JSON)
  --store FILE         archivo de tiendas (un arreglo de configuraciones); por defecto $STORES_CONFIG_PATH o
                       config/stores.json; la tienda es la del store_id del pedido, si no la primera
  --issue-date FECHA   fecha de emisión (AAAA-MM-DD, un día del calendario); por defecto la fecha del pedido
                       (placed, si no created) en Perú
  --correlative N      el número reservado para el comprobante; por defecto ninguno (lo asigna la API)

${EXIT_CODES_USAGE} Aquí: 3 el pedido incumple reglas (cada problema en stderr); 1 archivo ilegible.`;

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

/** The receipt options of `cpe build`, each value checked before anything is read. */
function buildOptions(values: {
  order?: string;
  "issue-date"?: string;
  correlative?: string;
}): BuildReceiptOptions {
  if (!values.order) throw new OptionError("falta --order FILE");
  const options: BuildReceiptOptions = {};
  if (values["issue-date"] !== undefined)
    options.issueDate = parseCalendarDate("--issue-date", values["issue-date"]);
  if (values.correlative !== undefined)
    options.correlative = parsePositiveInteger("--correlative", values.correlative, 99_999_999);
  return options;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      order: { type: "string" },
      store: { type: "string" },
      "issue-date": { type: "string" },
      correlative: { type: "string" },
    },
    validate: ({ values }) => buildOptions(values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: options } = parsed;

  try {
    const order = unwrapOrder(await readJsonFile(values.order ?? "", io));
    const stores = await loadStoreConfigs(values.store, io);
    const orderStoreId =
      typeof order === "object" && order !== null ? (order as { store_id?: unknown }).store_id : undefined;
    const store = selectStore(stores, orderStoreId);
    const result = buildReceipt(order, store, options);
    if (!result.ok) {
      for (const problem of result.problems)
        io.stderr(`${problem.field} [${problem.rule}]: ${problem.message}\n`);
      return EXIT_NEEDS_PERSON;
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
  summary: "construye el comprobante de un pedido y lo imprime en JSON (el cuerpo de POST /v1/receipts)",
  usage: USAGE,
  run,
};

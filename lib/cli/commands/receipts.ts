import {
  parseDateOption,
  parseEndDateOption,
  parseOrderId,
  parsePositiveInteger,
  parseStateFilter,
  type StateFilter,
} from "../../ops/args";
import { listOrderRows, orderRowById } from "../../ops/order-list";
import { formatOrderList, type OrderRowView } from "../../ops/receipt-view";
import { type CliCommand, EXIT_CODES_USAGE, EXIT_OK, parseCommandArgs } from "../command";
import type { CliIo } from "../io";
import { storeIdOption } from "../store-file";
import {
  createTargetReceiptStore,
  operateOnTarget,
  TARGET_OPTIONS,
  TARGET_USAGE,
  targetAcelerala,
} from "../target";

const DEFAULT_LIMIT = 50;

const USAGE = `Uso: cpe receipts [--state S] [--since FECHA] [--until FECHA] [--order ID] [--store ID] [--limit N]
                    [--before ID] [--json] [--aws | --local-env FILE]

Los pedidos de la tienda, del más nuevo al más antiguo, como la lista del plugin de la tienda: todos, también los
que no tienen comprobante (N/A). Columnas: Pedido, Fecha (Perú), Cliente, Ciudad (del envío), Estado (del pedido),
Tipo de documento ("Factura F001-66"; sin comprobante, el que pide el pedido), API/SUNAT (ACEPTADO, REGISTRADO =
enviado y a la espera de SUNAT, RECHAZADO, ATENCIÓN = requiere revisión, VENCIDO = sin CDR a tiempo, RESERVADO =
número reservado sin confirmar, CANCELADO, N/A = nunca enviado), Total (del comprobante, o del pedido) y Enlaces
(XML PDF CDR; en una terminal, enlaces que se abren con clic). Cada nota de crédito va en una línea bajo su pedido.
Cabe en 120 columnas: el cliente y la ciudad se acortan con "…".

  --state S            solo los pedidos en ese estado, en español (ACEPTADO, ATENCIÓN, N/A, …) o en inglés
                       (ACCEPTED, NEEDS_ATTENTION, …)
  --since FECHA        pedidos creados desde FECHA: 2026-11-21 (medianoche en Perú) o fecha y hora con zona
  --until FECHA        … hasta FECHA inclusive (un día entero en Perú) o hasta esa hora
  --order ID           solo ese pedido (32204 o #32204)
  --store ID           la tienda; por defecto la primera del archivo de tiendas (511 en local)
  --limit N            como máximo N filas (por defecto ${DEFAULT_LIMIT})
  --before ID          la página siguiente: pedidos anteriores a ID (el comando lo sugiere al final)
  --json               las filas en JSON (claves en inglés, null sin valor, enlaces completos)
${TARGET_USAGE}
                       Con --aws, ACELERALA_API_URL y ACELERALA_CREDENTIALS_ARN vienen del entorno.

Lee los pedidos de Acelérala y un registro por pedido de DynamoDB. ${EXIT_CODES_USAGE}`;

const COMMAND = { name: "cpe receipts", usage: USAGE };

interface ReceiptsValues {
  state?: string;
  since?: string;
  until?: string;
  order?: string;
  store?: string;
  limit?: string;
  before?: string;
  json?: boolean;
}

export interface ReceiptsQuery {
  state?: StateFilter;
  since?: Date;
  until?: Date;
  orderId?: number;
  before?: number;
  limit: number;
  json: boolean;
}

/** Validates the options of `cpe receipts`; throws OptionError naming the option and the rule. */
export function parseReceiptsOptions(values: ReceiptsValues): ReceiptsQuery {
  const query: ReceiptsQuery = {
    limit: values.limit === undefined ? DEFAULT_LIMIT : parsePositiveInteger("--limit", values.limit, 1_000),
    json: values.json ?? false,
  };
  if (values.state !== undefined) query.state = parseStateFilter("--state", values.state);
  if (values.since !== undefined) query.since = parseDateOption("--since", values.since);
  if (values.until !== undefined) query.until = parseEndDateOption("--until", values.until);
  if (values.order !== undefined) query.orderId = parseOrderId("--order", values.order);
  if (values.before !== undefined) query.before = parseOrderId("--before", values.before);
  return query;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(argv, io, {
    ...COMMAND,
    options: {
      state: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      order: { type: "string" },
      store: { type: "string" },
      limit: { type: "string" },
      before: { type: "string" },
      json: { type: "boolean" },
      ...TARGET_OPTIONS,
    },
    validate: ({ values }) => parseReceiptsOptions(values),
  });
  if (typeof parsed === "number") return parsed;
  const { values, validated: query } = parsed;
  return operateOnTarget(COMMAND, io, async (resolveTarget) => {
    const storeId = await storeIdOption(values.store, io);
    const target = await resolveTarget(values, { needsQueues: false, needsAcelerala: true });
    const api = await targetAcelerala(target)(storeId);
    const receipts = createTargetReceiptStore(target);
    let rows: OrderRowView[];
    let next: number | undefined;
    try {
      const reads = {
        listOrders: (params: Parameters<typeof api.listOrders>[0]) => api.listOrders(params),
        getOrder: (id: number) => api.getOrder(id),
        getRecord: (key: { storeId: number; orderId: number }) => receipts.store.get(key),
        notesOf: (key: { storeId: number; orderId: number }) => receipts.store.notesOf(key),
      };
      if (query.orderId !== undefined) {
        const row = await orderRowById(storeId, query.orderId, reads);
        rows = row ? [row] : [];
      } else {
        const page = await listOrderRows(
          {
            storeId,
            limit: query.limit,
            ...(query.state ? { state: query.state } : {}),
            ...(query.since ? { createdFrom: query.since } : {}),
            ...(query.until ? { createdTo: query.until } : {}),
            ...(query.before ? { beforeOrderId: query.before } : {}),
          },
          reads,
        );
        rows = page.rows;
        next = page.nextBeforeOrderId;
      }
    } finally {
      receipts.destroy();
    }
    if (query.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0)
      io.stdout(
        query.orderId === undefined
          ? "Ningún pedido coincide.\n"
          : `La tienda ${storeId} no tiene el pedido #${query.orderId}.\n`,
      );
    else io.stdout(`${formatOrderList(rows, { hyperlinks: io.isTerminal === true })}\n`);
    if (next !== undefined)
      io.stderr(`${COMMAND.name}: hay pedidos más antiguos: añada --before ${next} para verlos\n`);
    return EXIT_OK;
  });
}

export const receiptsCommand: CliCommand = {
  name: "receipts",
  summary: "los pedidos de la tienda con su comprobante (o N/A), estado en API/SUNAT, total, enlaces y notas",
  usage: USAGE,
  run,
};

import type { OrderListParams } from "../acelerala/client";
import { AceleralaError } from "../acelerala/errors";
import { MAX_LIST_LIMIT } from "../acelerala/filters";
import type { AceleralaList, AceleralaOrder } from "../acelerala/schemas";
import type { OrderKey, ReceiptRecord } from "../store/receipt-record";
import type { StateFilter } from "./args";
import { matchesStateFilter, type OrderRowView, orderRow } from "./receipt-view";

/**
 * Every order of a store, newest first, each with its sale receipt record (or none: the plugin's N/A) and its
 * credit notes: the table of the web console and of `cpe receipts`. The orders come from Acelérala (the
 * record table only knows orders that reached the worker); the records from DynamoDB, one read per order.
 *
 * Pages go by order id (`id=lt:<last id>`, `sort=id:desc`), like every listing here, never by cursor: the seed
 * can be read two ways about cursors, not about `lt`. A state filter cannot be asked of the API (the state is
 * ours), so a page reads orders until it has `limit` matching ones or has looked at `maxScanned` orders; the
 * next page starts below the last order looked at.
 */

export interface OrderListQuery {
  storeId: number;
  /** At most this many rows. */
  limit: number;
  /** Only orders whose sale receipt is in this state (NONE: no record, or SKIPPED). */
  state?: StateFilter;
  /** Orders created from this instant on (inclusive) … */
  createdFrom?: Date;
  /** … and before this one (exclusive). */
  createdTo?: Date;
  /** Only orders with an id below this one: the next page of an earlier listing. */
  beforeOrderId?: number;
  /** A filtered page stops after looking at this many orders (default 1,000). */
  maxScanned?: number;
}

export interface OrderListDeps {
  listOrders(params: OrderListParams): Promise<AceleralaList<AceleralaOrder>>;
  getRecord(key: OrderKey): Promise<ReceiptRecord | undefined>;
  notesOf(key: OrderKey): Promise<ReceiptRecord[]>;
}

export interface OrderListPage {
  rows: OrderRowView[];
  /** The id to pass as `beforeOrderId` for the next page; undefined when there are no older orders. */
  nextBeforeOrderId?: number;
  /** How many orders were looked at (more than rows.length when a state filter is set). */
  scanned: number;
}

/** Orders whose records are read at once. */
const RECORD_READS_IN_FLIGHT = 10;
const DEFAULT_MAX_SCANNED = 1_000;

/**
 * Whether an order may have credit notes: only a receipt SUNAT accepted gets them (cancellations, refunds), and
 * one that landed and differs while `cpe reissue` undoes it (or after: the record then lists what it replaced).
 */
export function mayHaveCreditNotes(record: ReceiptRecord | undefined): boolean {
  return (
    record !== undefined &&
    (record.state === "ACCEPTED" || record.reissue !== undefined || (record.replacedNumbers?.length ?? 0) > 0)
  );
}

/** The sale record and, when it may have them, the credit notes. */
async function recordsOf(
  storeId: number,
  orders: readonly AceleralaOrder[],
  deps: Pick<OrderListDeps, "getRecord" | "notesOf">,
): Promise<{ order: AceleralaOrder; record?: ReceiptRecord; notes: ReceiptRecord[] }[]> {
  const results: { order: AceleralaOrder; record?: ReceiptRecord; notes: ReceiptRecord[] }[] = [];
  for (let start = 0; start < orders.length; start += RECORD_READS_IN_FLIGHT) {
    const chunk = orders.slice(start, start + RECORD_READS_IN_FLIGHT);
    results.push(
      ...(await Promise.all(
        chunk.map(async (order) => {
          const key = { storeId, orderId: Number(order.id) };
          const record = await deps.getRecord(key);
          const notes = mayHaveCreditNotes(record) ? await deps.notesOf(key) : [];
          return record ? { order, record, notes } : { order, notes };
        }),
      )),
    );
  }
  return results;
}

export async function listOrderRows(query: OrderListQuery, deps: OrderListDeps): Promise<OrderListPage> {
  const maxScanned = query.maxScanned ?? DEFAULT_MAX_SCANNED;
  const rows: OrderRowView[] = [];
  let before = query.beforeOrderId;
  let scanned = 0;
  for (;;) {
    const created =
      query.createdFrom || query.createdTo
        ? {
            ...(query.createdFrom ? { gte: query.createdFrom.toISOString() } : {}),
            ...(query.createdTo ? { lt: query.createdTo.toISOString() } : {}),
          }
        : undefined;
    // Without a state filter every order is a row: ask for just one page's worth.
    const limit =
      query.state === undefined ? Math.min(MAX_LIST_LIMIT, query.limit - rows.length) : MAX_LIST_LIMIT;
    const page = await deps.listOrders({
      limit,
      sort: "id:desc",
      filters: {
        ...(created ? { created } : {}),
        ...(before === undefined ? {} : { id: { lt: before } }),
      },
    });
    // A server that ignored the id filter must not make the listing go round in circles.
    const fresh = page.data.filter((order) => before === undefined || Number(order.id) < before);
    for (const { order, record, notes } of await recordsOf(query.storeId, fresh, deps)) {
      scanned++;
      before = Number(order.id);
      if (!matchesStateFilter(record?.state, query.state)) continue;
      rows.push(orderRow({ storeId: query.storeId, orderId: Number(order.id), order, record, notes }));
      if (rows.length >= query.limit) return { rows, nextBeforeOrderId: before, scanned };
    }
    if (!page.has_more || fresh.length === 0) return { rows, scanned };
    if (scanned >= maxScanned) return { rows, nextBeforeOrderId: before, scanned };
  }
}

/**
 * One order by id (the search box, `cpe receipts --order`): its row, with the record even when the API no
 * longer has the order (or never had it) — a record is never hidden because the order cannot be read.
 */
export async function orderRowById(
  storeId: number,
  orderId: number,
  deps: Pick<OrderListDeps, "getRecord" | "notesOf"> & { getOrder(id: number): Promise<AceleralaOrder> },
): Promise<OrderRowView | undefined> {
  const key = { storeId, orderId };
  const [order, record] = await Promise.all([
    deps.getOrder(orderId).catch((error: unknown) => {
      if (error instanceof AceleralaError && error.kind === "not_found") return undefined;
      throw error;
    }),
    deps.getRecord(key),
  ]);
  if (!order && !record) return undefined;
  const notes = record ? await deps.notesOf(key) : [];
  return orderRow({ storeId, orderId, ...(order ? { order } : {}), ...(record ? { record } : {}), notes });
}

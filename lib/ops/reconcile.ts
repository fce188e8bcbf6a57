import { Decimal } from "decimal.js";
import type { AceleralaClient } from "../acelerala/client";
import { AceleralaError } from "../acelerala/errors";
import type { FilterValue } from "../acelerala/filters";
import type { AceleralaOrder, AceleralaReceipt, AceleralaTransaction } from "../acelerala/schemas";
import { parseInstant } from "../acelerala/timestamps";
import { operatorEvent } from "../queue/order-events";
import { FINAL_STATES, type OrderKey, type ReceiptRecord } from "../store/receipt-record";
import { dayStamp, type Enqueue, forEachLimited, type OrderLister, queuedOrderId } from "./backfill";
import { type OwedCreditNote, owedCreditNote, owingReason } from "./credit-notes-owed";
import { peruDateTime } from "./text";

/**
 * `cpe reconcile` and the hourly reconciler function: compares what Acelérala has with what DynamoDB has, for
 * one store and a time window, because webhooks can be missed (a sender outage, a misconfigured URL).
 *
 * - missing: paid, placed, not cancelled orders with no receipt record (or a number reserved and never
 *   confirmed) — `fix` enqueues them, as the receiver's event reference, for the worker and its guard;
 * - issued outside: missing orders that DO have a receipt in Acelérala (issued by hand or by another tool) —
 *   never enqueued, since the worker would issue a second receipt; a person must look;
 * - needs attention: orders whose record waits for the merchant (reported, not enqueued: `cpe resend` after
 *   the fix);
 * - receipts without an order: receipts in Acelérala whose order is unknown, has no record here, or whose
 *   record holds another receipt (a duplicate) — burnt numbers of re-issued orders are expected and excluded;
 * - amounts that differ: the record's gross total is not the order's total;
 * - credit notes owed: orders cancelled or refunded in the window whose accepted sale receipt the notes do not
 *   credit in full (lib/ops/credit-notes-owed.ts) — `fix` enqueues them, so the worker issues the notes.
 */

/** Orders placed this recently may still be on their way through the webhook pipeline: not "missing" yet. */
export const DEFAULT_GRACE_MINUTES = 10;
const LIST_PAGE_SIZE = 100;
const CONCURRENCY = 8;

/** Receipts created from `since` on. */
export type ReceiptLister = (since: Date) => AsyncIterable<AceleralaReceipt>;

export interface ReconcileDeps {
  listOrders: OrderLister;
  listReceipts: ReceiptLister;
  /** null when Acelérala does not know the order (404). */
  findOrder: (orderId: number) => Promise<AceleralaOrder | null>;
  getRecord: (key: OrderKey) => Promise<ReceiptRecord | undefined>;
  enqueue: Enqueue;
  now: () => Date;
  /** Orders matching `filters` (the cancelled and refunded ones). With `notesOf`: the credit notes owed are checked. */
  listChangedOrders?: (filters: Record<string, FilterValue>) => AsyncIterable<AceleralaOrder>;
  /** The credit-note records of an order (ReceiptStore.notesOf). */
  notesOf?: (key: OrderKey) => Promise<ReceiptRecord[]>;
  /** The refund transactions of an order (GET /v1/transactions). */
  refundsOf?: (orderId: number) => Promise<AceleralaTransaction[]>;
}

export interface ReconcileOptions {
  storeId: number;
  since: Date;
  /** Orders placed after `now − grace` are not checked (default DEFAULT_GRACE_MINUTES). */
  graceMinutes?: number;
  /** Enqueue the missing orders. */
  fix: boolean;
}

export interface MissingOrder {
  orderId: string;
  placed: string;
  total: string;
  /** The record's state when there is one (RESERVED: a number held, never confirmed). */
  state?: string;
}

export type OrphanReason = "no_order_id" | "order_not_found" | "no_record" | "record_holds_other_receipt";

export interface OrphanReceipt {
  receiptId: string;
  documentNumber: string;
  orderId: string | null;
  reason: OrphanReason;
  detail: string;
}

export interface AmountMismatch {
  orderId: string;
  documentNumber?: string;
  recordTotal: string;
  orderTotal: string;
}

export interface ReconcileReport {
  storeId: number;
  since: string;
  until: string;
  ordersChecked: number;
  receiptsChecked: number;
  missing: MissingOrder[];
  issuedOutside: (MissingOrder & { receipts: string[] })[];
  needsAttention: { orderId: string; rules: string[] }[];
  /** Numbers this product reserved that another receipt (another order's, or one made by hand) holds. */
  takenNumbers: {
    orderId: string;
    documentNumber: string;
    holderOrderId: number | null;
    receiptId: number;
  }[];
  receiptsWithoutOrder: OrphanReceipt[];
  amountMismatches: AmountMismatch[];
  /** Orders owing a credit note the notes do not cover yet (checked only when the deps can read notes). */
  creditNotesOwed: OwedCreditNote[];
  fix: boolean;
  /** Missing orders enqueued. */
  enqueued: number;
  /** Orders owing a credit note enqueued (those waiting for a person are not). */
  owedEnqueued: number;
  enqueueFailures: { orderId: string; error: string }[];
}

/**
 * `rc_<store>_<order>_<UTC day and hour>`: a re-run in the same hour (within SQS's 5 minutes) is deduplicated,
 * while the next hourly run may enqueue an order that is still missing again (the worker's guard makes any
 * duplicate a no-op).
 */
export function reconcileEventId(storeId: number, orderId: number | string, now: Date): string {
  return `rc_${storeId}_${orderId}_${dayStamp(now)}${now.toISOString().slice(11, 13)}`;
}

function amountOf(value: unknown): Decimal | undefined {
  if (typeof value !== "number" && typeof value !== "string") return undefined;
  try {
    return new Decimal(value);
  } catch {
    return undefined;
  }
}

function isEligible(order: AceleralaOrder): boolean {
  return order.payment_status === "paid" && Boolean(order.placed) && !order.canceled;
}

/** The receipts of an order that a record explains: its current one and the numbers SUNAT burnt before. */
function knownReceiptIds(record: ReceiptRecord): Set<string> {
  const ids = new Set<string>();
  if (record.receiptId !== undefined) ids.add(String(record.receiptId));
  for (const burnt of record.burntNumbers ?? [])
    if (burnt.receiptId !== undefined) ids.add(String(burnt.receiptId));
  return ids;
}

export async function reconcile(options: ReconcileOptions, deps: ReconcileDeps): Promise<ReconcileReport> {
  const now = deps.now();
  const until = new Date(now.getTime() - (options.graceMinutes ?? DEFAULT_GRACE_MINUTES) * 60_000);
  const report: ReconcileReport = {
    storeId: options.storeId,
    since: options.since.toISOString(),
    until: until.toISOString(),
    ordersChecked: 0,
    receiptsChecked: 0,
    missing: [],
    issuedOutside: [],
    needsAttention: [],
    takenNumbers: [],
    receiptsWithoutOrder: [],
    amountMismatches: [],
    creditNotesOwed: [],
    fix: options.fix,
    enqueued: 0,
    owedEnqueued: 0,
    enqueueFailures: [],
  };
  const records = new Map<string, ReceiptRecord | undefined>();
  const recordOf = async (orderId: string) => {
    if (!records.has(orderId))
      records.set(orderId, await deps.getRecord({ storeId: options.storeId, orderId: Number(orderId) }));
    return records.get(orderId);
  };

  // 1. Acelérala's receipts of the window, by order (to spot duplicates and receipts issued elsewhere).
  const receiptsByOrder = new Map<string, AceleralaReceipt[]>();
  const allReceipts: AceleralaReceipt[] = [];
  for await (const receipt of deps.listReceipts(options.since)) {
    allReceipts.push(receipt);
    const orderId =
      receipt.order_id === null || receipt.order_id === undefined ? null : String(receipt.order_id);
    if (orderId !== null) receiptsByOrder.set(orderId, [...(receiptsByOrder.get(orderId) ?? []), receipt]);
  }
  report.receiptsChecked = allReceipts.length;

  // 2. The window's paid, placed orders against their records.
  const candidates: { order: AceleralaOrder; missing: MissingOrder }[] = [];
  const orders = new Map<string, AceleralaOrder>();
  const page: AceleralaOrder[] = [];
  const checkPage = async () => {
    await forEachLimited(page.splice(0), CONCURRENCY, async (order) => {
      const orderId = String(order.id);
      const record = await recordOf(orderId);
      for (const taken of record?.takenNumbers ?? [])
        report.takenNumbers.push({
          orderId,
          documentNumber: taken.documentNumber,
          holderOrderId: taken.holderOrderId,
          receiptId: taken.receiptId,
        });
      if (record && FINAL_STATES.includes(record.state)) {
        const recordTotal = amountOf(record.grossTotal);
        const orderTotal = amountOf(order.total);
        if (recordTotal && orderTotal && !recordTotal.equals(orderTotal)) {
          const mismatch: AmountMismatch = {
            orderId,
            recordTotal: recordTotal.toFixed(2),
            orderTotal: orderTotal.toFixed(2),
          };
          if (record.documentNumber) mismatch.documentNumber = record.documentNumber;
          report.amountMismatches.push(mismatch);
        }
        return;
      }
      if (record?.state === "NEEDS_ATTENTION") {
        report.needsAttention.push({
          orderId,
          rules: [...new Set((record.problems ?? []).map((problem) => problem.rule))],
        });
        return;
      }
      const missing: MissingOrder = {
        orderId,
        placed: String(order.placed),
        total: amountOf(order.total)?.toFixed(2) ?? String(order.total ?? "?"),
      };
      if (record) missing.state = record.state;
      const elsewhere = receiptsByOrder.get(orderId) ?? [];
      // A RESERVED record's own receipt may have landed before the worker recorded it: the worker adopts it.
      const foreign = elsewhere.filter((receipt) => receipt.document_number !== record?.documentNumber);
      if (foreign.length > 0) {
        report.issuedOutside.push({
          ...missing,
          receipts: foreign.map((receipt) => receipt.document_number),
        });
        return;
      }
      report.missing.push(missing);
      candidates.push({ order, missing });
    });
  };
  const placed = { gte: options.since.toISOString(), lt: until.toISOString() };
  for await (const order of deps.listOrders({
    limit: LIST_PAGE_SIZE,
    filters: { placed, payment_status: ["paid"] },
  })) {
    if (!isEligible(order)) continue;
    report.ordersChecked++;
    orders.set(String(order.id), order);
    page.push(order);
    if (page.length === LIST_PAGE_SIZE) await checkPage();
  }
  await checkPage();

  // 3. Receipts no record explains.
  await forEachLimited(allReceipts, CONCURRENCY, async (receipt) => {
    const orphan = await orphanReason(receipt, recordOf, orders, deps);
    if (orphan) report.receiptsWithoutOrder.push(orphan);
  });

  // 4. Credit notes owed on the window's cancelled and refunded orders.
  const owing = await owedCreditNotes(options, deps, until, recordOf);
  report.creditNotesOwed = owing.map(({ owed }) => owed);

  // 5. Fix: the missing ones (and the orders owing a note) go through the queue, like a webhook would have.
  if (options.fix) {
    const enqueue = async (order: AceleralaOrder, orderId: string): Promise<boolean> => {
      const eventId = reconcileEventId(options.storeId, orderId, now);
      try {
        await deps.enqueue(operatorEvent(options.storeId, queuedOrderId(order), eventId, deps.now()));
        return true;
      } catch (error) {
        report.enqueueFailures.push({
          orderId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        return false;
      }
    };
    await forEachLimited(candidates, CONCURRENCY, async ({ order, missing }) => {
      if (await enqueue(order, missing.orderId)) report.enqueued++;
    });
    const toSettle = owing.filter(({ owed }) => !owed.waitsForAttention);
    await forEachLimited(toSettle, CONCURRENCY, async ({ order, owed }) => {
      if (await enqueue(order, owed.orderId)) report.owedEnqueued++;
    });
  }
  const byOrder = (a: { orderId: string }, b: { orderId: string }) => Number(a.orderId) - Number(b.orderId);
  report.missing.sort(byOrder);
  report.issuedOutside.sort(byOrder);
  report.needsAttention.sort(byOrder);
  report.takenNumbers.sort(byOrder);
  report.amountMismatches.sort(byOrder);
  report.creditNotesOwed.sort(byOrder);
  report.receiptsWithoutOrder.sort((a, b) => Number(a.receiptId) - Number(b.receiptId));
  return report;
}

/**
 * The window's cancelled and refunded orders that owe a credit note not issued yet, owed since before `until`
 * (a note owed for minutes is still on its way through the worker). Two listings: orders cancelled in the window,
 * and refunded ones modified in it; a listing that ignored its filter only costs more orders to look at.
 */
async function owedCreditNotes(
  options: ReconcileOptions,
  deps: ReconcileDeps,
  until: Date,
  recordOf: (orderId: string) => Promise<ReceiptRecord | undefined>,
): Promise<{ order: AceleralaOrder; owed: OwedCreditNote }[]> {
  const { listChangedOrders, notesOf } = deps;
  if (!listChangedOrders || !notesOf) return [];
  const since = options.since.toISOString();
  const changed = new Map<string, AceleralaOrder>();
  const listings: Record<string, FilterValue>[] = [
    { canceled: { gte: since } },
    { payment_status: ["refunded", "partially_refunded"], modified: { gte: since } },
  ];
  for (const filters of listings) {
    for await (const order of listChangedOrders(filters)) {
      if (owingReason(order)) changed.set(String(order.id), order);
    }
  }
  const owing: { order: AceleralaOrder; owed: OwedCreditNote }[] = [];
  await forEachLimited([...changed.values()], CONCURRENCY, async (order) => {
    const orderId = String(order.id);
    const sale = await recordOf(orderId);
    if (sale?.state !== "ACCEPTED") return;
    const key = { storeId: options.storeId, orderId: Number(orderId) };
    const refunded = owingReason(order) !== "canceled";
    const [notes, refunds] = await Promise.all([
      notesOf(key),
      refunded && deps.refundsOf ? deps.refundsOf(Number(orderId)) : Promise.resolve([]),
    ]);
    const owed = owedCreditNote({ order, sale, notes, refunds });
    if (owed && Date.parse(owed.since) <= until.getTime()) owing.push({ order, owed });
  });
  return owing;
}

async function orphanReason(
  receipt: AceleralaReceipt,
  recordOf: (orderId: string) => Promise<ReceiptRecord | undefined>,
  orders: ReadonlyMap<string, AceleralaOrder>,
  deps: Pick<ReconcileDeps, "findOrder">,
): Promise<OrphanReceipt | undefined> {
  const base = {
    receiptId: String(receipt.id),
    documentNumber: receipt.document_number,
    orderId: receipt.order_id === null || receipt.order_id === undefined ? null : String(receipt.order_id),
  };
  if (base.orderId === null)
    return { ...base, reason: "no_order_id", detail: "el comprobante no nombra ningún pedido" };
  const record = await recordOf(base.orderId);
  if (record) {
    if (knownReceiptIds(record).has(base.receiptId)) return undefined;
    // Not confirmed yet: the worker is between POST and recording; it resolves the number by looking up the
    // order's receipts (the API may have numbered it otherwise) and adopts the one that landed.
    if (record.state === "RESERVED") return undefined;
    return {
      ...base,
      reason: "record_holds_other_receipt",
      detail: `el registro del pedido está ${record.state}${record.documentNumber ? ` con ${record.documentNumber}` : " sin número"}: un segundo comprobante para un pedido`,
    };
  }
  const order = orders.get(base.orderId) ?? (await deps.findOrder(Number(base.orderId)));
  if (!order)
    return {
      ...base,
      reason: "order_not_found",
      detail: `el pedido ${base.orderId} no existe en Acelérala`,
    };
  return {
    ...base,
    reason: "no_record",
    detail: `el pedido ${base.orderId} no tiene registro aquí: ¿emitido fuera de este sistema?`,
  };
}

/** The human report of a reconcile run. */
export function formatReconcileReport(report: ReconcileReport): string {
  const lines = [
    `Tienda ${report.storeId}: pedidos confirmados del ${peruDateTime(report.since)} al ${peruDateTime(report.until)} (hora de Perú; ${report.ordersChecked} pagados), comprobantes creados desde ${peruDateTime(report.since)} (${report.receiptsChecked})`,
  ];
  const section = (title: string, rows: string[]) => {
    lines.push(`${title}: ${rows.length}`);
    for (const row of rows.slice(0, 50)) lines.push(`  ${row}`);
    if (rows.length > 50) lines.push(`  … y ${rows.length - 50} más (--json)`);
  };
  section(
    "Pedidos pagados sin comprobante",
    report.missing.map(
      (m) =>
        `pedido ${m.orderId}  confirmado ${peruDateTime(m.placed)}  total ${m.total}${m.state ? `  (registro ${m.state})` : ""}`,
    ),
  );
  section(
    "Pedidos pagados con un comprobante emitido fuera de este sistema (no se encolan)",
    report.issuedOutside.map((m) => `pedido ${m.orderId}  comprobantes ${m.receipts.join(", ")}`),
  );
  section(
    "Pedidos que requieren revisión (corríjalos y luego cpe resend)",
    report.needsAttention.map((n) => `pedido ${n.orderId}  ${n.rules.join(", ") || "-"}`),
  );
  section(
    "Números nuestros que tienen otros comprobantes (los pedidos tomaron el siguiente libre)",
    report.takenNumbers.map(
      (t) =>
        `pedido ${t.orderId}  ${t.documentNumber} es el comprobante ${t.receiptId} de ${t.holderOrderId === null ? "ningún pedido (hecho fuera de este sistema)" : `el pedido ${t.holderOrderId}`}`,
    ),
  );
  section(
    "Comprobantes sin pedido",
    report.receiptsWithoutOrder.map(
      (o) => `comprobante ${o.receiptId} (${o.documentNumber})  ${o.reason}: ${o.detail}`,
    ),
  );
  section(
    "Montos que no coinciden",
    report.amountMismatches.map(
      (m) =>
        `pedido ${m.orderId}${m.documentNumber ? ` ${m.documentNumber}` : ""}  comprobante ${m.recordTotal}, pedido ${m.orderTotal}`,
    ),
  );
  const owedBecause = {
    canceled: "anulado",
    refunded: "reembolsado",
    partially_refunded: "reembolsado en parte",
  };
  section(
    "Notas de crédito adeudadas (pedidos anulados o reembolsados cuyo comprobante aceptado las notas no cubren)",
    report.creditNotesOwed.map(
      (o) =>
        `pedido ${o.orderId} ${o.documentNumber}  ${owedBecause[o.reason]}: adeuda ${o.owed} de ${o.due} desde ${peruDateTime(o.since)}${o.waitsForAttention ? "  (una nota requiere revisión)" : ""}`,
    ),
  );
  if (report.fix) {
    lines.push(
      `Encolados: ${report.enqueued}${report.owedEnqueued ? `, que adeudan una nota de crédito: ${report.owedEnqueued}` : ""}${report.enqueueFailures.length ? `, fallaron: ${report.enqueueFailures.length}` : ""}`,
    );
    for (const failure of report.enqueueFailures.slice(0, 10))
      lines.push(`  pedido ${failure.orderId}: ${failure.error}`);
  } else if (report.missing.length > 0) {
    lines.push("Vuelva a ejecutarlo con --fix para encolar los pedidos sin comprobante.");
  }
  return lines.join("\n");
}

/**
 * True when the report found nothing a person must act on: no order without its receipt, none issued outside,
 * none that needs attention, no receipt without an order, no amount that differs. (Numbers held by other
 * receipts are only told: the orders took the next free number by themselves.)
 */
export function isClean(report: ReconcileReport): boolean {
  return (
    report.missing.length === 0 &&
    report.issuedOutside.length === 0 &&
    report.needsAttention.length === 0 &&
    report.receiptsWithoutOrder.length === 0 &&
    report.amountMismatches.length === 0 &&
    report.creditNotesOwed.length === 0
  );
}

/**
 * Receipts created from `since` on, listed with a `created=gte:` filter and paged by id filters (no cursor: the
 * seed can be read two ways about which side `after` pages to). A receipt whose `created` says it is older is
 * left out, in whichever ISO-8601 form the API writes it.
 */
export function receiptsSince(
  iterate: (filters: { created: { gte: string } }) => AsyncIterable<AceleralaReceipt>,
): ReceiptLister {
  return async function* (since: Date) {
    for await (const receipt of iterate({ created: { gte: since.toISOString() } })) {
      const created = typeof receipt.created === "string" ? parseInstant(receipt.created) : undefined;
      if (created !== undefined && created < since.getTime()) continue;
      yield receipt;
    }
  };
}

/** The Acelérala side of ReconcileDeps, from one store's client. */
export function aceleralaReconcileSources(
  api: Pick<AceleralaClient, "iterateOrders" | "iterateReceipts" | "getOrder" | "refundsOfOrder">,
): Pick<ReconcileDeps, "listOrders" | "listReceipts" | "findOrder" | "listChangedOrders" | "refundsOf"> {
  return {
    listOrders: (params) => api.iterateOrders(params),
    listChangedOrders: (filters) => api.iterateOrders({ limit: LIST_PAGE_SIZE, filters }),
    refundsOf: (orderId) => api.refundsOfOrder(orderId),
    listReceipts: receiptsSince((filters) => api.iterateReceipts(filters)),
    findOrder: async (orderId) => {
      try {
        return await api.getOrder(orderId);
      } catch (error) {
        if (error instanceof AceleralaError && error.kind === "not_found") return null;
        throw error;
      }
    },
  };
}

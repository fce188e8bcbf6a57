import type { AceleralaOrder } from "../acelerala/schemas";
import { type EventReference, operatorEvent } from "../queue/order-events";
import { FINAL_STATES, type OrderKey, type ReceiptRecord } from "../store/receipt-record";
import { normaliseId } from "../webhook/envelope";
import { peruDateTime, safeText } from "./text";

/**
 * `cpe backfill`: the "flujo masivo" of the seed's store plugin, done by the product. It lists a store's paid,
 * placed orders in a date range (GET /v1/orders, paged by id filters), leaves out the ones
 * that already have their receipt, and puts every other one on the SAME queue the webhook receiver writes to,
 * as the SAME event reference (lib/queue/order-events.ts). The worker's DynamoDB guard then decides, exactly as for a webhook: an order that got
 * its receipt in the meantime is not issued twice.
 */

/** At most this many orders of one page are looked up and enqueued at once. */
export const BACKFILL_CONCURRENCY = 8;

/**
 * The order id as the queue carries it (a positive number; "0123" is order 123). An order whose id is not one
 * cannot be enqueued: the error names it.
 */
export function queuedOrderId(order: Pick<AceleralaOrder, "id">): number {
  const orderId = normaliseId(order.id);
  if (orderId === undefined)
    throw new Error(`order id ${JSON.stringify(order.id)} is not a positive whole number: not enqueued`);
  return orderId;
}

/** "20260121": the UTC day of a run. */
export function dayStamp(now: Date): string {
  return now.toISOString().slice(0, 10).replaceAll("-", "");
}

/**
 * The event id (and so the FIFO deduplication id) of a backfilled order: `bf_<store>_<order>_<UTC day>`.
 * The same order enqueued twice on the same day gets the same id, so an operator running the same backfill
 * twice within SQS's 5-minute deduplication window puts each order on the queue once. Later runs (or another
 * day) get through SQS; the worker's guard then finds the final record and does nothing.
 */
export function backfillEventId(storeId: number, orderId: number | string, now: Date): string {
  return `bf_${storeId}_${orderId}_${dayStamp(now)}`;
}

/** Puts an event reference on the order-events queue (lib/queue/order-events.ts: enqueueOrderEvent). */
export type Enqueue = (event: EventReference) => Promise<void>;

/** What the order listing calls (AceleralaClient.iterateOrders). */
export type OrderLister = (params: {
  limit: number;
  filters: {
    placed: { gte: string; lt?: string };
    payment_status: string[];
  };
}) => AsyncIterable<AceleralaOrder>;

export interface BackfillDeps {
  listOrders: OrderLister;
  getRecord: (key: OrderKey) => Promise<ReceiptRecord | undefined>;
  enqueue: Enqueue;
  now: () => Date;
}

export interface BackfillOptions {
  storeId: number;
  placedFrom: Date;
  /** Exclusive; open-ended when absent. */
  placedTo?: Date;
  dryRun: boolean;
  /**
   * Called after every page; `fraction` is how far the listing is through the date range, by the latest `placed`
   * seen (orders are listed by id, which follows `placed` closely: the fraction never goes back).
   */
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  counts: BackfillCounts;
  fraction: number;
  lastPlaced?: string;
}

export interface BackfillCounts {
  found: number;
  alreadyIssued: number;
  /** Enqueued (0 in a dry run). */
  enqueued: number;
  /** In a dry run: would be enqueued (0 otherwise). */
  wouldEnqueue: number;
  skipped: number;
  failed: number;
}

export interface SkippedOrder {
  orderId: string;
  reason: string;
}

export interface BackfillSummary extends BackfillCounts {
  storeId: number;
  placedFrom: string;
  placedTo?: string;
  dryRun: boolean;
  /** Skip reasons with how many orders each. */
  skippedByReason: Record<string, number>;
  skippedOrders: SkippedOrder[];
  /** RESERVED records among the enqueued: a number is held but not confirmed; the worker resumes them. */
  resumed: number;
  failures: { orderId: string; error: string }[];
  /** The orders enqueued, or in a dry run the orders that would be. */
  enqueuedOrderIds: string[];
}

export type OrderVerdict =
  | { action: "enqueue"; resumes: boolean }
  | { action: "already_issued"; state: string }
  | { action: "skip"; reason: string };

/**
 * What the backfill does with one listed order and its record (if any). The listing asks for paid, placed
 * orders; the order is checked again, so an API that ignored a filter cannot make us enqueue the wrong ones.
 */
export function classifyOrder(order: AceleralaOrder, record: ReceiptRecord | undefined): OrderVerdict {
  if (order.payment_status !== "paid")
    return { action: "skip", reason: `payment_status ${order.payment_status}` };
  if (!order.placed) return { action: "skip", reason: "sin confirmar (no placed)" };
  if (order.canceled) return { action: "skip", reason: "cancelado" };
  if (!record) return { action: "enqueue", resumes: false };
  if (FINAL_STATES.includes(record.state)) return { action: "already_issued", state: record.state };
  if (record.state === "NEEDS_ATTENTION") {
    const rules = (record.problems ?? []).map((problem) => problem.rule);
    return {
      action: "skip",
      reason: `requiere revisión${rules.length > 0 ? ` (${[...new Set(rules)].join(", ")})` : ""}: corrija el pedido y luego cpe resend`,
    };
  }
  // RESERVED: a number is held but the API never confirmed it (a crash, or its message is in the DLQ). The
  // worker looks the number up before posting, so enqueueing it again finishes it without a second receipt.
  return { action: "enqueue", resumes: true };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

const PAGE_SIZE = 100;

/** How far `placed` is through [from, to): 0..1, for the progress bar. */
export function rangeFraction(placed: string | undefined, from: Date, to: Date): number {
  if (!placed) return 0;
  const at = Date.parse(placed);
  const span = to.getTime() - from.getTime();
  if (Number.isNaN(at) || span <= 0) return 0;
  return Math.min(1, Math.max(0, (at - from.getTime()) / span));
}

export async function runBackfill(options: BackfillOptions, deps: BackfillDeps): Promise<BackfillSummary> {
  const startedAt = deps.now();
  const summary: BackfillSummary = {
    storeId: options.storeId,
    placedFrom: options.placedFrom.toISOString(),
    dryRun: options.dryRun,
    found: 0,
    alreadyIssued: 0,
    enqueued: 0,
    wouldEnqueue: 0,
    skipped: 0,
    failed: 0,
    resumed: 0,
    skippedByReason: {},
    skippedOrders: [],
    failures: [],
    enqueuedOrderIds: [],
  };
  if (options.placedTo) summary.placedTo = options.placedTo.toISOString();
  const progressEnd = options.placedTo ?? startedAt;

  const placed: { gte: string; lt?: string } = { gte: options.placedFrom.toISOString() };
  if (options.placedTo) placed.lt = options.placedTo.toISOString();
  const listing = deps.listOrders({
    limit: PAGE_SIZE,
    filters: { placed, payment_status: ["paid"] },
  });

  const handle = async (order: AceleralaOrder): Promise<void> => {
    const orderId = String(order.id);
    try {
      const record = await deps.getRecord({ storeId: options.storeId, orderId: Number(order.id) });
      const verdict = classifyOrder(order, record);
      if (verdict.action === "already_issued") {
        summary.alreadyIssued++;
        return;
      }
      if (verdict.action === "skip") {
        summary.skipped++;
        summary.skippedByReason[verdict.reason] = (summary.skippedByReason[verdict.reason] ?? 0) + 1;
        summary.skippedOrders.push({ orderId, reason: verdict.reason });
        return;
      }
      if (!options.dryRun) {
        const eventId = backfillEventId(options.storeId, orderId, startedAt);
        await deps.enqueue(operatorEvent(options.storeId, queuedOrderId(order), eventId, deps.now()));
      }
      if (options.dryRun) summary.wouldEnqueue++;
      else summary.enqueued++;
      if (verdict.resumes) summary.resumed++;
      summary.enqueuedOrderIds.push(orderId);
    } catch (error) {
      summary.failed++;
      summary.failures.push({ orderId, error: errorText(error) });
    }
  };

  // One page at a time: the page's lookups and sends run concurrently, the listing moves on when they are done.
  let page: AceleralaOrder[] = [];
  let fraction = 0;
  let latestPlaced: string | undefined;
  const flush = async () => {
    await forEachLimited(page, BACKFILL_CONCURRENCY, handle);
    for (const order of page) {
      const placed = typeof order.placed === "string" ? order.placed : undefined;
      const at = rangeFraction(placed, options.placedFrom, progressEnd);
      if (placed && at >= fraction) {
        fraction = at;
        latestPlaced = placed;
      }
    }
    page = [];
    options.onProgress?.({ counts: countsOf(summary), fraction, lastPlaced: latestPlaced });
  };
  for await (const order of listing) {
    summary.found++;
    page.push(order);
    if (page.length === PAGE_SIZE) await flush();
  }
  if (page.length > 0) await flush();
  options.onProgress?.({ counts: countsOf(summary), fraction: 1 });
  return summary;
}

function countsOf(summary: BackfillCounts): BackfillCounts {
  const { found, alreadyIssued, enqueued, wouldEnqueue, skipped, failed } = summary;
  return { found, alreadyIssued, enqueued, wouldEnqueue, skipped, failed };
}

/** `[##########----------]  50%`: a text progress bar of `width` cells. */
export function progressBar(fraction: number, width = 20): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round(clamped * 100)).padStart(3)}%`;
}

/** The human summary of a run, one fact per line (Spanish). */
export function formatBackfillSummary(summary: BackfillSummary): string {
  const range = `${peruDateTime(summary.placedFrom)} … ${summary.placedTo ? peruDateTime(summary.placedTo) : "ahora"}`;
  const resumed = summary.resumed > 0 ? ` (${summary.resumed} retoman un número reservado)` : "";
  const lines = [
    `Tienda ${summary.storeId}, pedidos pagados y confirmados del ${range} (hora de Perú)${summary.dryRun ? " (simulación: no se encoló nada)" : ""}`,
    `  encontrados        ${summary.found}`,
    `  ya emitidos        ${summary.alreadyIssued}`,
    summary.dryRun
      ? `  se encolarían      ${summary.wouldEnqueue}${resumed}`
      : `  encolados          ${summary.enqueued}${resumed}`,
    `  omitidos           ${summary.skipped}`,
  ];
  for (const [reason, count] of Object.entries(summary.skippedByReason).sort((a, b) => b[1] - a[1]))
    lines.push(`    ${String(count).padStart(5)}  ${reason}`);
  if (summary.failed > 0) {
    lines.push(`  fallaron           ${summary.failed}`);
    for (const failure of summary.failures.slice(0, 10))
      lines.push(`    pedido ${failure.orderId}: ${safeText(failure.error)}`);
    if (summary.failures.length > 10) lines.push(`    … y ${summary.failures.length - 10} más (--json)`);
  }
  return lines.join("\n");
}

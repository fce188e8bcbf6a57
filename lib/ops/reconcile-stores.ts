import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { AceleralaClient } from "../acelerala/client";
import { type Env, loadConfigFields } from "../config/env";
import { loadStores } from "../config/stores";
import { recordMetrics } from "../observability/logger";
import { count, type MetricPoint, RECONCILER_METRICS } from "../observability/metric-names";
import { createSqsClient, enqueueOrderEvent } from "../queue/order-events";
import { ORDER_EVENTS_QUEUE } from "../queue/queue-definition";
import { aceleralaClients, createReceiptStore } from "../runtime";
import type { Enqueue } from "./backfill";
import { OVERDUE_LIMITS } from "./overdue-records";
import {
  aceleralaReconcileSources,
  DEFAULT_GRACE_MINUTES,
  type ReconcileDeps,
  type ReconcileReport,
  reconcile,
} from "./reconcile";

/**
 * The hourly reconciler's run: for every configured store, the check of `cpe reconcile --fix` over the last
 * RECONCILE_LOOKBACK_HOURS. Paid orders whose webhook was missed, and cancelled or refunded orders still owing a
 * credit note, are enqueued as the receiver's event reference, for the worker and its exactly-once guard;
 * receipts without an order and amounts that differ are counted (and logged without customer data), for the
 * alarms; so are credit notes owed for over a day (the OverdueCreditNotes gauge).
 */

/**
 * The dead-letter queue keeps a message 14 days; the reconciler looks back one day more, so an order whose
 * event died there is enqueued again (and a credit note it owes is still seen) for as long as the message could
 * still be replayed, and a day after.
 */
export const RECONCILE_LOOKBACK_HOURS = (ORDER_EVENTS_QUEUE.deadLetterRetentionPeriodDays + 1) * 24;

export interface ReconcilerDependencies {
  storeIds: number[];
  api: (storeId: number) => Promise<AceleralaClient>;
  getRecord: ReconcileDeps["getRecord"];
  notesOf: NonNullable<ReconcileDeps["notesOf"]>;
  enqueue: Enqueue;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

export interface ReconcilerSummary {
  stores: number;
  failedStores: number;
  missedEnqueued: number;
  owedEnqueued: number;
  issuedOutside: number;
  receiptsWithoutOrder: number;
  amountMismatches: number;
  enqueueFailures: number;
  /** Orders that have owed a credit note for longer than OVERDUE_LIMITS.creditNoteOwedMs. */
  overdueCreditNotes: number;
}

/** The reconciler's collaborators, from the environment (the handler builds them once per environment). */
export async function reconcilerDependencies(
  env: Env,
  logger: Logger,
  metrics: Metrics,
): Promise<ReconcilerDependencies> {
  const config = loadConfigFields(env, [
    "region",
    "tableName",
    "orderEventsQueueUrl",
    "aceleralaApiUrl",
    "aceleralaCredentials",
    "aceleralaTimeoutSeconds",
    "storesConfigPath",
  ]);
  const stores = await loadStores(config.storesConfigPath);
  const store = createReceiptStore(config);
  const sqs = createSqsClient(config.region);
  return {
    storeIds: stores.map((s) => s.store_id),
    api: aceleralaClients(config),
    getRecord: (key) => store.get(key),
    notesOf: (key) => store.notesOf(key),
    enqueue: async (event) => {
      await enqueueOrderEvent(sqs, config.orderEventsQueueUrl, event);
    },
    logger,
    metrics,
  };
}

export function reconcilerMetrics(summary: ReconcilerSummary): MetricPoint[] {
  return [
    count(RECONCILER_METRICS.missedEnqueued, summary.missedEnqueued),
    count(RECONCILER_METRICS.creditNotesOwedEnqueued, summary.owedEnqueued),
    count(RECONCILER_METRICS.issuedOutside, summary.issuedOutside),
    count(RECONCILER_METRICS.receiptsWithoutOrder, summary.receiptsWithoutOrder),
    count(RECONCILER_METRICS.amountMismatches, summary.amountMismatches),
    count(RECONCILER_METRICS.enqueueFailures, summary.enqueueFailures),
    count(RECONCILER_METRICS.storeFailures, summary.failedStores),
    count(RECONCILER_METRICS.overdueCreditNotes, summary.overdueCreditNotes),
  ];
}

function logDifferences(logger: Logger, storeId: number, report: ReconcileReport): void {
  const found =
    report.missing.length +
    report.issuedOutside.length +
    report.receiptsWithoutOrder.length +
    report.amountMismatches.length +
    report.creditNotesOwed.length;
  if (found === 0) return;
  logger.warn("reconcile found differences", {
    store_id: storeId,
    missed_orders: report.missing.map((m) => m.orderId),
    enqueued: report.enqueued,
    issued_outside: report.issuedOutside.map((m) => m.orderId),
    receipts_without_order: report.receiptsWithoutOrder.map((o) => ({
      receipt_id: o.receiptId,
      reason: o.reason,
    })),
    amount_mismatches: report.amountMismatches.map((m) => m.orderId),
    credit_notes_owed: report.creditNotesOwed.map((o) => ({
      order_id: o.orderId,
      reason: o.reason,
      owed: o.owed,
      since: o.since,
    })),
    owing_enqueued: report.owedEnqueued,
    enqueue_failures: report.enqueueFailures.length,
  });
}

/**
 * Reconciles every store; one store's failure (credentials, API down) does not hide the others'. Throws when no
 * store could be checked, so the function's Errors alarm fires; the metrics are recorded either way.
 */
export async function reconcileAllStores(deps: ReconcilerDependencies): Promise<ReconcilerSummary> {
  const { logger } = deps;
  const now = deps.now ?? (() => new Date());
  const summary: ReconcilerSummary = {
    stores: deps.storeIds.length,
    failedStores: 0,
    missedEnqueued: 0,
    owedEnqueued: 0,
    issuedOutside: 0,
    receiptsWithoutOrder: 0,
    amountMismatches: 0,
    enqueueFailures: 0,
    overdueCreditNotes: 0,
  };
  try {
    for (const storeId of deps.storeIds) {
      let report: ReconcileReport;
      try {
        const api = await deps.api(storeId);
        report = await reconcile(
          {
            storeId,
            since: new Date(now().getTime() - RECONCILE_LOOKBACK_HOURS * 3_600_000),
            graceMinutes: DEFAULT_GRACE_MINUTES,
            fix: true,
          },
          {
            ...aceleralaReconcileSources(api),
            getRecord: deps.getRecord,
            notesOf: deps.notesOf,
            enqueue: deps.enqueue,
            now,
          },
        );
      } catch (error) {
        summary.failedStores++;
        logger.error("reconcile failed for a store; retried next hour", { store_id: storeId, error });
        continue;
      }
      const overdueSince = now().getTime() - OVERDUE_LIMITS.creditNoteOwedMs;
      summary.missedEnqueued += report.enqueued;
      summary.owedEnqueued += report.owedEnqueued;
      summary.issuedOutside += report.issuedOutside.length;
      summary.receiptsWithoutOrder += report.receiptsWithoutOrder.length;
      summary.amountMismatches += report.amountMismatches.length;
      summary.enqueueFailures += report.enqueueFailures.length;
      summary.overdueCreditNotes += report.creditNotesOwed.filter(
        (owed) => Date.parse(owed.since) <= overdueSince,
      ).length;
      logDifferences(logger, storeId, report);
    }
  } finally {
    recordMetrics(deps.metrics, reconcilerMetrics(summary));
  }
  logger.info("reconcile run", { ...summary });
  if (summary.stores > 0 && summary.failedStores === summary.stores)
    throw new Error(`reconcile failed for every store (${summary.stores})`);
  return summary;
}

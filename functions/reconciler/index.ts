import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import middy from "@middy/core";
import type { Context, ScheduledEvent } from "aws-lambda";
import type { AceleralaClient } from "../../lib/acelerala/client";
import { loadConfigFields } from "../../lib/config/env";
import { loadStores } from "../../lib/config/stores";
import { createLogger, createMetrics } from "../../lib/observability/logger";
import type { Enqueue } from "../../lib/ops/backfill";
import {
  aceleralaReconcileSources,
  DEFAULT_GRACE_MINUTES,
  type ReconcileDeps,
  type ReconcileReport,
  reconcile,
} from "../../lib/ops/reconcile";
import { createSqsClient, enqueueOrderEvent } from "../../lib/queue/order-events";
import { aceleralaClients, createReceiptStore, oncePerEnvironment } from "../../lib/runtime";

/**
 * Reconciler (EventBridge, every hour): for every configured store, the check of `cpe reconcile --fix` over the
 * last LOOKBACK_HOURS. Paid orders whose webhook was missed are enqueued, as the receiver's event reference, for the
 * worker and its exactly-once guard, and counted in the MissedOrdersEnqueued metric; receipts without an order
 * and amounts that differ are counted too (and logged without customer data), for the alarms.
 */

const SERVICE_NAME = "reconciler";
/** Two days: a missed order is caught even if a whole day of runs failed. */
export const LOOKBACK_HOURS = 48;

export const RECONCILER_METRICS = {
  missedEnqueued: "MissedOrdersEnqueued",
  issuedOutside: "OrdersIssuedOutside",
  receiptsWithoutOrder: "ReceiptsWithoutOrder",
  amountMismatches: "ReceiptAmountMismatches",
  enqueueFailures: "ReconcileEnqueueFailures",
  storeFailures: "ReconcileStoreFailures",
} as const;

export interface ReconcilerDependencies {
  storeIds: number[];
  api: (storeId: number) => Promise<AceleralaClient>;
  getRecord: ReconcileDeps["getRecord"];
  enqueue: Enqueue;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

export interface ReconcilerSummary {
  stores: number;
  failedStores: number;
  missedEnqueued: number;
  issuedOutside: number;
  receiptsWithoutOrder: number;
  amountMismatches: number;
  enqueueFailures: number;
}

export function createReconcilerHandler(
  dependencies: () => Promise<ReconcilerDependencies>,
): (event: ScheduledEvent, context: Context) => Promise<ReconcilerSummary> {
  return async () => {
    const deps = await dependencies();
    const { logger, metrics } = deps;
    const now = deps.now ?? (() => new Date());
    const summary: ReconcilerSummary = {
      stores: deps.storeIds.length,
      failedStores: 0,
      missedEnqueued: 0,
      issuedOutside: 0,
      receiptsWithoutOrder: 0,
      amountMismatches: 0,
      enqueueFailures: 0,
    };
    try {
      for (const storeId of deps.storeIds) {
        let report: ReconcileReport;
        try {
          const api = await deps.api(storeId);
          report = await reconcile(
            {
              storeId,
              since: new Date(now().getTime() - LOOKBACK_HOURS * 3_600_000),
              graceMinutes: DEFAULT_GRACE_MINUTES,
              fix: true,
            },
            { ...aceleralaReconcileSources(api), getRecord: deps.getRecord, enqueue: deps.enqueue, now },
          );
        } catch (error) {
          // One store's failure (credentials, API down) must not hide the others' missed orders.
          summary.failedStores++;
          logger.error("reconcile failed for a store; retried next hour", { store_id: storeId, error });
          continue;
        }
        summary.missedEnqueued += report.enqueued;
        summary.issuedOutside += report.issuedOutside.length;
        summary.receiptsWithoutOrder += report.receiptsWithoutOrder.length;
        summary.amountMismatches += report.amountMismatches.length;
        summary.enqueueFailures += report.enqueueFailures.length;
        if (
          report.missing.length + report.issuedOutside.length + report.receiptsWithoutOrder.length > 0 ||
          report.amountMismatches.length > 0
        ) {
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
            enqueue_failures: report.enqueueFailures.length,
          });
        }
      }
    } finally {
      metrics.addMetric(RECONCILER_METRICS.missedEnqueued, MetricUnit.Count, summary.missedEnqueued);
      metrics.addMetric(RECONCILER_METRICS.issuedOutside, MetricUnit.Count, summary.issuedOutside);
      metrics.addMetric(
        RECONCILER_METRICS.receiptsWithoutOrder,
        MetricUnit.Count,
        summary.receiptsWithoutOrder,
      );
      metrics.addMetric(RECONCILER_METRICS.amountMismatches, MetricUnit.Count, summary.amountMismatches);
      metrics.addMetric(RECONCILER_METRICS.enqueueFailures, MetricUnit.Count, summary.enqueueFailures);
      metrics.addMetric(RECONCILER_METRICS.storeFailures, MetricUnit.Count, summary.failedStores);
      metrics.publishStoredMetrics();
    }
    logger.info("reconcile run", { ...summary });
    // Failures surface as the function's Errors metric (and its alarm) only when no store could be checked.
    if (summary.stores > 0 && summary.failedStores === summary.stores)
      throw new Error(`reconcile failed for every store (${summary.stores})`);
    return summary;
  };
}

const logger = createLogger(SERVICE_NAME);
const metrics = createMetrics(SERVICE_NAME);

const environmentDependencies = oncePerEnvironment<ReconcilerDependencies>(async () => {
  const config = loadConfigFields(process.env, [
    "region",
    "tableName",
    "orderEventsQueueUrl",
    "aceleralaApiUrl",
    "aceleralaCredentials",
    "storesConfigPath",
  ]);
  const stores = await loadStores(config.storesConfigPath);
  const store = createReceiptStore(config);
  const sqs = createSqsClient(config.region);
  return {
    storeIds: stores.map((s) => s.store_id),
    api: aceleralaClients(config),
    getRecord: (key) => store.get(key),
    enqueue: async (event) => {
      await enqueueOrderEvent(sqs, config.orderEventsQueueUrl, event);
    },
    logger,
    metrics,
  };
});

export const handler = middy<ScheduledEvent, ReconcilerSummary>(
  createReconcilerHandler(environmentDependencies),
).use(injectLambdaContext(logger, { resetKeys: true }));

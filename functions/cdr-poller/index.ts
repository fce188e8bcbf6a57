import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import middy from "@middy/core";
import type { Context, ScheduledEvent } from "aws-lambda";
import { sunatAnswerOf } from "../../lib/acelerala/sunat-answer";
import { loadConfigFields } from "../../lib/config/env";
import { createLogger, createMetrics } from "../../lib/observability/logger";
import {
  type CdrStatus,
  DEFAULT_POLLER_OPTIONS,
  type PollerOptions,
  type PollerStore,
  type PollSummary,
  pollDueReceipts,
} from "../../lib/poller/poll-cdrs";
import { aceleralaClients, createReceiptStore, oncePerEnvironment } from "../../lib/runtime";
import type { PendingReceipt } from "../../lib/store/receipt-store";
import type { WorkerApi } from "../../lib/worker/issue-receipt";

/**
 * CDR poller (EventBridge, every minute): mirrors SUNAT's answers from Acelérala into DynamoDB for the
 * receipts that are due (lib/poller/poll-cdrs.ts), leaving a safety margin before the Lambda timeout.
 */

const SERVICE_NAME = "cdr-poller";
/** Stop taking new receipts this long before the function would time out. */
const TIMEOUT_MARGIN_MS = 5_000;

export const POLLER_METRICS = {
  accepted: "ReceiptsAccepted",
  /** Order event queued → receipt ACCEPTED (the worker emits it for answers that came with the POST). */
  acceptedLatency: "WebhookToAcceptedLatency",
  rejected: "ReceiptsRejected",
  pending: "CdrPending",
  /** SUNAT answered with an exception (0100–1999): not final, polled again. */
  exceptions: "CdrSunatExceptions",
  stale: "CdrStale",
  errors: "CdrPollErrors",
} as const;

export interface PollerDependencies {
  store: PollerStore;
  api: (storeId: number) => Promise<Pick<WorkerApi, "getReceipt">>;
  options: Omit<PollerOptions, "budgetMs">;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

export function createPollerHandler(
  dependencies: () => Promise<PollerDependencies>,
): (event: ScheduledEvent, context: Context) => Promise<PollSummary> {
  return async (_event, context) => {
    const deps = await dependencies();
    const { logger, metrics } = deps;
    const budgetMs = Math.max(1_000, context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS);
    const fetchCdr = async (record: PendingReceipt): Promise<CdrStatus> => {
      if (record.receiptId === undefined) throw new Error("a SUBMITTED receipt without its Acelérala id");
      const receipt = await (await deps.api(record.storeId)).getReceipt(record.receiptId);
      return { answer: sunatAnswerOf(receipt) };
    };
    const summary = await pollDueReceipts(
      {
        store: deps.store,
        fetchCdr,
        now: deps.now ?? (() => new Date()),
        onError: (record, error) =>
          logger.warn("CDR poll failed; retried next run", {
            store_id: record.storeId,
            order_id: record.orderId,
            error,
          }),
      },
      { ...deps.options, budgetMs },
    );
    metrics.addMetric(POLLER_METRICS.accepted, MetricUnit.Count, summary.accepted);
    for (const latency of summary.acceptedAfterMs) {
      metrics.addMetric(POLLER_METRICS.acceptedLatency, MetricUnit.Milliseconds, latency);
    }
    metrics.addMetric(POLLER_METRICS.rejected, MetricUnit.Count, summary.rejected);
    metrics.addMetric(POLLER_METRICS.pending, MetricUnit.Count, summary.stillPending);
    metrics.addMetric(POLLER_METRICS.exceptions, MetricUnit.Count, summary.exceptions);
    metrics.addMetric(POLLER_METRICS.stale, MetricUnit.Count, summary.stale);
    metrics.addMetric(POLLER_METRICS.errors, MetricUnit.Count, summary.errors);
    metrics.publishStoredMetrics();
    if (summary.checked > 0 || summary.budgetExhausted) logger.info("CDR poll run", { ...summary });
    return summary;
  };
}

const logger = createLogger(SERVICE_NAME);
const metrics = createMetrics(SERVICE_NAME);

const environmentDependencies = oncePerEnvironment<PollerDependencies>(async () => {
  const config = loadConfigFields(process.env, [
    "region",
    "tableName",
    "aceleralaApiUrl",
    "aceleralaCredentials",
    "aceleralaTimeoutSeconds",
    "cdrPollBaseSeconds",
  ]);
  return {
    store: createReceiptStore(config),
    api: aceleralaClients(config),
    options: { ...DEFAULT_POLLER_OPTIONS, baseDelayMs: config.cdrPollBaseSeconds * 1000 },
    logger,
    metrics,
  };
});

export const handler = middy<ScheduledEvent, PollSummary>(createPollerHandler(environmentDependencies)).use(
  injectLambdaContext(logger, { resetKeys: true }),
);

import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { sunatAnswerOf } from "../acelerala/sunat-answer";
import { type Env, loadConfigFields } from "../config/env";
import { recordMetrics } from "../observability/logger";
import { count, type MetricPoint, milliseconds, POLLER_METRICS } from "../observability/metric-names";
import {
  countOverdueRecords,
  type OverdueRecords,
  type OverdueSource,
  overdueMetrics,
} from "../ops/overdue-records";
import { aceleralaClients, createDocumentClient } from "../runtime";
import { OverdueQueries } from "../store/overdue-query";
import { type PendingReceipt, ReceiptStore } from "../store/receipt-store";
import { pollerMarginMs } from "../time-budget";
import type { WorkerApi } from "../worker/issue-receipt";
import {
  type CdrStatus,
  DEFAULT_POLLER_OPTIONS,
  type PollerOptions,
  type PollerStore,
  type PollSummary,
  pollDueReceipts,
} from "./poll-cdrs";

/**
 * One scheduled run of the CDR poller: the receipts that are due (poll-cdrs.ts), within the time the invocation
 * has left less one call's timeout, then the overdue gauges (lib/ops/overdue-records.ts). A failure to count
 * the gauges fails the run (the PollerErrors alarm), after the poll's own metrics are recorded.
 */

export interface PollerDependencies {
  store: PollerStore;
  overdue: OverdueSource;
  api: (storeId: number) => Promise<Pick<WorkerApi, "getReceipt">>;
  options: Omit<PollerOptions, "budgetMs">;
  aceleralaTimeoutSeconds: number;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

export type PollRun = PollSummary & { overdue: OverdueRecords };

/** The poller's collaborators, from the environment (the handler builds them once per environment). */
export async function pollerDependencies(
  env: Env,
  logger: Logger,
  metrics: Metrics,
): Promise<PollerDependencies> {
  const config = loadConfigFields(env, [
    "region",
    "tableName",
    "aceleralaApiUrl",
    "aceleralaCredentials",
    "aceleralaTimeoutSeconds",
    "cdrPollBaseSeconds",
  ]);
  const db = createDocumentClient(config.region);
  return {
    store: new ReceiptStore(db, config.tableName),
    overdue: new OverdueQueries(db, config.tableName),
    api: aceleralaClients(config),
    options: { ...DEFAULT_POLLER_OPTIONS, baseDelayMs: config.cdrPollBaseSeconds * 1000 },
    aceleralaTimeoutSeconds: config.aceleralaTimeoutSeconds,
    logger,
    metrics,
  };
}

/** The metrics of one poll run (counts, zeros included, and each acceptance's latency). */
export function pollMetrics(summary: PollSummary): MetricPoint[] {
  return [
    count(POLLER_METRICS.accepted, summary.accepted),
    ...summary.acceptedAfterMs.map((latency) => milliseconds(POLLER_METRICS.acceptedLatency, latency)),
    count(POLLER_METRICS.rejected, summary.rejected),
    count(POLLER_METRICS.pending, summary.stillPending),
    count(POLLER_METRICS.exceptions, summary.exceptions),
    count(POLLER_METRICS.stale, summary.stale),
    count(POLLER_METRICS.errors, summary.errors),
  ];
}

/** One run with `remainingMs` of the invocation left (Lambda's getRemainingTimeInMillis()). */
export async function runPoller(remainingMs: number, deps: PollerDependencies): Promise<PollRun> {
  const { logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const budgetMs = Math.max(1_000, remainingMs - pollerMarginMs(deps.aceleralaTimeoutSeconds));
  const fetchCdr = async (record: PendingReceipt): Promise<CdrStatus> => {
    if (record.receiptId === undefined) throw new Error("a SUBMITTED receipt without its Acelérala id");
    const receipt = await (await deps.api(record.storeId)).getReceipt(record.receiptId);
    return { answer: sunatAnswerOf(receipt) };
  };
  const summary = await pollDueReceipts(
    {
      store: deps.store,
      fetchCdr,
      now,
      onError: (record, error) =>
        logger.warn("CDR poll failed; retried next run", {
          store_id: record.storeId,
          order_id: record.orderId,
          error,
        }),
    },
    { ...deps.options, budgetMs },
  );
  recordMetrics(metrics, pollMetrics(summary));
  if (summary.checked > 0 || summary.budgetExhausted || summary.errors > 0)
    logger.info("CDR poll run", { ...summary });

  const overdue = await countOverdueRecords(deps.overdue, now());
  recordMetrics(metrics, overdueMetrics(overdue));
  for (const [state, found] of Object.entries(overdue)) {
    if (found.count > 0)
      logger.warn("records overdue in their state", {
        state,
        count: found.count,
        capped: found.capped,
        orders: found.sample,
      });
  }
  return { ...summary, overdue };
}

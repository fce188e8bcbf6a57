import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { loadConfigFields } from "../../lib/config/env";
import { loadStores } from "../../lib/config/stores";
import { createLogger, createMetrics } from "../../lib/observability/logger";
import { createSqsClient, type EventReference, parseOrderEventMessage } from "../../lib/queue/order-events";
import { ORDER_EVENTS_QUEUE } from "../../lib/queue/queue-definition";
import { aceleralaClients, createReceiptStore, oncePerEnvironment } from "../../lib/runtime";
import { acceptedAfterMs } from "../../lib/store/receipt-record";
import { decideCreditNote } from "../../lib/worker/credit-notes";
import { decideForOrder } from "../../lib/worker/decide";
import { processFifoBatch } from "../../lib/worker/fifo-batch";
import { type IssueDeps, type IssueOutcome, issueReceipt } from "../../lib/worker/issue-receipt";
import {
  handleReceiptEvent,
  type ReceiptEventDeps,
  type ReceiptEventOutcome,
} from "../../lib/worker/receipt-event";

/**
 * Receipt worker (SQS FIFO event source, partial batch responses). For each order event: issue the order's
 * one receipt (lib/worker/issue-receipt.ts); for each receipt event: record SUNAT's answer when the order's
 * record waits for it (lib/worker/receipt-event.ts). A transient failure returns only that message (and the rest of
 * its order's group, to keep order) to the queue, after a back-off; after maxReceiveCount it goes to the DLQ.
 */

const SERVICE_NAME = "receipt-worker";
/** SQS's own ceiling on a message's visibility is 12 h; we never wait more than 15 min between tries. */
const MAX_RETRY_DELAY_SECONDS = 15 * 60;

export const WORKER_METRICS = {
  issued: "ReceiptsIssued",
  accepted: "ReceiptsAccepted",
  /** Order event queued → receipt ACCEPTED, when SUNAT answered within the POST (else the poller emits it). */
  acceptedLatency: "WebhookToAcceptedLatency",
  rejected: "ReceiptsRejected",
  duplicate: "DuplicateEventsIgnored",
  needsAttention: "ReceiptsNeedingAttention",
  skipped: "OrdersSkipped",
  retried: "ReceiptRetries",
  exhausted: "ReceiptRetriesExhausted",
  /** A receipt event that changed nothing (no record waiting for it, already final, no answer yet). */
  receiptEventUnchanged: "ReceiptEventsUnchanged",
  /** Credit notes POSTed and landed (a cancellation or a refund of an accepted receipt). */
  creditNotesIssued: "CreditNotesIssued",
  /** Credit notes owed but not issued yet (the receipt waits for SUNAT, or a transient failure). */
  creditNotesNeeded: "CreditNotesNeeded",
} as const;

export interface WorkerDependencies {
  issue: IssueDeps;
  receiptEvents: ReceiptEventDeps;
  sqs: SQSClient;
  queueUrl: string;
  retryBaseSeconds: number;
  logger: Logger;
  metrics: Metrics;
}

/** Seconds before a failed message is tried again: what the API asked for, else exponential back-off. */
export function retryDelaySeconds(receiveCount: number, baseSeconds: number, requested?: number): number {
  const delay = requested ?? baseSeconds * 2 ** Math.max(0, receiveCount - 1);
  return Math.min(Math.ceil(delay), MAX_RETRY_DELAY_SECONDS);
}

function eventOf(record: SQSRecord): EventReference {
  const parsed = parseOrderEventMessage(record.body);
  if (!parsed.ok) {
    // The receiver validated it before enqueueing; if it is unreadable now, only a person can help: let it
    // fail into the DLQ, where it is kept, instead of dropping it.
    throw new Error(
      `unreadable order event: ${parsed.problems.map((p) => `${p.field} ${p.message}`).join("; ")}`,
    );
  }
  return parsed.event;
}

/** When the receiver put the event on the queue (SQS SentTimestamp, epoch ms). */
function sentAt(record: SQSRecord): Date | undefined {
  const sent = Number(record.attributes.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? new Date(sent) : undefined;
}

export function createWorkerHandler(
  dependencies: () => Promise<WorkerDependencies>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  return async (event) => {
    const deps = await dependencies();
    const { metrics } = deps;

    async function backOff(
      logger: Logger,
      record: SQSRecord,
      reason: string,
      requested?: number,
    ): Promise<never> {
      const receives = Number(record.attributes.ApproximateReceiveCount ?? "1");
      metrics.addMetric(WORKER_METRICS.retried, MetricUnit.Count, 1);
      if (receives >= ORDER_EVENTS_QUEUE.maxReceiveCount) {
        metrics.addMetric(WORKER_METRICS.exhausted, MetricUnit.Count, 1);
        logger.error("retries exhausted: the event moves to the dead-letter queue", { reason, receives });
      } else {
        const delay = retryDelaySeconds(receives, deps.retryBaseSeconds, requested);
        logger.warn("transient failure: the event will be retried", { reason, receives, retry_in_s: delay });
        try {
          await deps.sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: deps.queueUrl,
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: delay,
            }),
          );
        } catch (error) {
          // Not fatal: the message still comes back, after the queue's visibility timeout instead.
          logger.warn("could not set the retry delay", { error });
        }
      }
      throw new Error(reason);
    }

    function record(logger: Logger, outcome: IssueOutcome): void {
      for (const note of outcome.notes ?? []) {
        if (note.status === "issued") {
          metrics.addMetric(WORKER_METRICS.creditNotesIssued, MetricUnit.Count, 1);
          logger.info("credit note issued", { note: note.note, receipt_number: note.record.documentNumber });
        } else if (note.status === "waiting") {
          metrics.addMetric(WORKER_METRICS.creditNotesNeeded, MetricUnit.Count, 1);
          logger.info("credit note waits", { note: note.note, reason: note.reason });
        } else if (note.status === "needs_attention") {
          metrics.addMetric(WORKER_METRICS.needsAttention, MetricUnit.Count, 1);
          logger.warn("credit note needs attention", {
            note: note.note,
            problems: note.problems.map((p) => `${p.field} ${p.rule}`),
          });
        }
      }
      switch (outcome.status) {
        case "issued": {
          const { state, documentNumber } = outcome.record;
          metrics.addMetric(WORKER_METRICS.issued, MetricUnit.Count, 1);
          if (state === "ACCEPTED") {
            metrics.addMetric(WORKER_METRICS.accepted, MetricUnit.Count, 1);
            metrics.addMetric(
              WORKER_METRICS.acceptedLatency,
              MetricUnit.Milliseconds,
              acceptedAfterMs(outcome.record, new Date()),
            );
          }
          if (state === "REJECTED") metrics.addMetric(WORKER_METRICS.rejected, MetricUnit.Count, 1);
          logger.info("receipt issued", { receipt_number: documentNumber, state });
          return;
        }
        case "already_issued":
          metrics.addMetric(WORKER_METRICS.duplicate, MetricUnit.Count, 1);
          logger.info("order already has its receipt", { state: outcome.record.state });
          return;
        case "needs_attention":
          metrics.addMetric(WORKER_METRICS.needsAttention, MetricUnit.Count, 1);
          logger.warn("order needs attention", {
            problems: outcome.problems.map((p) => `${p.field} ${p.rule}`),
          });
          return;
        case "skipped":
          metrics.addMetric(WORKER_METRICS.skipped, MetricUnit.Count, 1);
          logger.info("order not issued now", { reason: outcome.reason });
          return;
        case "retry":
          return;
      }
    }

    function recordReceiptEvent(logger: Logger, outcome: ReceiptEventOutcome): void {
      if (outcome.status === "unchanged") {
        metrics.addMetric(WORKER_METRICS.receiptEventUnchanged, MetricUnit.Count, 1);
        logger.info("receipt event changed nothing", { reason: outcome.reason });
        return;
      }
      const { record: updated } = outcome;
      if (updated.state === "ACCEPTED") {
        metrics.addMetric(WORKER_METRICS.accepted, MetricUnit.Count, 1);
        metrics.addMetric(
          WORKER_METRICS.acceptedLatency,
          MetricUnit.Milliseconds,
          acceptedAfterMs(updated, new Date()),
        );
      }
      if (updated.state === "REJECTED") metrics.addMetric(WORKER_METRICS.rejected, MetricUnit.Count, 1);
      logger.info("SUNAT's answer recorded from a receipt event", {
        receipt_number: updated.documentNumber,
        state: updated.state,
        sunat_code: outcome.answer.sunatCode,
      });
    }

    const handleRecord = async (sqsRecord: SQSRecord): Promise<void> => {
      // Records of different orders run at the same time: each gets its own logger with its correlation ids.
      const logger = deps.logger.createChild();
      logger.appendKeys({ message_id: sqsRecord.messageId });
      let key: EventReference;
      try {
        key = eventOf(sqsRecord);
      } catch (error) {
        logger.error("unreadable order event", { error });
        return await backOff(logger, sqsRecord, error instanceof Error ? error.message : String(error));
      }
      logger.appendKeys({ store_id: key.storeId, order_id: key.orderId, event_type: key.type });
      if (key.receiptId !== undefined) {
        // A receipt event (only those name a receipt): SUNAT's answer, not an order to issue.
        logger.appendKeys({ receipt_id: key.receiptId });
        let receiptOutcome: ReceiptEventOutcome;
        try {
          receiptOutcome = await handleReceiptEvent(
            { storeId: key.storeId, orderId: key.orderId },
            key.receiptId,
            deps.receiptEvents,
          );
        } catch (error) {
          logger.error("receipt event failed", { error });
          return await backOff(logger, sqsRecord, error instanceof Error ? error.message : String(error));
        }
        return recordReceiptEvent(logger, receiptOutcome);
      }
      let outcome: IssueOutcome;
      try {
        outcome = await issueReceipt(
          { storeId: key.storeId, orderId: key.orderId },
          deps.issue,
          sentAt(sqsRecord),
        );
      } catch (error) {
        logger.error("receipt worker failed", { error });
        return await backOff(logger, sqsRecord, error instanceof Error ? error.message : String(error));
      }
      record(logger, outcome);
      if (outcome.status === "retry") await backOff(logger, sqsRecord, outcome.reason, outcome.delaySeconds);
    };

    try {
      return await processFifoBatch(event.Records, handleRecord);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

const logger = createLogger(SERVICE_NAME);
const metrics = createMetrics(SERVICE_NAME);

const environmentDependencies = oncePerEnvironment<WorkerDependencies>(async () => {
  const config = loadConfigFields(process.env, [
    "region",
    "tableName",
    "orderEventsQueueUrl",
    "aceleralaApiUrl",
    "aceleralaCredentials",
    "storesConfigPath",
    "cdrPollBaseSeconds",
    "workerRetryBaseSeconds",
    "aceleralaTimeoutSeconds",
    "receiptLookupDelaySeconds",
  ]);
  const stores = await loadStores(config.storesConfigPath);
  const store = createReceiptStore(config);
  const api = aceleralaClients(config);
  return {
    receiptEvents: {
      getRecord: (key) => store.get(key),
      getReceipt: async (storeId, receiptId) => (await api(storeId)).getReceipt(receiptId),
      recordSunatAnswer: (key, documentNumber, from, answer, now) =>
        store.recordSunatAnswer(key, documentNumber, from, answer, now),
      now: () => new Date(),
    },
    issue: {
      store,
      api,
      decide: (order, storeId) => decideForOrder(order, storeId, stores, new Date()),
      decideNote: (input) => decideCreditNote({ ...input, stores }),
      now: () => new Date(),
      firstPollDelayMs: config.cdrPollBaseSeconds * 1000,
      lookupDelayMs: config.receiptLookupDelaySeconds * 1000,
    },
    sqs: createSqsClient(config.region),
    queueUrl: config.orderEventsQueueUrl,
    retryBaseSeconds: config.workerRetryBaseSeconds,
    logger,
    metrics,
  };
});

export const handler = middy<SQSEvent, SQSBatchResponse>(createWorkerHandler(environmentDependencies)).use(
  injectLambdaContext(logger, { resetKeys: true }),
);

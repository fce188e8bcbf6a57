import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type Env, loadConfigFields } from "../config/env";
import { loadStores } from "../config/stores";
import { recordMetrics } from "../observability/logger";
import { count, WORKER_METRICS } from "../observability/metric-names";
import { createSqsClient, type EventReference, parseOrderEventMessage } from "../queue/order-events";
import { ORDER_EVENTS_QUEUE } from "../queue/queue-definition";
import { aceleralaClients, createReceiptStore } from "../runtime";
import {
  assertTimeForCall,
  canStartMessage,
  DeadlineError,
  invocationDeadline,
  withDeadline,
} from "../time-budget";
import { decideCreditNote } from "./credit-notes";
import { decideForOrder } from "./decide";
import { type BatchResponse, processFifoBatch, type QueueRecord } from "./fifo-batch";
import { type IssueDeps, type IssueOutcome, issueReceipt } from "./issue-receipt";
import { issueOutcomeReport, type OutcomeReport, receiptEventReport } from "./outcome-metrics";
import { handleReceiptEvent, type ReceiptEventDeps } from "./receipt-event";
import { retryPlan } from "./retry";

/**
 * The receipt worker's batch (SQS FIFO, partial batch responses). For each order event: issue the order's one
 * receipt and the credit notes it owes (issue-receipt.ts); for each receipt event: record SUNAT's answer when the
 * order's record waits for it (receipt-event.ts). A transient failure returns only that message (and the rest
 * of its order's group, to keep order) to the queue after a back-off; after maxReceiveCount it goes to the DLQ.
 * Every message has the invocation's deadline: it starts only if one call to Acelérala and its writes still fit
 * before it, and no call is started that could not finish before it (lib/time-budget.ts).
 */

export interface WorkerDependencies {
  issue: IssueDeps;
  receiptEvents: ReceiptEventDeps;
  sqs: SQSClient;
  queueUrl: string;
  retryBaseSeconds: number;
  aceleralaTimeoutSeconds: number;
  logger: Logger;
  metrics: Metrics;
  /** Epoch milliseconds (tests move it). */
  clock?: () => number;
}

/** The worker's collaborators, from the environment (the handler builds them once per environment). */
export async function workerDependencies(
  env: Env,
  logger: Logger,
  metrics: Metrics,
): Promise<WorkerDependencies> {
  const config = loadConfigFields(env, [
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
    aceleralaTimeoutSeconds: config.aceleralaTimeoutSeconds,
    logger,
    metrics,
  };
}

function eventOf(record: QueueRecord): EventReference {
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
function sentAt(record: QueueRecord): Date | undefined {
  const sent = Number(record.attributes.SentTimestamp);
  return Number.isFinite(sent) && sent > 0 ? new Date(sent) : undefined;
}

const receivesOf = (record: QueueRecord) => Number(record.attributes.ApproximateReceiveCount ?? "1");
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Handles one batch with `remainingMs` of the invocation left (Lambda's getRemainingTimeInMillis()). */
export async function processOrderEventBatch(
  records: readonly QueueRecord[],
  remainingMs: number,
  deps: WorkerDependencies,
): Promise<BatchResponse> {
  const clock = deps.clock ?? Date.now;
  const started = clock();
  const deadline = invocationDeadline(started, remainingMs);
  const callTimeoutMs = deps.aceleralaTimeoutSeconds * 1000;
  // The same collaborators, except that no call to Acelérala starts that could not finish before the deadline.
  const issue: IssueDeps = {
    ...deps.issue,
    api: async (storeId) => withDeadline(await deps.issue.api(storeId), deadline, callTimeoutMs, clock),
  };
  const receiptEvents: ReceiptEventDeps = {
    ...deps.receiptEvents,
    getReceipt: (storeId, receiptId) => {
      assertTimeForCall("getReceipt", deadline, callTimeoutMs, clock);
      return deps.receiptEvents.getReceipt(storeId, receiptId);
    },
  };

  const report = (logger: Logger, { metrics, logs }: OutcomeReport) => {
    recordMetrics(deps.metrics, metrics);
    for (const line of logs) logger[line.level](line.message, line.fields);
  };

  async function setVisibility(logger: Logger, record: QueueRecord, seconds: number): Promise<void> {
    try {
      await deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: deps.queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (error) {
      // Not fatal: the message still comes back, after the queue's visibility timeout instead.
      logger.warn("could not set the retry delay", { error });
    }
  }

  async function backOff(
    logger: Logger,
    record: QueueRecord,
    reason: string,
    requested?: number,
  ): Promise<never> {
    const receives = receivesOf(record);
    const plan = retryPlan(receives, deps.retryBaseSeconds, requested);
    recordMetrics(deps.metrics, [count(WORKER_METRICS.retried)]);
    if (plan.kind === "dead_letter") {
      recordMetrics(deps.metrics, [count(WORKER_METRICS.exhausted)]);
      logger.error("retries exhausted: the event moves to the dead-letter queue", { reason, receives });
    } else {
      logger.warn("transient failure: the event will be retried", {
        reason,
        receives,
        retry_in_s: plan.delaySeconds,
      });
      await setVisibility(logger, record, plan.delaySeconds);
    }
    throw new Error(reason);
  }

  /** Settles one message; throws (after logging and counting) when it must come back to the queue. */
  async function handle(record: QueueRecord): Promise<void> {
    // Records of different orders run at the same time: each gets its own logger with its correlation ids.
    const logger = deps.logger.createChild();
    logger.appendKeys({ message_id: record.messageId });
    // On its last receive a message is tried whatever time is left: deferring it would dead-letter it untried.
    if (
      !canStartMessage(started, clock(), deadline, deps.aceleralaTimeoutSeconds) &&
      receivesOf(record) < ORDER_EVENTS_QUEUE.maxReceiveCount
    ) {
      recordMetrics(deps.metrics, [count(WORKER_METRICS.deferred)]);
      logger.warn(
        "too little of the invocation is left for this event: it is returned to the queue untried",
        {
          left_ms: deadline - clock(),
        },
      );
      await setVisibility(logger, record, 0);
      throw new DeadlineError("deferred to the next invocation");
    }
    let outcome: IssueOutcome;
    try {
      const key = eventOf(record);
      logger.appendKeys({ store_id: key.storeId, order_id: key.orderId, event_type: key.type });
      const order = { storeId: key.storeId, orderId: key.orderId };
      if (key.receiptId !== undefined) {
        // A receipt event (only those name a receipt): SUNAT's answer, not an order to issue.
        logger.appendKeys({ receipt_id: key.receiptId });
        const answered = await handleReceiptEvent(order, key.receiptId, receiptEvents);
        report(logger, receiptEventReport(answered, new Date()));
        return;
      }
      outcome = await issueReceipt(order, issue, sentAt(record));
    } catch (error) {
      if (error instanceof DeadlineError) logger.warn("stopped before the invocation's deadline", { error });
      else logger.error("the event failed", { error });
      return backOff(logger, record, messageOf(error));
    }
    report(logger, issueOutcomeReport(outcome, new Date()));
    if (outcome.status === "retry") await backOff(logger, record, outcome.reason, outcome.delaySeconds);
  }

  return processFifoBatch(records, handle);
}

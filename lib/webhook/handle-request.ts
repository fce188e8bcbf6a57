import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { type Env, loadConfigFields } from "../config/env";
import { createSecretsSource, type SecretsSource } from "../config/secrets";
import { RECEIVER_METRICS, REFUSAL_REASON_DIMENSION } from "../observability/metric-names";
import { createSqsClient, enqueueOrderEvent } from "../queue/order-events";
import { decideWebhook, type JsonBody, type ReceiverRequest } from "./receive";

/**
 * What the webhook receiver does with one request, with its I/O: read the signing secrets, decide
 * (lib/webhook/receive.ts), enqueue, count, and answer. 202 only once SQS accepted the message (design
 * invariant 1); anything we cannot do (secrets unreadable, SQS down, our own misconfiguration) is a 5xx, so
 * Acelérala retries. The handler turns the Function URL event into a ReceiverRequest and the answer back.
 */

export interface ReceiverDependencies {
  sqs: SQSClient;
  queueUrl: string;
  secrets: SecretsSource;
  logger: Logger;
  metrics: Metrics;
  nowSeconds?: () => number;
}

export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The receiver's collaborators, from the environment (built once per execution environment). */
export async function receiverDependencies(
  env: Env,
  logger: Logger,
  metrics: Metrics,
): Promise<ReceiverDependencies> {
  const config = loadConfigFields(env, ["region", "orderEventsQueueUrl", "webhookSecrets"]);
  return {
    // Region and (locally) AWS_ENDPOINT_URL_SQS come from the environment, which the SDK reads natively.
    sqs: createSqsClient(config.region),
    queueUrl: config.orderEventsQueueUrl,
    secrets: createSecretsSource(config),
    logger,
    metrics,
  };
}

function answer(status: number, body: JsonBody, headers: Record<string, string> = {}): ReceiverAnswer {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

const UNAVAILABLE = { error: { code: "unavailable", message: "try again later" } };

/** The answer when the receiver's collaborators cannot even be built (a missing or invalid variable). */
export function misconfigured(logger: Logger, error: unknown): ReceiverAnswer {
  logger.error("receiver is misconfigured", { error });
  return answer(503, UNAVAILABLE);
}

export async function handleWebhookRequest(
  request: ReceiverRequest,
  deps: ReceiverDependencies,
): Promise<ReceiverAnswer> {
  const { logger, metrics } = deps;
  let recordedMetric = false;
  const count = (name: string) => {
    metrics.addMetric(name, MetricUnit.Count, 1);
    recordedMetric = true;
  };
  const now = deps.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  try {
    let secrets: string[];
    try {
      secrets = await deps.secrets.getWebhookSecrets();
    } catch (error) {
      logger.error("cannot read the webhook signing secrets", { error });
      return answer(503, UNAVAILABLE);
    }

    const decision = decideWebhook(request, secrets, now());
    switch (decision.kind) {
      case "reply":
        return answer(decision.status, decision.body, decision.allow ? { allow: decision.allow } : {});
      case "unavailable":
        // Names the secret by position only (decideWebhook never puts a value in `problem`).
        logger.error("webhook signing secrets unusable: fix WEBHOOK_SECRETS / WEBHOOK_SECRETS_ARN", {
          reason: decision.reason,
          problem: decision.problem,
        });
        count(RECEIVER_METRICS.secretsInvalid);
        return answer(decision.status, decision.body);
      case "refuse": {
        if (decision.webhookId) logger.appendKeys({ webhook_id: decision.webhookId });
        logger.warn("webhook refused", { reason: decision.reason, status: decision.status });
        // Once with the service alone (what the WebhookRefused alarm reads), once by reason (for a person).
        count(RECEIVER_METRICS.refused);
        const byReason = metrics.singleMetric();
        byReason.addDimension(REFUSAL_REASON_DIMENSION, decision.reason);
        byReason.addMetric(RECEIVER_METRICS.refused, MetricUnit.Count, 1);
        return answer(decision.status, decision.body);
      }
      case "ignore":
        logger.appendKeys({ webhook_id: decision.webhookId });
        logger.info("webhook ignored", {
          event_type: decision.eventType,
          why: decision.why,
          ...decision.notes,
        });
        count(RECEIVER_METRICS.ignored);
        return answer(decision.status, decision.body);
      case "enqueue": {
        const { event } = decision;
        logger.appendKeys({ webhook_id: event.webhookId, order_id: String(event.orderId) });
        try {
          const sent = await enqueueOrderEvent(deps.sqs, deps.queueUrl, event);
          logger.info("event enqueued", {
            event_type: event.type,
            store_id: event.storeId,
            ...(event.receiptId !== undefined ? { receipt_id: event.receiptId } : {}),
            message_id: sent.messageId,
            // A payload id, where the store came from, a time we could not read: logged, never compared.
            ...decision.notes,
          });
          count(RECEIVER_METRICS.accepted);
          return answer(202, { status: "accepted", id: event.webhookId });
        } catch (error) {
          logger.error("SQS did not accept the order event", { error });
          count(RECEIVER_METRICS.enqueueFailed);
          return answer(503, UNAVAILABLE);
        }
      }
      default:
        return decision satisfies never;
    }
  } finally {
    // Published here rather than by the logMetrics middleware: a health check records no metric, and the
    // middleware would log a "no metrics" warning for each one.
    if (recordedMetric) metrics.publishStoredMetrics();
    // Correlation ids belong to this request only (the logger outlives it).
    logger.removeKeys(["webhook_id", "order_id"]);
  }
}

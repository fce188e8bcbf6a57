import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { loadReceiverConfig } from "../../lib/config/env";
import { createSecretsSource, type SecretsSource } from "../../lib/config/secrets";
import { createLogger, createMetrics } from "../../lib/observability/logger";
import { createSqsClient, enqueueOrderEvent } from "../../lib/queue/order-events";
import { decideWebhook, type JsonBody } from "../../lib/webhook/receive";

/**
 * Webhook receiver (Lambda Function URL, payload 2.0): verify, validate, enqueue, answer 202 only once SQS
 * accepted the message (design invariant 1). The decision is lib/webhook/receive.ts; this file does the I/O.
 */

const SERVICE_NAME = "webhook-receiver";

export const RECEIVER_METRICS = {
  accepted: "WebhookAccepted",
  refused: "WebhookRefused",
  ignored: "WebhookIgnored",
  enqueueFailed: "WebhookEnqueueFailed",
  /** No usable signing secret (none, or one too short): every delivery is answered 503 until it is fixed. */
  secretsInvalid: "WebhookSecretsInvalid",
} as const;

export type ReceiverDependencies = {
  sqs: SQSClient;
  queueUrl: string;
  secrets: SecretsSource;
  logger: Logger;
  metrics: Metrics;
  nowSeconds?: () => number;
};

function respond(
  status: number,
  body: JsonBody,
  headers: Record<string, string> = {},
): LambdaFunctionURLResult {
  return {
    statusCode: status,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

const UNAVAILABLE = { error: { code: "unavailable", message: "try again later" } };

/** The handler's logic with its collaborators injected (tests, the local runner). */
export function createReceiverHandler(
  dependencies: ReceiverDependencies | (() => ReceiverDependencies),
): (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult> {
  return async (event) => {
    let deps: ReceiverDependencies;
    try {
      deps = typeof dependencies === "function" ? dependencies() : dependencies;
    } catch (error) {
      // Misconfiguration: a 5xx so Acelérala keeps the event and retries once it is fixed.
      defaultLogger.error("receiver is misconfigured", { error });
      return respond(503, UNAVAILABLE);
    }
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
        return respond(503, UNAVAILABLE);
      }

      const decision = decideWebhook(
        {
          method: event.requestContext.http.method,
          path: event.rawPath,
          headers: event.headers ?? {},
          body: event.body,
          isBase64Encoded: event.isBase64Encoded,
        },
        secrets,
        now(),
      );

      switch (decision.kind) {
        case "reply":
          return respond(decision.status, decision.body, decision.allow ? { allow: decision.allow } : {});
        case "unavailable":
          // Names the secret by position only (decideWebhook never puts a value in `problem`).
          logger.error("webhook signing secrets unusable: fix WEBHOOK_SECRETS / WEBHOOK_SECRETS_ARN", {
            reason: decision.reason,
            problem: decision.problem,
          });
          count(RECEIVER_METRICS.secretsInvalid);
          return respond(decision.status, decision.body);
        case "refuse": {
          if (decision.webhookId) logger.appendKeys({ webhook_id: decision.webhookId });
          logger.warn("webhook refused", { reason: decision.reason, status: decision.status });
          const metric = metrics.singleMetric();
          metric.addDimension("reason", decision.reason);
          metric.addMetric(RECEIVER_METRICS.refused, MetricUnit.Count, 1);
          return respond(decision.status, decision.body);
        }
        case "ignore":
          logger.appendKeys({ webhook_id: decision.webhookId });
          logger.info("webhook ignored", {
            event_type: decision.eventType,
            why: decision.why,
            ...decision.notes,
          });
          count(RECEIVER_METRICS.ignored);
          return respond(decision.status, decision.body);
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
            return respond(202, { status: "accepted", id: event.webhookId });
          } catch (error) {
            logger.error("SQS did not accept the order event", { error });
            count(RECEIVER_METRICS.enqueueFailed);
            return respond(503, UNAVAILABLE);
          }
        }
      }
    } finally {
      if (recordedMetric) metrics.publishStoredMetrics();
      // Correlation ids belong to this request only (the logger outlives it).
      logger.removeKeys(["webhook_id", "order_id"]);
    }
  };
}

const defaultLogger = createLogger(SERVICE_NAME);
const defaultMetrics = createMetrics(SERVICE_NAME);

/** Built on first use and reused by later invocations of the same execution environment. */
let defaultDependencies: ReceiverDependencies | undefined;
function environmentDependencies(): ReceiverDependencies {
  if (!defaultDependencies) {
    const config = loadReceiverConfig(process.env);
    defaultDependencies = {
      // Region and (locally) AWS_ENDPOINT_URL_SQS come from the environment, which the SDK reads natively.
      sqs: createSqsClient(config.region),
      queueUrl: config.orderEventsQueueUrl,
      secrets: createSecretsSource(config),
      logger: defaultLogger,
      metrics: defaultMetrics,
    };
  }
  return defaultDependencies;
}

export const handler = middy<LambdaFunctionURLEvent, LambdaFunctionURLResult>(
  createReceiverHandler(environmentDependencies),
)
  // Metrics are flushed by the handler itself, only when it recorded one (a health check records none, and
  // the logMetrics middleware would log a warning for each).
  .use(injectLambdaContext(defaultLogger, { resetKeys: true }));

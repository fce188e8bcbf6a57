import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { createLogger, createMetrics } from "../../lib/observability/logger";
import { SERVICE_NAMES } from "../../lib/observability/metric-names";
import { oncePerEnvironment } from "../../lib/once-per-environment";
import {
  handleWebhookRequest,
  misconfigured,
  type ReceiverAnswer,
  type ReceiverDependencies,
  receiverDependencies,
} from "../../lib/webhook/handle-request";

/**
 * Webhook receiver (Lambda Function URL, payload 2.0): lib/webhook/handle-request.ts verifies, enqueues and
 * answers; this file turns the Function URL event into its request and its answer back. Its metrics are
 * published by lib/ (only when one was recorded), not by the logMetrics middleware.
 */

const logger = createLogger(SERVICE_NAMES.receiver);
const metrics = createMetrics(SERVICE_NAMES.receiver);

const toResult = (answer: ReceiverAnswer): LambdaFunctionURLResult => ({
  statusCode: answer.status,
  headers: answer.headers,
  body: answer.body,
});

/** The handler with its collaborators injected (tests, the local runner). */
export function createReceiverHandler(
  dependencies: () => Promise<ReceiverDependencies>,
): (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult> {
  return async (event) => {
    let deps: ReceiverDependencies;
    try {
      deps = await dependencies();
    } catch (error) {
      // Misconfiguration: a 5xx so Acelérala keeps the event and retries once it is fixed.
      return toResult(misconfigured(logger, error));
    }
    const request = {
      method: event.requestContext.http.method,
      path: event.rawPath,
      headers: event.headers ?? {},
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
    };
    return toResult(await handleWebhookRequest(request, deps));
  };
}

const dependencies = oncePerEnvironment(() => receiverDependencies(process.env, logger, metrics));

export const handler = middy(createReceiverHandler(dependencies)).use(
  injectLambdaContext(logger, { resetKeys: true }),
);

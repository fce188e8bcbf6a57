import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createLogger, createMetrics } from "../../lib/observability/logger";
import { SERVICE_NAMES } from "../../lib/observability/metric-names";
import { oncePerEnvironment } from "../../lib/once-per-environment";
import { processOrderEventBatch, workerDependencies } from "../../lib/worker/worker";

/**
 * Receipt worker (SQS FIFO event source, partial batch responses): lib/worker/worker.ts settles the batch within
 * the time the invocation has left; this file wires it to Lambda.
 */

const logger = createLogger(SERVICE_NAMES.worker);
const metrics = createMetrics(SERVICE_NAMES.worker);
const dependencies = oncePerEnvironment(() => workerDependencies(process.env, logger, metrics));

export const handler = middy(
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processOrderEventBatch(event.Records, context.getRemainingTimeInMillis(), await dependencies()),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

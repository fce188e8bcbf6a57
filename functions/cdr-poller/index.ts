import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, ScheduledEvent } from "aws-lambda";
import { createLogger, createMetrics } from "../../lib/observability/logger";
import { SERVICE_NAMES } from "../../lib/observability/metric-names";
import { oncePerEnvironment } from "../../lib/once-per-environment";
import { type PollRun, pollerDependencies, runPoller } from "../../lib/poller/poller";

/**
 * CDR poller (EventBridge, every minute): lib/poller/poller.ts mirrors SUNAT's answers of the receipts that are
 * due into DynamoDB within the time the invocation has left, then counts the overdue records.
 */

const logger = createLogger(SERVICE_NAMES.poller);
const metrics = createMetrics(SERVICE_NAMES.poller);
const dependencies = oncePerEnvironment(() => pollerDependencies(process.env, logger, metrics));

export const handler = middy(
  async (_event: ScheduledEvent, context: Context): Promise<PollRun> =>
    runPoller(context.getRemainingTimeInMillis(), await dependencies()),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

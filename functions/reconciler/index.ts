import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { ScheduledEvent } from "aws-lambda";
import { createLogger, createMetrics } from "../../lib/observability/logger";
import { SERVICE_NAMES } from "../../lib/observability/metric-names";
import { oncePerEnvironment } from "../../lib/once-per-environment";
import {
  type ReconcilerSummary,
  reconcileAllStores,
  reconcilerDependencies,
} from "../../lib/ops/reconcile-stores";

/**
 * Reconciler (EventBridge, every hour): lib/ops/reconcile-stores.ts runs `cpe reconcile --fix` for every store
 * over the look-back, and counts the credit notes owed for over a day.
 */

const logger = createLogger(SERVICE_NAMES.reconciler);
const metrics = createMetrics(SERVICE_NAMES.reconciler);
const dependencies = oncePerEnvironment(() => reconcilerDependencies(process.env, logger, metrics));

export const handler = middy(
  async (_event: ScheduledEvent): Promise<ReconcilerSummary> => reconcileAllStores(await dependencies()),
)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

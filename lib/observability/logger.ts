import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRICS_NAMESPACE, type MetricPoint } from "./metric-names";
import { redactingReplacer } from "./redact";

export { METRICS_NAMESPACE } from "./metric-names";

/**
 * The Powertools Logger every function uses: JSON to stdout, with the redacting replacer so secrets, tokens,
 * full document numbers and e-mails never reach a log line, whatever object is logged.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, jsonReplacerFn: redactingReplacer });
}

/** Powertools Metrics (CloudWatch EMF on stdout), one namespace for the whole system, one service per function. */
export function createMetrics(serviceName: string): Metrics {
  // Its own warnings go through a redacting logger too.
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger: createLogger(serviceName) });
}

/** Stores the points lib/ decided; the logMetrics middleware (or the handler) publishes them. */
export function recordMetrics(metrics: Metrics, points: readonly MetricPoint[]): void {
  for (const point of points) metrics.addMetric(point.name, MetricUnit[point.unit], point.value);
}

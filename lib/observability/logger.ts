import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { redactingReplacer } from "./redact";

/** CloudWatch namespace of every metric this system emits. */
export const METRICS_NAMESPACE = "AceleralaSunat";

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

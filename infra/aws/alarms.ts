import {
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cloudwatchActions,
  Duration,
  type aws_lambda as lambda,
  type aws_sns as sns,
  type aws_sqs as sqs,
} from "aws-cdk-lib";
import type { Construct } from "constructs";
import {
  METRICS_NAMESPACE,
  POLLER_METRICS,
  RECEIVER_METRICS,
  RECONCILER_METRICS,
  SERVICE_DIMENSION,
  SERVICE_NAMES,
  WORKER_METRICS,
} from "../../lib/observability/metric-names";
import { OVERDUE_LIMITS } from "../../lib/ops/overdue-records";

/**
 * Every alarm of the stack, each on the SNS topic, with what it means and what to run in its description (the
 * README's alarm table says the same, and a test keeps the two lists equal). Metric names come from
 * lib/observability/metric-names.ts, the module the functions emit them with.
 */

/** The DLQ's oldest message is older than this: the next step is losing it (the DLQ keeps 14 days). */
export const DLQ_OLDEST_MESSAGE_SECONDS = 24 * 3_600;
/** WebhookRefused alarms above this share of deliveries (percent) … */
export const WEBHOOK_REFUSED_MAX_PERCENT = 10;
/** … once at least this many were refused in the period (a stray unsigned request is no rotation gone wrong). */
export const WEBHOOK_REFUSED_MIN_COUNT = 5;
export const WEBHOOK_REFUSED_PERIOD = Duration.minutes(15);
/** CdrPollErrors alarms when polls fail in this many consecutive 5-minute periods (a blip is retried). */
export const CDR_POLL_ERROR_PERIODS = 3;

export interface AlarmedResources {
  topic: sns.ITopic;
  deadLetterQueue: sqs.IQueue;
  receiver: lambda.IFunction;
  worker: lambda.IFunction;
  poller: lambda.IFunction;
  reconciler: lambda.IFunction;
  console: lambda.IFunction;
}

interface AlarmSpec {
  metric: cloudwatch.IMetric;
  description: string;
  threshold?: number;
  evaluationPeriods?: number;
  /**
   * Counters are emitted only when something happened: no data is "nothing happened". The overdue gauges are
   * emitted on every run: no data means the function that counts them is not running, which is a breach.
   */
  missing?: cloudwatch.TreatMissingData;
}

export function createAlarms(
  scope: Construct,
  resources: AlarmedResources,
): Record<string, cloudwatch.Alarm> {
  const action = new cloudwatchActions.SnsAction(resources.topic);
  const fiveMinutes = Duration.minutes(5);
  const appMetric = (
    service: string,
    metricName: string,
    statistic: string = cloudwatch.Stats.SUM,
    period: Duration = fiveMinutes,
  ) =>
    new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { [SERVICE_DIMENSION]: service },
      statistic,
      period,
    });
  const gauge = (service: string, metricName: string, period: Duration = fiveMinutes) =>
    appMetric(service, metricName, cloudwatch.Stats.MAXIMUM, period);
  const minutes = (ms: number) => Math.round(ms / 60_000);

  const specs: Record<string, AlarmSpec> = {
    // ---- the states an order can get stuck in
    OverdueReserved: {
      metric: gauge(SERVICE_NAMES.poller, POLLER_METRICS.overdueReserved),
      description:
        `A receipt number has been RESERVED for over ${minutes(OVERDUE_LIMITS.reservedMs)} minutes: ` +
        "a POST may have landed and the worker cannot resolve it (the API failing for the order, or its event in " +
        "the DLQ). The poller's log names the orders: npm run -s cpe -- status ORDER --aws; then dlq peek/replay.",
      missing: cloudwatch.TreatMissingData.BREACHING,
    },
    OverdueNeedsAttention: {
      metric: gauge(SERVICE_NAMES.poller, POLLER_METRICS.overdueNeedsAttention),
      description:
        `A receipt or credit note has been NEEDS_ATTENTION for over ${minutes(OVERDUE_LIMITS.needsAttentionMs)} ` +
        "minutes: the order breaks a rule, the API refused it, or what landed differs. " +
        "npm run -s cpe -- receipts --state NEEDS_ATTENTION --aws; fix the order, then cpe resend ORDER --aws.",
      missing: cloudwatch.TreatMissingData.BREACHING,
    },
    OverdueSubmitted: {
      metric: gauge(SERVICE_NAMES.poller, POLLER_METRICS.overdueSubmitted),
      description:
        `A receipt has been SUBMITTED for over ${Math.round(OVERDUE_LIMITS.submittedMs / 3_600_000)} hours, past ` +
        "the STALE limit: the poller is not finishing receipts (not running, or its writes failing). Check the " +
        "CdrPoller's logs and errors; npm run -s cpe -- receipts --state SUBMITTED --aws.",
      missing: cloudwatch.TreatMissingData.BREACHING,
    },
    OverdueCreditNotes: {
      // The reconciler counts them hourly: a 2-hour period holds two runs, so one late run is no breach.
      metric: gauge(SERVICE_NAMES.reconciler, RECONCILER_METRICS.overdueCreditNotes, Duration.hours(2)),
      description:
        `A cancelled or refunded order has owed a credit note on its accepted receipt for over ` +
        `${Math.round(OVERDUE_LIMITS.creditNoteOwedMs / 3_600_000)} hours (the reconciler's log names it). ` +
        "npm run -s cpe -- reconcile --store ID --since DATE --aws shows what is owed; --fix enqueues it.",
      missing: cloudwatch.TreatMissingData.BREACHING,
    },
    DlqOldestMessage: {
      metric: resources.deadLetterQueue.metricApproximateAgeOfOldestMessage({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: fiveMinutes,
      }),
      threshold: DLQ_OLDEST_MESSAGE_SECONDS,
      description:
        "A message has waited in the DLQ for over a day; it is lost when the DLQ's 14 days run out. " +
        "npm run -s cpe -- dlq peek --aws, fix the cause, then npm run -s cpe -- dlq replay --aws.",
    },
    DlqHasMessages: {
      metric: resources.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      description:
        "Order events gave up after all retries and wait in the DLQ: an order may have no receipt. " +
        "Inspect, fix, then replay (npm run -s cpe -- dlq replay --aws).",
    },
    CdrStale: {
      metric: appMetric(SERVICE_NAMES.poller, POLLER_METRICS.stale),
      description: "A submitted receipt got no SUNAT answer (CDR) in time and was marked STALE.",
    },
    ReceiptsRejected: {
      metric: new cloudwatch.MathExpression({
        expression: "FILL(worker, 0) + FILL(poller, 0)",
        usingMetrics: {
          worker: appMetric(SERVICE_NAMES.worker, WORKER_METRICS.rejected),
          poller: appMetric(SERVICE_NAMES.poller, POLLER_METRICS.rejected),
        },
        period: fiveMinutes,
        label: "Receipts rejected by SUNAT",
      }),
      description: "SUNAT rejected a receipt (worker or poller): it needs a credit note or a correction.",
    },
    // ---- the receiver
    WebhookRefused: {
      metric: new cloudwatch.MathExpression({
        expression:
          `IF(FILL(refused, 0) >= ${WEBHOOK_REFUSED_MIN_COUNT}, ` +
          "100 * FILL(refused, 0) / (FILL(refused, 0) + FILL(accepted, 0) + FILL(ignored, 0)), 0)",
        usingMetrics: {
          refused: appMetric(
            SERVICE_NAMES.receiver,
            RECEIVER_METRICS.refused,
            cloudwatch.Stats.SUM,
            WEBHOOK_REFUSED_PERIOD,
          ),
          accepted: appMetric(
            SERVICE_NAMES.receiver,
            RECEIVER_METRICS.accepted,
            cloudwatch.Stats.SUM,
            WEBHOOK_REFUSED_PERIOD,
          ),
          ignored: appMetric(
            SERVICE_NAMES.receiver,
            RECEIVER_METRICS.ignored,
            cloudwatch.Stats.SUM,
            WEBHOOK_REFUSED_PERIOD,
          ),
        },
        period: WEBHOOK_REFUSED_PERIOD,
        label: "Share of webhook deliveries refused (%)",
      }),
      threshold: WEBHOOK_REFUSED_MAX_PERCENT,
      description:
        `Over ${WEBHOOK_REFUSED_MAX_PERCENT} % of webhook deliveries were refused (401 bad signature, stale ` +
        "timestamp, 400 …): a secret rotation gone wrong, or someone probing the URL. The receiver's log says why " +
        "(WebhookRefused by reason); compare WebhookSecretsArn with the secret at Acelérala (README: Rotating secrets).",
    },
    WebhookEnqueueFailed: {
      metric: appMetric(SERVICE_NAMES.receiver, RECEIVER_METRICS.enqueueFailed),
      description: "The receiver could not enqueue an order event (it answered 503; Acelérala retries).",
    },
    WebhookSecretsInvalid: {
      metric: appMetric(SERVICE_NAMES.receiver, RECEIVER_METRICS.secretsInvalid),
      description:
        "The receiver has no usable webhook signing secret (none, or one under 24 bytes: its log names which by " +
        "position): it answers 503 to every delivery until WebhookSecretsArn is fixed. Acelérala retries.",
    },
    ReceiverUrl5xx: {
      metric: new cloudwatch.Metric({
        namespace: "AWS/Lambda",
        metricName: "Url5xxCount",
        dimensionsMap: { FunctionName: resources.receiver.functionName },
        statistic: cloudwatch.Stats.SUM,
        period: fiveMinutes,
      }),
      description:
        "The receiver's Function URL answered 5xx: a missing or malformed webhook secret, a misconfiguration " +
        "or an SQS failure. Acelérala retries, but nothing is being accepted meanwhile.",
    },
    // ---- the poller and the reconciler
    CdrPollErrors: {
      metric: appMetric(SERVICE_NAMES.poller, POLLER_METRICS.errors),
      evaluationPeriods: CDR_POLL_ERROR_PERIODS,
      description:
        `CDR polls failed in ${CDR_POLL_ERROR_PERIODS} consecutive 5-minute periods: Acelérala is down or refuses ` +
        "the store's credentials (the poller's log names the store). Failed polls count towards STALE.",
    },
    MissedOrdersEnqueued: {
      metric: appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.missedEnqueued),
      description:
        "The hourly reconciler found paid orders without a receipt (their webhook was missed) and enqueued " +
        "them. Check the webhook subscription (npm run -s cpe -- webhooks list --aws) and the receiver.",
    },
    ReconcileEnqueueFailures: {
      metric: appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.enqueueFailures),
      description:
        "The reconciler found orders to enqueue and SQS refused them: they wait for the next hourly run. " +
        "Check the queue, then npm run -s cpe -- reconcile --store ID --since DATE --fix --aws.",
    },
    ReconcileStoreFailures: {
      metric: appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.storeFailures),
      description:
        "The reconciler could not check a store (its credentials, or the API): missed webhooks of that store " +
        "are not being caught. Its log names the store; check its entry in AceleralaCredentialsArn.",
    },
    ReceiptsDoNotMatchOrders: {
      metric: new cloudwatch.MathExpression({
        expression: "FILL(orphans, 0) + FILL(amounts, 0) + FILL(outside, 0)",
        usingMetrics: {
          orphans: appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.receiptsWithoutOrder),
          amounts: appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.amountMismatches),
          outside: appMetric(SERVICE_NAMES.reconciler, RECONCILER_METRICS.issuedOutside),
        },
        period: fiveMinutes,
        label: "Receipts that do not match their orders",
      }),
      description:
        "The reconciler found a receipt without an order (or a second one for an order), a receipt whose " +
        "amount differs from its order, or a receipt issued outside this system: a person must look " +
        "(npm run -s cpe -- reconcile --aws).",
    },
  };

  const functions = {
    Receiver: resources.receiver,
    Worker: resources.worker,
    Poller: resources.poller,
    Reconciler: resources.reconciler,
    Console: resources.console,
  };
  for (const [name, fn] of Object.entries(functions)) {
    specs[`${name}Errors`] = {
      metric: fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      description: `The ${name.toLowerCase()} function failed (an invocation error, not a handled failure).`,
    };
    specs[`${name}Throttles`] = {
      metric: fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      description: `The ${name.toLowerCase()} function was throttled (account or reserved concurrency exhausted).`,
    };
  }

  const alarms: Record<string, cloudwatch.Alarm> = {};
  for (const [id, spec] of Object.entries(specs)) {
    const evaluationPeriods = spec.evaluationPeriods ?? 1;
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric: spec.metric,
      threshold: spec.threshold ?? 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: spec.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(action);
    alarms[id] = alarm;
  }
  return alarms;
}

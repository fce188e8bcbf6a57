/**
 * Every custom metric this system emits, by the function that emits it: the handlers write them (through
 * lib/), the CDK stack's alarms read them. One module with no dependencies, so the stack imports names, not
 * handlers (importing a handler would run its logger and metrics set-up at synth time).
 */

/** CloudWatch namespace of every metric this system emits. */
export const METRICS_NAMESPACE = "AceleralaSunat";

/** The Powertools `service` of each function: the dimension every one of its metrics carries. */
export const SERVICE_NAMES = {
  receiver: "webhook-receiver",
  worker: "receipt-worker",
  poller: "cdr-poller",
  reconciler: "reconciler",
  /** The merchant's web console: it logs, and emits no custom metric. */
  console: "console",
} as const;

/** The dimension name Powertools Metrics gives the service (`serviceName`) in every EMF record. */
export const SERVICE_DIMENSION = "service";

export const RECEIVER_METRICS = {
  accepted: "WebhookAccepted",
  /** Emitted twice per refusal: once with the service alone (the alarm's), once with a `reason` dimension. */
  refused: "WebhookRefused",
  ignored: "WebhookIgnored",
  enqueueFailed: "WebhookEnqueueFailed",
  /** No usable signing secret (none, or one too short): every delivery is answered 503 until it is fixed. */
  secretsInvalid: "WebhookSecretsInvalid",
} as const;

/** The dimension that says why a webhook was refused (bad_signature, stale_timestamp, …). */
export const REFUSAL_REASON_DIMENSION = "reason";

export const WORKER_METRICS = {
  issued: "ReceiptsIssued",
  accepted: "ReceiptsAccepted",
  /** Order event queued → receipt ACCEPTED, when SUNAT answered within the POST (else the poller emits it). */
  acceptedLatency: "WebhookToAcceptedLatency",
  rejected: "ReceiptsRejected",
  duplicate: "DuplicateEventsIgnored",
  needsAttention: "ReceiptsNeedingAttention",
  skipped: "OrdersSkipped",
  retried: "ReceiptRetries",
  exhausted: "ReceiptRetriesExhausted",
  /** A message returned unprocessed because too little of the invocation was left to finish it safely. */
  deferred: "MessagesDeferred",
  /** A receipt event that changed nothing (no record waiting for it, already final, no answer yet). */
  receiptEventUnchanged: "ReceiptEventsUnchanged",
  /** Credit notes POSTed and landed (a cancellation or a refund of an accepted receipt). */
  creditNotesIssued: "CreditNotesIssued",
  /** Credit notes owed but not issued yet (the receipt waits for SUNAT, or a transient failure). */
  creditNotesNeeded: "CreditNotesNeeded",
} as const;

export const POLLER_METRICS = {
  accepted: "ReceiptsAccepted",
  /** Order event queued → receipt ACCEPTED (the worker emits it for answers that came with the POST). */
  acceptedLatency: "WebhookToAcceptedLatency",
  rejected: "ReceiptsRejected",
  pending: "CdrPending",
  /** SUNAT answered with an exception (0100–1999): not final, polled again. */
  exceptions: "CdrSunatExceptions",
  stale: "CdrStale",
  errors: "CdrPollErrors",
  /** Gauges (each run): records RESERVED for longer than the limit (lib/ops/overdue-records.ts). */
  overdueReserved: "OverdueReserved",
  /** Gauge: records NEEDS_ATTENTION for longer than the limit. */
  overdueNeedsAttention: "OverdueNeedsAttention",
  /** Gauge: records still SUBMITTED longer after submission than the poller's STALE limit allows. */
  overdueSubmitted: "OverdueSubmitted",
} as const;

export const RECONCILER_METRICS = {
  missedEnqueued: "MissedOrdersEnqueued",
  issuedOutside: "OrdersIssuedOutside",
  receiptsWithoutOrder: "ReceiptsWithoutOrder",
  amountMismatches: "ReceiptAmountMismatches",
  enqueueFailures: "ReconcileEnqueueFailures",
  storeFailures: "ReconcileStoreFailures",
  /** Orders owing a credit note (cancelled or refunded, sale receipt accepted), enqueued for the worker. */
  creditNotesOwedEnqueued: "CreditNotesOwedEnqueued",
  /** Gauge (each run): orders that have owed a credit note for longer than the limit. */
  overdueCreditNotes: "OverdueCreditNotes",
} as const;

export type MetricUnitName = "Count" | "Milliseconds";

/** One value of one metric, as lib/ decides it; the handler's Powertools Metrics writes it. */
export interface MetricPoint {
  name: string;
  unit: MetricUnitName;
  value: number;
}

export const count = (name: string, value = 1): MetricPoint => ({ name, unit: "Count", value });
export const milliseconds = (name: string, value: number): MetricPoint => ({
  name,
  unit: "Milliseconds",
  value,
});

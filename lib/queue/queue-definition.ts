import { visibilityTimeoutSeconds, workerTimeoutSeconds } from "../time-budget";

/**
 * The one definition of the order-events queue and its dead-letter queue, shared by the CDK stack
 * (infra/aws) and the local stack (infra/local), so redrive and timeouts are the same everywhere.
 */
export const ORDER_EVENTS_QUEUE = {
  /** FIFO: one message group per store and order, so events of one order are processed in order. */
  name: "acelerala-sunat-order-events.fifo",
  deadLetterName: "acelerala-sunat-order-events-dlq.fifo",
  /** After this many receives without success a message moves to the DLQ. */
  maxReceiveCount: 5,
  /** 6 × the worker's timeout (AWS guidance for SQS event sources): 300 s. */
  visibilityTimeoutSeconds: visibilityTimeoutSeconds(),
  /** One message's worst case (four sequential calls to Acelérala at their timeout, DynamoDB) and a margin: 50 s. */
  workerTimeoutSeconds: workerTimeoutSeconds(),
  retentionPeriodDays: 4,
  deadLetterRetentionPeriodDays: 14,
  /** Event-source-mapping settings for the worker. */
  batchSize: 10,
  maximumConcurrency: 2,
} as const;

/** Message group: all events of one order share a group, so they are handled one at a time, in order. */
export function messageGroupId(storeId: number | string, orderId: number | string): string {
  return `${storeId}#${orderId}`;
}

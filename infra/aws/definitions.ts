import { Duration, aws_dynamodb as dynamodb } from "aws-cdk-lib";
import { ORDER_EVENTS_QUEUE } from "../../lib/queue/queue-definition";
import { RECEIPTS_TABLE } from "../../lib/store/table-definition";

/**
 * Maps the shared definitions (lib/store/table-definition.ts, lib/queue/queue-definition.ts) to CDK types.
 * The stack never restates a key name, a count or a timeout: it reads them through this module, so the
 * deployed table and queues are the ones the local stack and the code were written against.
 */

type KeyDefinition = { readonly name: string; readonly type: "S" | "N" | "B" };

const ATTRIBUTE_TYPES: Record<KeyDefinition["type"], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

export function tableAttribute(key: KeyDefinition): dynamodb.Attribute {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

/** Keys, TTL, the sparse pending-CDR index and the state index of the receipts table, as CDK props. */
export const receiptsTableShape = {
  tableName: RECEIPTS_TABLE.defaultName,
  partitionKey: tableAttribute(RECEIPTS_TABLE.partitionKey),
  sortKey: tableAttribute(RECEIPTS_TABLE.sortKey),
  timeToLiveAttribute: RECEIPTS_TABLE.timeToLiveAttribute,
  pendingCdrIndex: {
    indexName: RECEIPTS_TABLE.pendingCdrIndex.indexName,
    partitionKey: tableAttribute(RECEIPTS_TABLE.pendingCdrIndex.partitionKey),
    sortKey: tableAttribute(RECEIPTS_TABLE.pendingCdrIndex.sortKey),
    // Only what the poller reads, as the local table does.
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: [...RECEIPTS_TABLE.pendingCdrIndex.projectedAttributes] as string[],
  },
  stateIndex: {
    indexName: RECEIPTS_TABLE.stateIndex.indexName,
    partitionKey: tableAttribute(RECEIPTS_TABLE.stateIndex.partitionKey),
    sortKey: tableAttribute(RECEIPTS_TABLE.stateIndex.sortKey),
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: [...RECEIPTS_TABLE.stateIndex.projectedAttributes] as string[],
  },
};

/** The order-events queue, its DLQ and the worker's event-source mapping, as CDK values. */
export const orderEventsQueueShape = {
  queueName: ORDER_EVENTS_QUEUE.name,
  deadLetterQueueName: ORDER_EVENTS_QUEUE.deadLetterName,
  maxReceiveCount: ORDER_EVENTS_QUEUE.maxReceiveCount,
  visibilityTimeout: Duration.seconds(ORDER_EVENTS_QUEUE.visibilityTimeoutSeconds),
  retentionPeriod: Duration.days(ORDER_EVENTS_QUEUE.retentionPeriodDays),
  deadLetterRetentionPeriod: Duration.days(ORDER_EVENTS_QUEUE.deadLetterRetentionPeriodDays),
  workerTimeout: Duration.seconds(ORDER_EVENTS_QUEUE.workerTimeoutSeconds),
  batchSize: ORDER_EVENTS_QUEUE.batchSize,
  defaultMaximumConcurrency: ORDER_EVENTS_QUEUE.maximumConcurrency,
} as const;

/**
 * AWS guidance for SQS event sources: visibility ≥ 6 × the function timeout, or batches are redelivered. Stated
 * here again (lib/time-budget.ts derives the two from it) so the check does not share the code it checks.
 */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

export function assertVisibilityCoversWorker(
  visibility: Duration = orderEventsQueueShape.visibilityTimeout,
  workerTimeout: Duration = orderEventsQueueShape.workerTimeout,
): void {
  if (visibility.toSeconds() < VISIBILITY_TO_TIMEOUT_RATIO * workerTimeout.toSeconds()) {
    throw new Error(
      `ORDER_EVENTS_QUEUE.visibilityTimeoutSeconds (${visibility.toSeconds()}) must be at least ` +
        `${VISIBILITY_TO_TIMEOUT_RATIO} × workerTimeoutSeconds (${workerTimeout.toSeconds()})`,
    );
  }
}

// Trivial SQS handlers for the event-source tests. They report what they saw in their result, which the
// event source hands to the test through onBatchSettled.
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

export interface BatchReport extends SQSBatchResponse {
  pid: number;
  startedAt: number;
  endedAt: number;
  records: Array<{ messageId: string; body: string; receiveCount: string; groupId?: string }>;
}

function report(event: SQSEvent, startedAt: number, failedIds: string[]): BatchReport {
  return {
    batchItemFailures: failedIds.map((itemIdentifier) => ({ itemIdentifier })),
    pid: process.pid,
    startedAt,
    endedAt: Date.now(),
    records: event.Records.map((record) => ({
      messageId: record.messageId,
      body: record.body,
      receiveCount: record.attributes.ApproximateReceiveCount,
      groupId: record.attributes.MessageGroupId,
    })),
  };
}

/** Fails exactly the records whose body is "fail". */
export async function partialFailure(event: SQSEvent): Promise<BatchReport> {
  const startedAt = Date.now();
  const failed = event.Records.filter((record) => record.body === "fail").map((record) => record.messageId);
  return report(event, startedAt, failed);
}

/** The first time it sees a "crash" record, the environment exits in the middle of the batch. */
export async function crashOnFirstDelivery(event: SQSEvent): Promise<BatchReport> {
  const startedAt = Date.now();
  for (const record of event.Records) {
    if (record.body === "crash" && record.attributes.ApproximateReceiveCount === "1") process.exit(1);
  }
  return report(event, startedAt, []);
}

/** Holds each batch for SLOW_BATCH_MS so that concurrency can be observed. */
export async function slowBatch(event: SQSEvent): Promise<BatchReport> {
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.SLOW_BATCH_MS ?? 400)));
  return report(event, startedAt, []);
}

/** Names an id that is not in the batch: AWS then fails the whole batch. */
export async function unknownItemIdentifier(event: SQSEvent): Promise<SQSBatchResponse> {
  return { batchItemFailures: [{ itemIdentifier: `not-${event.Records[0]?.messageId}` }] };
}

/** Returns the event exactly as it arrived, so a test can check its shape. */
export async function returnEvent(event: SQSEvent): Promise<{ event: SQSEvent }> {
  return { event };
}

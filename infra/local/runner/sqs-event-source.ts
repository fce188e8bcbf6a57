import { setTimeout as sleep } from "node:timers/promises";
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, type LocalLog } from "../aws-local-constants";
import { queueArn as readQueueArn } from "../sqs-local";
import type { InvocationOutcome, LambdaFunction } from "./lambda-function";

export interface SqsEventSourceOptions {
  function: LambdaFunction;
  queueUrl: string;
  /** The SQS endpoint (AWS_ENDPOINT_URL_SQS of the local stack). */
  endpoint: string;
  region?: string;
  /** Messages per invocation, 1–10. Default 10. */
  batchSize?: number;
  /** Batches in flight at once (the event source mapping's MaximumConcurrency). Default 2. */
  maximumConcurrency?: number;
  /** Long-polling wait, 0–20 s. Default 20. */
  waitTimeSeconds?: number;
  /** Honour `batchItemFailures` in the handler's result (FunctionResponseTypes: ReportBatchItemFailures). Default true. */
  reportBatchItemFailures?: boolean;
  log?: LocalLog;
  /** Called after each batch has been settled with the queue (observability, tests). */
  onBatchSettled?: (settled: SettledBatch) => void;
}

export interface SettledBatch {
  messageIds: string[];
  /** Deleted from the queue. */
  deletedMessageIds: string[];
  /** Left on the queue: they become visible again when their visibility timeout ends. */
  returnedMessageIds: string[];
  outcome: InvocationOutcome;
}

export interface SqsEventSource {
  /** Stops polling (open long polls are aborted), waits for batches in flight to be settled. */
  stop(): Promise<void>;
}

/**
 * Polls a queue and invokes the function with SQS events, like a Lambda event source mapping:
 * - `maximumConcurrency` pollers, each with at most one batch in flight;
 * - a successful invocation deletes the whole batch, except the items named in `batchItemFailures`;
 * - a failed invocation (error, timeout, crash) deletes nothing;
 * - messages not deleted are NOT made visible early: like AWS, the runner leaves them invisible until the queue's
 *   visibility timeout ends, so ApproximateReceiveCount and the redrive to the DLQ behave as in production.
 * FIFO: the queue itself withholds a message group while one of its messages is in flight (verified for fauxqs
 * in test/integration/local), so two batches never carry the same group at once.
 */
export async function startSqsEventSource(options: SqsEventSourceOptions): Promise<SqsEventSource> {
  const region = options.region ?? LOCAL_AWS_REGION;
  const batchSize = options.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new Error(`batchSize must be an integer from 1 to 10, got ${batchSize}`);
  }
  const client = new SQSClient({ region, endpoint: options.endpoint, credentials: LOCAL_AWS_CREDENTIALS });
  const eventSourceArn = await readQueueArn(client, options.queueUrl);
  const abort = new AbortController();
  let stopping = false;

  const settle = async (messages: Message[], outcome: InvocationOutcome): Promise<void> => {
    const messageIds = messages.map((message) => message.MessageId ?? "");
    const failedIds = outcome.ok
      ? failedItemIdentifiers(outcome.result, messageIds, options)
      : new Set(messageIds);
    const toDelete = messages.filter((message) => !failedIds.has(message.MessageId ?? ""));
    if (toDelete.length > 0) {
      const { Failed } = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: toDelete.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      for (const failure of Failed ?? [])
        options.log?.(`DeleteMessageBatch failed: ${failure.Code} ${failure.Message}`);
    }
    options.onBatchSettled?.({
      messageIds,
      deletedMessageIds: toDelete.map((message) => message.MessageId ?? ""),
      returnedMessageIds: [...failedIds],
      outcome,
    });
  };

  const poll = async (): Promise<void> => {
    while (!stopping) {
      let messages: Message[];
      try {
        const received = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: options.waitTimeSeconds ?? 20,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: abort.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (stopping) return;
        options.log?.(`ReceiveMessage failed: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(1_000);
        continue;
      }
      if (messages.length === 0) continue;
      const outcome = await options.function.invoke(toSqsEvent(messages, eventSourceArn, region));
      if (!outcome.ok) {
        options.log?.(
          `${options.function.name} failed a batch of ${messages.length}: ${outcome.error.message}`,
        );
      }
      try {
        await settle(messages, outcome);
      } catch (error) {
        // Undeleted messages come back after their visibility timeout: at-least-once, nothing lost.
        options.log?.(`Settling a batch failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  const pollers = Array.from({ length: options.maximumConcurrency ?? 2 }, () => poll());
  return {
    async stop() {
      stopping = true;
      abort.abort();
      await Promise.allSettled(pollers);
      client.destroy();
    },
  };
}

/**
 * Message ids to leave on the queue. AWS treats a missing or empty `batchItemFailures` as complete success and
 * an unusable one (identifier empty, not a string, or not in the batch) as complete failure.
 */
function failedItemIdentifiers(
  result: unknown,
  messageIds: string[],
  options: Pick<SqsEventSourceOptions, "reportBatchItemFailures" | "log">,
): Set<string> {
  if (options.reportBatchItemFailures === false) return new Set();
  const failures = (result as Partial<SQSBatchResponse> | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  const all = new Set(messageIds);
  if (!Array.isArray(failures)) {
    options.log?.("batchItemFailures is not an array: the whole batch is treated as failed");
    return all;
  }
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const identifier = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof identifier !== "string" || !all.has(identifier)) {
      options.log?.(
        `batchItemFailures names an unknown itemIdentifier (${String(identifier)}): whole batch failed`,
      );
      return all;
    }
    failed.add(identifier);
  }
  return failed;
}

export function toSqsEvent(messages: Message[], eventSourceArn: string, awsRegion: string): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, eventSourceArn, awsRegion)) };
}

function toSqsRecord(message: Message, eventSourceArn: string, awsRegion: string): SQSRecord {
  const system = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? "1",
      SentTimestamp: system.SentTimestamp ?? "",
      SenderId: system.SenderId ?? "",
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? "",
      ...(system.SequenceNumber ? { SequenceNumber: system.SequenceNumber } : {}),
      ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
      ...(system.MessageDeduplicationId ? { MessageDeduplicationId: system.MessageDeduplicationId } : {}),
    },
    messageAttributes: toRecordAttributes(message.MessageAttributes ?? {}),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: eventSourceArn,
    awsRegion,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** The event's attribute shape: camelCase, binary values base64-encoded, the reserved list fields empty. */
function toRecordAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        dataType: value.DataType ?? "String",
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined
          ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }
          : {}),
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );
}

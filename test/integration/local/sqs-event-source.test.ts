import { createHash, randomUUID } from "node:crypto";
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type LambdaFunction, startLambdaFunction } from "../../../infra/local/runner/lambda-function";
import {
  type SettledBatch,
  type SqsEventSource,
  startSqsEventSource,
} from "../../../infra/local/runner/sqs-event-source";
import { createOrderEventsQueues, type QueuePair } from "../../../infra/local/sqs-local";
import { localAwsEnv, localClientConfig } from "../../support/local-stack";
import type { BatchReport } from "./handlers/sqs";

const HANDLERS = "test/integration/local/handlers";
const sqs = new SQSClient(localClientConfig("sqs"));
let running: { source?: SqsEventSource; fn?: LambdaFunction }[] = [];

afterEach(async () => {
  for (const { source, fn } of running) {
    await source?.stop();
    await fn?.stop();
  }
  running = [];
});
afterAll(() => sqs.destroy());

/** Test-specific queues with a 1 s visibility timeout and 2 receives before the DLQ. */
function testQueues(): Promise<QueuePair> {
  const id = randomUUID().slice(0, 8);
  return createOrderEventsQueues(sqs, {
    name: `esm-${id}.fifo`,
    deadLetterName: `esm-${id}-dlq.fifo`,
    visibilityTimeoutSeconds: 1,
    maxReceiveCount: 2,
  });
}

async function sendAll(queueUrl: string, bodies: Array<{ body: string; group: string }>): Promise<string[]> {
  const ids: string[] = [];
  for (const { body, group } of bodies) {
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: randomUUID(),
        MessageAttributes: { eventType: { DataType: "String", StringValue: "orders.updated.placed" } },
      }),
    );
    ids.push(MessageId ?? "");
  }
  return ids;
}

async function start(
  queues: QueuePair,
  handler: string,
  options: {
    batchSize?: number;
    maximumConcurrency?: number;
    concurrency?: number;
    env?: Record<string, string>;
  } = {},
): Promise<SettledBatch[]> {
  const settled: SettledBatch[] = [];
  const fn = startLambdaFunction({
    name: "worker",
    handler: `${HANDLERS}/${handler}`,
    timeoutSeconds: 10,
    concurrency: options.concurrency ?? 2,
    env: options.env,
    output: () => {},
  });
  const source = await startSqsEventSource({
    function: fn,
    queueUrl: queues.queueUrl,
    endpoint: localAwsEnv().AWS_ENDPOINT_URL_SQS,
    batchSize: options.batchSize ?? 10,
    maximumConcurrency: options.maximumConcurrency ?? 1,
    waitTimeSeconds: 1,
    onBatchSettled: (batch) => settled.push(batch),
  });
  running.push({ source, fn });
  return settled;
}

async function receiveAll(queueUrl: string): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return Messages ?? [];
}

async function queueCounts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

function report(batch: SettledBatch): BatchReport {
  if (!batch.outcome.ok) throw new Error(`batch failed: ${batch.outcome.error.message}`);
  return batch.outcome.result as BatchReport;
}

describe("the SQS event source", () => {
  it("deletes the successful items, returns the reported failure, and the DLQ gets it after maxReceiveCount", async () => {
    const queues = await testQueues();
    const [ok1, failing, ok2] = await sendAll(queues.queueUrl, [
      { body: "ok-1", group: "511#1" },
      { body: "fail", group: "511#2" },
      { body: "ok-2", group: "511#3" },
    ]);
    const settled = await start(queues, "sqs.ts#partialFailure");
    const dead: Message[] = [];
    const deadLetterCount = async () => {
      dead.push(...(await receiveAll(queues.deadLetterQueueUrl)));
      return dead.length;
    };
    await expect.poll(deadLetterCount, { timeout: 15_000 }).toBe(1);
    expect(dead[0]?.Body).toBe("fail");
    const first = settled[0];
    expect(first?.messageIds.sort()).toEqual([ok1, failing, ok2].sort());
    expect(first?.deletedMessageIds.sort()).toEqual([ok1, ok2].sort());
    expect(first?.returnedMessageIds).toEqual([failing]);
    // The failed message came back alone, once more, before moving to the DLQ.
    const deliveriesOfFailing = settled.flatMap((batch) =>
      report(batch).records.filter((record) => record.messageId === failing),
    );
    expect(deliveriesOfFailing.map((record) => record.receiveCount)).toEqual(["1", "2"]);
    const everyOkDelivery = settled
      .flatMap((batch) => report(batch).records)
      .filter((r) => r.body.startsWith("ok"));
    expect(everyOkDelivery).toHaveLength(2); // Deleted after the first delivery: never seen again.
    expect(await queueCounts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("hands the handler SQS records in Lambda's shape", async () => {
    const queues = await testQueues();
    const [messageId] = await sendAll(queues.queueUrl, [{ body: "ok", group: "511#9" }]);
    const settled = await start(queues, "sqs.ts#returnEvent");
    await expect.poll(() => settled.length, { timeout: 10_000 }).toBe(1);
    const { event } = (settled[0]?.outcome.ok ? settled[0].outcome.result : {}) as { event: SQSEvent };
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toEqual({
      messageId,
      receiptHandle: expect.any(String),
      body: "ok",
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
        SequenceNumber: expect.any(String),
        MessageGroupId: "511#9",
        MessageDeduplicationId: expect.any(String),
      },
      messageAttributes: {
        eventType: {
          dataType: "String",
          stringValue: "orders.updated.placed",
          stringListValues: [],
          binaryListValues: [],
        },
      },
      md5OfBody: createHash("md5").update("ok").digest("hex"),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: "aws:sqs",
      eventSourceARN: queues.queueArn,
      awsRegion: "us-east-1",
    });
  });

  it("returns the whole batch when the environment crashes in the middle of it, then processes it in a new one", async () => {
    const queues = await testQueues();
    const ids = await sendAll(queues.queueUrl, [
      { body: "crash", group: "511#1" },
      { body: "fine", group: "511#2" },
    ]);
    const settled = await start(queues, "sqs.ts#crashOnFirstDelivery");
    await expect
      .poll(() => settled.filter((batch) => batch.outcome.ok).length, { timeout: 15_000 })
      .toBeGreaterThan(0);
    const [crashed, ...rest] = settled;
    expect(crashed?.outcome).toMatchObject({ ok: false, failure: "crash" });
    expect(crashed?.deletedMessageIds).toEqual([]);
    expect(crashed?.returnedMessageIds.sort()).toEqual([...ids].sort());
    const redelivered = rest.flatMap((batch) => report(batch).records);
    expect(redelivered.map((record) => record.messageId).sort()).toEqual([...ids].sort());
    expect(redelivered.every((record) => record.receiveCount === "2")).toBe(true);
    expect(rest.every((batch) => batch.outcome.pid !== crashed?.outcome.pid)).toBe(true);
    expect(await receiveAll(queues.deadLetterQueueUrl)).toEqual([]);
  });

  it("treats an unknown itemIdentifier as a failure of the whole batch", async () => {
    const queues = await testQueues();
    const [messageId] = await sendAll(queues.queueUrl, [{ body: "x", group: "511#1" }]);
    const settled = await start(queues, "sqs.ts#unknownItemIdentifier");
    await expect.poll(() => settled.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(settled[0]).toMatchObject({ deletedMessageIds: [], returnedMessageIds: [messageId] });
  });

  it("keeps at most maximumConcurrency batches in flight", async () => {
    const queues = await testQueues();
    await sendAll(
      queues.queueUrl,
      Array.from({ length: 6 }, (_, index) => ({ body: `m${index}`, group: `511#${index}` })),
    );
    const settled = await start(queues, "sqs.ts#slowBatch", {
      batchSize: 1,
      maximumConcurrency: 2,
      concurrency: 4,
      env: { SLOW_BATCH_MS: "600" },
    });
    await expect.poll(() => settled.length, { timeout: 20_000 }).toBe(6);
    const intervals = settled
      .map((batch) => report(batch))
      .map(({ startedAt, endedAt }) => ({ startedAt, endedAt }));
    // The most batches running at one instant: at some batch's start, count those that have begun and not ended.
    const maxOverlap = Math.max(
      ...intervals.map(
        ({ startedAt }) =>
          intervals.filter((other) => other.startedAt <= startedAt && startedAt < other.endedAt).length,
      ),
    );
    expect(maxOverlap).toBe(2);
    expect(new Set(settled.map((batch) => batch.outcome.pid)).size).toBeLessThanOrEqual(2);
  });
});

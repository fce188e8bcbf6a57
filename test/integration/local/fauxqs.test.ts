import { randomUUID } from "node:crypto";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { createOrderEventsQueues, queueArn } from "../../../infra/local/sqs-local";
import { ORDER_EVENTS_QUEUE } from "../../../lib/queue/queue-definition";
import { localAwsEnv, localClientConfig } from "../../support/local-stack";

const sqs = new SQSClient(localClientConfig("sqs"));
afterAll(() => sqs.destroy());

/** A FIFO pair of its own for one test, so tests never share messages. */
function testQueues(options: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {}) {
  const id = randomUUID().slice(0, 8);
  return createOrderEventsQueues(sqs, {
    name: `t-${id}.fifo`,
    deadLetterName: `t-${id}-dlq.fifo`,
    ...options,
  });
}

async function receive(queueUrl: string, max = 10): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ["All"],
    }),
  );
  return Messages ?? [];
}

function send(queueUrl: string, body: string, groupId: string, deduplicationId: string = randomUUID()) {
  return sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageGroupId: groupId,
      MessageDeduplicationId: deduplicationId,
    }),
  );
}

describe("the order-events queues in fauxqs", () => {
  it("are created with the settings of lib/queue/queue-definition.ts", async () => {
    const env = localAwsEnv();
    const { Attributes: main } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: env.ORDER_EVENTS_QUEUE_URL, AttributeNames: ["All"] }),
    );
    const { Attributes: dead } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: env.ORDER_EVENTS_DLQ_URL, AttributeNames: ["All"] }),
    );
    expect(env.ORDER_EVENTS_QUEUE_URL.endsWith(`/${ORDER_EVENTS_QUEUE.name}`)).toBe(true);
    expect(main).toMatchObject({
      FifoQueue: "true",
      ContentBasedDeduplication: "false",
      // 6 × the worker's 50 s timeout (lib/time-budget.ts).
      VisibilityTimeout: "300",
      MessageRetentionPeriod: String(4 * 86_400),
    });
    expect(JSON.parse(main?.RedrivePolicy ?? "{}")).toEqual({
      deadLetterTargetArn: await queueArn(sqs, env.ORDER_EVENTS_DLQ_URL),
      maxReceiveCount: 5,
    });
    expect(dead).toMatchObject({ FifoQueue: "true", MessageRetentionPeriod: String(14 * 86_400) });
  });

  it("drops a second message with the same MessageDeduplicationId and refuses one without an id", async () => {
    const { queueUrl } = await testQueues();
    const first = await send(queueUrl, "first", "511#1", "evt_same");
    const second = await send(queueUrl, "second", "511#1", "evt_same");
    expect(second.MessageId).toBe(first.MessageId);
    const messages = await receive(queueUrl);
    expect(messages.map((message) => message.Body)).toEqual(["first"]);
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x", MessageGroupId: "511#1" })),
    ).rejects.toThrow(/ContentBasedDeduplication|MessageDeduplicationId/);
  });

  it("moves a message to the DLQ when it is received more than maxReceiveCount times", async () => {
    const { queueUrl, deadLetterQueueUrl } = await testQueues({
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 2,
    });
    await send(queueUrl, "poison", "511#2");
    for (const expectedCount of ["1", "2"]) {
      const [message] = await receive(queueUrl);
      expect(message?.Attributes?.ApproximateReceiveCount).toBe(expectedCount);
      // Make it visible again now rather than after 30 s.
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    expect(await receive(queueUrl)).toEqual([]); // The third receive moves it instead of returning it.
    const dead = await receive(deadLetterQueueUrl);
    expect(dead.map((message) => message.Body)).toEqual(["poison"]);
    expect(dead[0]?.Attributes?.MessageGroupId).toBe("511#2");
  });

  it("withholds a message group while one of its messages is in flight", async () => {
    const { queueUrl } = await testQueues();
    await send(queueUrl, "a1", "group-a");
    await send(queueUrl, "a2", "group-a");
    await send(queueUrl, "b1", "group-b");
    const firstBatch = await receive(queueUrl);
    // fauxqs hands out at most ONE message per group per receive (real SQS may return a1 and a2 together).
    expect(firstBatch.map((message) => message.Body).sort()).toEqual(["a1", "b1"]);
    // While a1 is in flight, nothing of group-a is handed out.
    expect(await receive(queueUrl)).toEqual([]);
    const a1 = firstBatch.find((message) => message.Body === "a1");
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: a1?.ReceiptHandle }));
    expect((await receive(queueUrl)).map((message) => message.Body)).toEqual(["a2"]);
  });
});

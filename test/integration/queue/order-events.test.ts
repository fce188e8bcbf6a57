import { DeleteMessageCommand, DeleteQueueCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrderEventsQueues } from "../../../infra/local/sqs-local";
import {
  type EventReference,
  enqueueOrderEvent,
  parseOrderEventMessage,
} from "../../../lib/queue/order-events";
import { readEnvelope } from "../../../lib/webhook/envelope";
import { type OrderEventsQueueFixture, startOrderEventsQueue } from "./local-queue";

let local: OrderEventsQueueFixture;

beforeAll(async () => {
  local = await startOrderEventsQueue();
});

afterAll(async () => {
  await local?.stop();
});

function reference(webhookId: string, orderId: number): EventReference {
  return {
    type: "orders.updated.placed",
    storeId: 511,
    orderId,
    webhookId,
    eventTime: "2025-10-09T08:53:20.000Z",
  };
}

describe("enqueueOrderEvent (fauxqs)", () => {
  it("sends the reference with group store#order and the webhook-id as deduplication id; a resend is dropped", async () => {
    const event = reference("evt_queue_1", 32203);
    const first = await enqueueOrderEvent(local.sqs, local.queueUrl, event);
    const second = await enqueueOrderEvent(local.sqs, local.queueUrl, event);
    expect(first).toMatchObject({ groupId: "511#32203", deduplicationId: "evt_queue_1" });
    // SQS answers a deduplicated send with the first message's id.
    expect(second.messageId).toBe(first.messageId);

    const messages = await local.receive();
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message?.Attributes?.MessageGroupId).toBe("511#32203");
    expect(message?.Attributes?.MessageDeduplicationId).toBe("evt_queue_1");
    expect(message?.MessageAttributes?.event_type?.StringValue).toBe("orders.updated.placed");
    expect(message?.MessageAttributes?.store_id).toMatchObject({ DataType: "Number", StringValue: "511" });
    expect(message?.MessageAttributes?.order_id?.StringValue).toBe("32203");
    expect(parseOrderEventMessage(message?.Body ?? "")).toEqual({ ok: true, event, legacy: false });
  });

  it("a webhook id with emoji and U+FFFE goes through SQS (the body is ASCII) and comes back intact", async () => {
    const event = {
      ...reference("msg 👕\uFFFE ñ", 40002),
      type: "receipts.created.accepted" as const,
      receiptId: 9,
    };
    const sent = await enqueueOrderEvent(local.sqs, local.queueUrl, event);
    expect(sent.groupId).toBe("511#40002");
    const [message] = await local.receive();
    expect(parseOrderEventMessage(message?.Body ?? "")).toEqual({ ok: true, event, legacy: false });
  });

  it('"0123" and 123, read from two deliveries, land in one FIFO group', async () => {
    const groups: string[] = [];
    for (const [webhookId, id] of [
      ["msg_a", "040003"],
      ["msg_b", 40003],
    ] as const) {
      const reading = readEnvelope(
        { type: "orders.updated.placed", store_id: "511", data: { object: { id } } },
        { webhookId, signedAtSeconds: 1_760_000_000 },
      );
      if (reading.outcome !== "event") throw new Error(`not an event: ${JSON.stringify(reading)}`);
      await enqueueOrderEvent(local.sqs, local.queueUrl, reading.event);
    }
    // FIFO hands out a group's next message only once the one before is done: receive, delete, receive again.
    for (let i = 0; i < 2; i++) {
      const [message] = await local.receive();
      groups.push(message?.Attributes?.MessageGroupId ?? "");
      await local.sqs.send(
        new DeleteMessageCommand({ QueueUrl: local.queueUrl, ReceiptHandle: message?.ReceiptHandle }),
      );
    }
    expect(groups).toEqual(["511#40003", "511#40003"]);
  });

  it("hashes a webhook-id SQS would refuse, and still deduplicates on it", async () => {
    const longId = `evt_${"x".repeat(200)}`;
    const first = await enqueueOrderEvent(local.sqs, local.queueUrl, reference(longId, 40001));
    await enqueueOrderEvent(local.sqs, local.queueUrl, reference(longId, 40001));
    expect(first.deduplicationId).toMatch(/^[0-9a-f]{64}$/);
    const messages = await local.receive();
    expect(messages.map((m) => m.Attributes?.MessageDeduplicationId)).toEqual([first.deduplicationId]);
  });

  it("rejects when SQS does not accept the message (queue gone)", async () => {
    const { queueUrl: doomedUrl } = await createOrderEventsQueues(local.sqs, {
      name: "doomed.fifo",
      deadLetterName: "doomed-dlq.fifo",
    });
    await local.sqs.send(new DeleteQueueCommand({ QueueUrl: doomedUrl }));
    await expect(enqueueOrderEvent(local.sqs, doomedUrl, reference("evt_gone", 1))).rejects.toThrow();
  });
});

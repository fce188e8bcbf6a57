import { DeleteQueueCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrderEventsQueues } from "../../../infra/local/sqs-local";
import { enqueueOrderEvent, parseOrderEventMessage } from "../../../lib/queue/order-events";
import type { OrderEventEnvelope } from "../../../lib/webhook/envelope";
import { type OrderEventsQueueFixture, startOrderEventsQueue } from "./local-queue";

let local: OrderEventsQueueFixture;

beforeAll(async () => {
  local = await startOrderEventsQueue();
});

afterAll(async () => {
  await local?.stop();
});

function envelope(id: string, orderId: number): OrderEventEnvelope {
  return {
    id,
    type: "orders.updated.placed",
    created: "2025-10-09T08:53:20.000Z",
    store_id: 511,
    data: { object: { id: orderId, payment_status: "paid" } },
  };
}

describe("enqueueOrderEvent (fauxqs)", () => {
  it("sends the envelope with group store#order and the webhook-id as deduplication id; a resend is dropped", async () => {
    const event = envelope("evt_queue_1", 32203);
    const first = await enqueueOrderEvent(local.sqs, local.queueUrl, event, "evt_queue_1");
    const second = await enqueueOrderEvent(local.sqs, local.queueUrl, event, "evt_queue_1");
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
    expect(parseOrderEventMessage(message?.Body ?? "")).toEqual({ ok: true, envelope: event });
  });

  it("hashes a webhook-id SQS would refuse, and still deduplicates on it", async () => {
    const longId = `evt_${"x".repeat(200)}`;
    const first = await enqueueOrderEvent(local.sqs, local.queueUrl, envelope(longId, 40001), longId);
    await enqueueOrderEvent(local.sqs, local.queueUrl, envelope(longId, 40001), longId);
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
    await expect(
      enqueueOrderEvent(local.sqs, doomedUrl, envelope("evt_gone", 1), "evt_gone"),
    ).rejects.toThrow();
  });
});

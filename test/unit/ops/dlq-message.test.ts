import type { Message } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import {
  buildMessageMoveTaskInput,
  buildReplaySendInput,
  describeDlqMessage,
  formatDlqTable,
  replayDeduplicationId,
  sentRange,
  UnreplayableMessageError,
} from "../../../lib/ops/dlq-message";
import { orderEventMessageBody, orderEventSendInput } from "../../../lib/queue/order-events";

const QUEUE_URL = "http://127.0.0.1:1/000000000000/main.fifo";
const EVENT = {
  type: "orders.updated.placed",
  storeId: 511,
  orderId: 1001,
  webhookId: "evt_1",
  eventTime: "2026-11-21T10:00:00.000Z",
} as const;
const BODY = orderEventMessageBody(EVENT);
/** What an older version enqueued: the whole envelope, the customer's data with it. */
const LEGACY_BODY = JSON.stringify({
  id: "evt_1",
  type: "orders.updated.placed",
  created: "2026-11-21T10:00:00Z",
  store_id: 511,
  data: { object: { id: "01001", billing_details: { email: "cliente@correo.pe" } } },
});

function message(overrides: Partial<Message> = {}): Message {
  return {
    MessageId: "m-1",
    ReceiptHandle: "rh-1",
    Body: BODY,
    MessageAttributes: {
      event_type: { DataType: "String", StringValue: "orders.updated.placed" },
      store_id: { DataType: "Number", StringValue: "511" },
      order_id: { DataType: "String", StringValue: "1001" },
      webhook_id: { DataType: "String", StringValue: "evt_1", StringListValues: [], BinaryListValues: [] },
    },
    Attributes: {
      MessageGroupId: "511#1001",
      ApproximateReceiveCount: "6",
      SentTimestamp: "1763719200000",
      ApproximateFirstReceiveTimestamp: "1763719201000",
      MessageDeduplicationId: "evt_1",
    },
    ...overrides,
  };
}

describe("describeDlqMessage", () => {
  it("reads order, store, event, group, receive count and times from the attributes", () => {
    expect(describeDlqMessage(message())).toEqual({
      messageId: "m-1",
      storeId: "511",
      orderId: "1001",
      eventType: "orders.updated.placed",
      webhookId: "evt_1",
      groupId: "511#1001",
      receiveCount: 6,
      sentAt: "2025-11-21T10:00:00.000Z",
      firstReceivedAt: "2025-11-21T10:00:01.000Z",
    });
  });
  it("falls back to the body when the attributes are missing: a reference, or an old whole envelope", () => {
    for (const Body of [BODY, LEGACY_BODY]) {
      const entry = describeDlqMessage(
        message({ Body, MessageAttributes: undefined, Attributes: undefined }),
      );
      expect(entry).toEqual({
        messageId: "m-1",
        storeId: "511",
        orderId: "1001",
        eventType: "orders.updated.placed",
      });
    }
  });
  it("leaves unknowns out for a body that is not an order event", () => {
    expect(describeDlqMessage(message({ MessageAttributes: {}, Attributes: {}, Body: "garbage" }))).toEqual({
      messageId: "m-1",
    });
  });
});

describe("replayDeduplicationId", () => {
  it("is deterministic per DLQ message, differs from the original and between messages, and fits SQS", () => {
    const id = replayDeduplicationId("m-1");
    expect(replayDeduplicationId("m-1")).toBe(id);
    expect(replayDeduplicationId("m-2")).not.toBe(id);
    expect(id).not.toBe("m-1");
    expect(id).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("buildReplaySendInput", () => {
  it("sends the event's reference back the way every producer sends it, with a new deduplication id", () => {
    const input = buildReplaySendInput(message(), QUEUE_URL);
    expect(input).toEqual({
      ...orderEventSendInput(QUEUE_URL, EVENT),
      MessageDeduplicationId: replayDeduplicationId("m-1"),
    });
    expect(input.MessageBody).toBe(BODY);
    expect(input.MessageGroupId).toBe("511#1001");
    expect(input.MessageDeduplicationId).not.toBe("evt_1");
  });
  it("replays an old whole-envelope message as its reference: normalised group, no customer data", () => {
    const old = message({ Body: LEGACY_BODY, Attributes: { MessageGroupId: "511#01001" } });
    const input = buildReplaySendInput(old, QUEUE_URL);
    expect(input).toEqual({
      ...orderEventSendInput(QUEUE_URL, EVENT),
      MessageDeduplicationId: replayDeduplicationId("m-1"),
    });
    expect(input.MessageBody).not.toContain("cliente@correo.pe");
  });
  it("keeps an unreadable body, its sendable attributes and its group, for the worker to dead-letter again", () => {
    const input = buildReplaySendInput(message({ Body: "garbage" }), QUEUE_URL);
    expect(input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: "garbage",
      MessageGroupId: "511#1001",
      MessageDeduplicationId: replayDeduplicationId("m-1"),
      MessageAttributes: {
        event_type: { DataType: "String", StringValue: "orders.updated.placed" },
        store_id: { DataType: "Number", StringValue: "511" },
        order_id: { DataType: "String", StringValue: "1001" },
        webhook_id: { DataType: "String", StringValue: "evt_1" },
      },
    });
    // Without MessageGroupId from SQS, the group is rebuilt from the attributes' store and order.
    expect(buildReplaySendInput(message({ Body: "garbage", Attributes: {} }), QUEUE_URL).MessageGroupId).toBe(
      "511#1001",
    );
  });
  it("refuses a message with no group, store or order, and one without id or body", () => {
    expect(() =>
      buildReplaySendInput(message({ Attributes: {}, MessageAttributes: {}, Body: "x" }), QUEUE_URL),
    ).toThrow(UnreplayableMessageError);
    expect(() => buildReplaySendInput(message({ MessageId: undefined }), QUEUE_URL)).toThrow(/no MessageId/);
    expect(() => buildReplaySendInput(message({ Body: undefined }), QUEUE_URL)).toThrow(/has no body/);
  });
});

describe("buildMessageMoveTaskInput (--native)", () => {
  const arns = {
    sourceArn: "arn:aws:sqs:us-east-1:123456789012:acelerala-sunat-order-events-dlq.fifo",
    destinationArn: "arn:aws:sqs:us-east-1:123456789012:acelerala-sunat-order-events.fifo",
  };
  it("moves from the DLQ to the main queue", () => {
    expect(buildMessageMoveTaskInput(arns)).toEqual({
      SourceArn: arns.sourceArn,
      DestinationArn: arns.destinationArn,
    });
  });
  it("passes the rate as whole messages per second within SQS's 1–500", () => {
    expect(buildMessageMoveTaskInput({ ...arns, maxPerSecond: 5 }).MaxNumberOfMessagesPerSecond).toBe(5);
    expect(buildMessageMoveTaskInput({ ...arns, maxPerSecond: 0.5 }).MaxNumberOfMessagesPerSecond).toBe(1);
    expect(buildMessageMoveTaskInput({ ...arns, maxPerSecond: 2.7 }).MaxNumberOfMessagesPerSecond).toBe(2);
    expect(buildMessageMoveTaskInput({ ...arns, maxPerSecond: 9000 }).MaxNumberOfMessagesPerSecond).toBe(500);
  });
});

describe("formatDlqTable and sentRange", () => {
  it("shows one row per message with the receipt's state and last error, masked", () => {
    const entry = {
      ...describeDlqMessage(message()),
      receiptState: "RESERVED",
      lastError: "API timeout\nfor admin@agrolight.pe",
    };
    const lines = formatDlqTable([entry, { messageId: "m-2" }]).split("\n");
    expect(lines[0]).toMatch(
      /^Tienda +Pedido +Evento +Recepciones +Enviado +Primera recepción +Comprobante +Último error$/,
    );
    expect(lines[1]).toMatch(
      /^511 +1001 +orders\.updated\.placed +6 +2025-11-21 05:00 +2025-11-21 05:00 +RESERVADO +API timeout for a\*\*\*@agrolight\.pe$/,
    );
    expect(lines[2]).toMatch(/^\? +\? +\? +\? +- +- +- +-$/);
  });
  it("finds the oldest and newest sent time", () => {
    expect(
      sentRange([
        { messageId: "a", sentAt: "2026-01-02T00:00:00.000Z" },
        { messageId: "b" },
        { messageId: "c", sentAt: "2026-01-01T00:00:00.000Z" },
      ]),
    ).toEqual({ first: "2026-01-01T00:00:00.000Z", last: "2026-01-02T00:00:00.000Z" });
    expect(sentRange([])).toEqual({ first: undefined, last: undefined });
  });
});

import { describe, expect, it } from "vitest";
import {
  deduplicationIdFor,
  type EventReference,
  operatorEvent,
  orderEventMessageBody,
  orderEventSendInput,
  parseOrderEventMessage,
} from "../../../lib/queue/order-events";

const ORDER_EVENT: EventReference = {
  type: "orders.updated.placed",
  storeId: 511,
  orderId: 32203,
  webhookId: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
  eventTime: "2025-10-09T13:53:20.000Z",
};
const RECEIPT_EVENT: EventReference = {
  type: "receipts.created.accepted",
  storeId: 511,
  orderId: 32203,
  receiptId: 67349,
  webhookId: "evt_r1",
  eventTime: "2025-10-09T13:53:22.000Z",
};

describe("the queue message: a reference, never the order", () => {
  it("has exactly the reference's fields, in the documented wire format", () => {
    expect(JSON.parse(orderEventMessageBody(ORDER_EVENT))).toEqual({
      version: 2,
      type: "orders.updated.placed",
      store_id: 511,
      order_id: 32203,
      webhook_id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
      event_time: "2025-10-09T13:53:20.000Z",
    });
    expect(JSON.parse(orderEventMessageBody(RECEIPT_EVENT))).toMatchObject({ receipt_id: 67349 });
  });

  it("round-trips through parseOrderEventMessage, order and receipt events alike", () => {
    for (const event of [ORDER_EVENT, RECEIPT_EVENT]) {
      expect(parseOrderEventMessage(orderEventMessageBody(event))).toEqual({
        ok: true,
        event,
        legacy: false,
      });
    }
  });

  it("is pure ASCII whatever the webhook id holds (SQS refuses U+FFFE; the emulator refused emoji)", () => {
    const event = { ...ORDER_EVENT, webhookId: "evt 👕 \uFFFE ñ" };
    const body = orderEventMessageBody(event);
    expect(body).toMatch(/^[\x20-\x7e]+$/);
    expect(parseOrderEventMessage(body)).toMatchObject({ ok: true, event: { webhookId: "evt 👕 \uFFFE ñ" } });
    const input = orderEventSendInput("https://queue", event);
    expect(input.MessageAttributes?.webhook_id?.StringValue).toMatch(/^[\x20-\x7e]+$/);
    expect(input.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });

  it("the SendMessage: group store#order (numbers), deduplication = webhook-id, attributes for the DLQ tools", () => {
    expect(orderEventSendInput("https://queue", RECEIPT_EVENT)).toEqual({
      QueueUrl: "https://queue",
      MessageBody: orderEventMessageBody(RECEIPT_EVENT),
      MessageGroupId: "511#32203",
      MessageDeduplicationId: "evt_r1",
      MessageAttributes: {
        event_type: { DataType: "String", StringValue: "receipts.created.accepted" },
        store_id: { DataType: "Number", StringValue: "511" },
        order_id: { DataType: "String", StringValue: "32203" },
        webhook_id: { DataType: "String", StringValue: "evt_r1" },
      },
    });
  });

  it("operator flows send the event the receiver would send for an updated, placed order", () => {
    expect(operatorEvent(511, 7, "bf_511_7_20261121", new Date("2026-11-21T10:00:00Z"))).toEqual({
      type: "orders.updated.placed",
      storeId: 511,
      orderId: 7,
      webhookId: "bf_511_7_20261121",
      eventTime: "2026-11-21T10:00:00.000Z",
    });
  });
});

describe("parseOrderEventMessage: poison messages are named", () => {
  const body = (fields: Record<string, unknown>) =>
    JSON.stringify({ ...JSON.parse(orderEventMessageBody(ORDER_EVENT)), ...fields });

  it.each([
    ["not json", "not json", [{ field: "(body)", message: "is not valid JSON" }]],
    ["an order id that is not an id", body({ order_id: "12a" }), [{ field: "order_id" }]],
    ["an unknown type", body({ type: "claims.created" }), [{ field: "type" }]],
    ["a future version", body({ version: 3 }), [{ field: "version" }]],
    [
      "a receipt event without its receipt",
      body({ type: "receipts.created" }),
      [{ field: "receipt_id", message: "is missing for a receipt event" }],
    ],
  ])("%s", (_what, text, problems) => {
    expect(parseOrderEventMessage(text)).toMatchObject({ ok: false, problems });
  });
});

describe("old messages: the whole envelope an earlier version enqueued", () => {
  const legacy = {
    id: "evt_old_1",
    type: "orders.updated.placed",
    created: "2025-10-09T08:53:20-05:00",
    store_id: 511,
    data: { object: { id: "0123", payment_status: "paid", billing_details: { email: "a@b.pe" } } },
  };

  it("are read liberally: the reference is derived (normalised order id, its id as webhook-id)", () => {
    expect(parseOrderEventMessage(JSON.stringify(legacy))).toEqual({
      ok: true,
      legacy: true,
      event: {
        type: "orders.updated.placed",
        storeId: 511,
        orderId: 123,
        webhookId: "evt_old_1",
        eventTime: "2025-10-09T13:53:20.000Z",
      },
    });
  });

  it("an old envelope that names no order, or a type the worker does not handle, stays poison", () => {
    expect(
      parseOrderEventMessage(JSON.stringify({ ...legacy, data: { object: { payment_status: "paid" } } })),
    ).toMatchObject({ ok: false, problems: [{ field: "data.object.id", message: "is missing" }] });
    expect(parseOrderEventMessage(JSON.stringify({ ...legacy, type: "claims.created" }))).toMatchObject({
      ok: false,
      problems: [{ field: "type" }],
    });
  });
});

describe("deduplicationIdFor", () => {
  it("uses the webhook-id when SQS accepts it", () => {
    expect(deduplicationIdFor("evt_01HZX9-ab.c:d")).toBe("evt_01HZX9-ab.c:d");
    expect(deduplicationIdFor("a".repeat(128))).toBe("a".repeat(128));
  });
  it("hashes ids that are too long or use other characters, stably", () => {
    const long = "evt_".padEnd(129, "x");
    expect(deduplicationIdFor(long)).toMatch(/^[0-9a-f]{64}$/);
    expect(deduplicationIdFor(long)).toBe(deduplicationIdFor(long));
    expect(deduplicationIdFor("evt ñandú")).toMatch(/^[0-9a-f]{64}$/);
    expect(deduplicationIdFor("evt ñandú")).not.toBe(deduplicationIdFor("evt ñandu"));
  });
});

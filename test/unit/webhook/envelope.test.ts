import { describe, expect, it } from "vitest";
import {
  normaliseId,
  ORDER_EVENT_TYPES,
  parseIsoDateTime,
  RECEIPT_EVENT_TYPES,
  readEnvelope,
  SUBSCRIBED_EVENTS,
} from "../../../lib/webhook/envelope";

const CONTEXT = { webhookId: "msg_1", signedAtSeconds: 1_760_000_000 };

describe("parseIsoDateTime", () => {
  it.each([
    ["2025-10-09T08:53:20Z", "2025-10-09T08:53:20.000Z"],
    ["2025-10-09t08:53:20z", "2025-10-09T08:53:20.000Z"],
    ["2025-10-09 08:53:20Z", "2025-10-09T08:53:20.000Z"],
    ["2025-10-09T08:53Z", "2025-10-09T08:53:00.000Z"],
    ["2020-07-21T20:31:56.000-05", "2020-07-22T01:31:56.000Z"],
    ["2022-03-27T12:30:18.000-0500", "2022-03-27T17:30:18.000Z"],
    ["2025-10-09T08:53:20-05:00", "2025-10-09T13:53:20.000Z"],
    ["2025-10-09T08:53:20.123456789+01:30", "2025-10-09T07:23:20.123Z"],
    ["2024-02-29T00:00:00,5Z", "2024-02-29T00:00:00.500Z"],
    ["0099-01-01T00:00:00Z", "0099-01-01T00:00:00.000Z"],
  ])("%s → %s", (text, iso) => {
    expect(parseIsoDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    "2025-10-09T08:53:20", // no offset: the instant is unknown
    "2025-02-29T08:53:20Z", // not a leap year
    "2025-04-31T08:53:20Z",
    "2025-13-01T08:53:20Z",
    "2025-10-09T24:00:00Z",
    "2025-10-09T08:60:00Z",
    "2025-10-09T08:53:20+2400",
    "2025-10-09",
    "yesterday",
    "1760000000",
    " 2025-10-09T08:53:20Z",
  ])("%s is not read", (text) => {
    expect(parseIsoDateTime(text)).toBeUndefined();
  });
});

describe("normaliseId", () => {
  it("numbers and digit strings, leading zeros dropped", () => {
    expect([normaliseId(123), normaliseId("0123"), normaliseId("9007199254740991")]).toEqual([
      123, 123, 9_007_199_254_740_991,
    ]);
  });
  it.each([0, -1, 1.5, "", "1e3", "0x10", "12 ", "9007199254740992", Number.NaN, null, undefined, {}, []])(
    "%j is not an id",
    (value) => {
      expect(normaliseId(value)).toBeUndefined();
    },
  );
});

describe("readEnvelope", () => {
  it("handles the five order events and the three receipt events; subscribes to what it needs", () => {
    for (const type of ORDER_EVENT_TYPES) {
      expect(readEnvelope({ type, store_id: 1, data: { object: { id: 2 } } }, CONTEXT).outcome).toBe("event");
    }
    for (const type of RECEIPT_EVENT_TYPES) {
      const body = { type, store_id: 1, data: { object: { id: 3, order_id: 2 } } };
      expect(readEnvelope(body, CONTEXT)).toMatchObject({
        outcome: "event",
        event: { receiptId: 3, orderId: 2 },
      });
    }
    expect(SUBSCRIBED_EVENTS).toEqual([
      "orders.created.placed",
      "orders.updated.placed",
      "orders.updated.canceled",
      "receipts.created",
      "receipts.created.accepted",
      "receipts.created.rejected",
    ]);
  });

  it("a Standard Webhooks receipt event: the receipt as data, its store in data.store_id", () => {
    const body = { type: "receipts.created.rejected", data: { id: "67349", order_id: 7, store_id: 511 } };
    expect(readEnvelope(body, CONTEXT)).toEqual({
      outcome: "event",
      event: {
        type: "receipts.created.rejected",
        storeId: 511,
        orderId: 7,
        receiptId: 67349,
        webhookId: "msg_1",
        eventTime: "2025-10-09T08:53:20.000Z",
      },
      notes: { storeFrom: "data.store_id" },
    });
  });

  it("created wins over timestamp; timestamp is read when created is absent or null", () => {
    const base = { type: "orders.updated", store_id: 1, data: { object: { id: 2 } } };
    const both = { ...base, created: "2025-01-01T00:00:00Z", timestamp: "2025-06-01T00:00:00Z" };
    const onlyTimestamp = { ...base, created: null, timestamp: "2025-06-01T00:00:00-05" };
    expect(readEnvelope(both, CONTEXT)).toMatchObject({ event: { eventTime: "2025-01-01T00:00:00.000Z" } });
    expect(readEnvelope(onlyTimestamp, CONTEXT)).toMatchObject({
      event: { eventTime: "2025-06-01T05:00:00.000Z" },
    });
  });

  it("a null store_id counts as absent; the next source is used", () => {
    const body = { type: "orders.updated", store_id: null, data: { object: { id: 2, store_id: 9 } } };
    expect(readEnvelope(body, CONTEXT)).toMatchObject({ event: { storeId: 9 } });
  });
});

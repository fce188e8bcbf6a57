import { describe, expect, it } from "vitest";
import { deduplicationIdFor, parseOrderEventMessage } from "../../../lib/queue/order-events";
import { ORDER_EVENT_TYPES, parseEnvelope } from "../../../lib/webhook/envelope";

const ENVELOPE = {
  id: "evt_01",
  type: "orders.updated.placed",
  created: "2025-10-09T08:53:20-05:00",
  store_id: 511,
  data: { object: { id: 32203, total: "100.00" } },
};

describe("parseEnvelope", () => {
  it("knows the five order events", () => {
    for (const type of ORDER_EVENT_TYPES) {
      expect(parseEnvelope({ ...ENVELOPE, type })).toMatchObject({ ok: true, known: true });
    }
  });
  it("keeps the order's other fields for the worker", () => {
    const result = parseEnvelope(ENVELOPE);
    expect(result.ok && result.envelope.data.object).toEqual({ id: 32203, total: "100.00" });
  });
  it("flags well-formed envelopes of other types as unknown", () => {
    expect(parseEnvelope({ ...ENVELOPE, type: "claims.created" })).toMatchObject({ ok: true, known: false });
  });
  it("names the missing fields", () => {
    const result = parseEnvelope({ type: "orders.updated", data: {} });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map((p) => p.field)).toEqual(["id", "created", "store_id", "data.object"]);
    expect(parseEnvelope([])).toMatchObject({ ok: false, problems: [{ field: "(body)" }] });
  });
});

describe("parseOrderEventMessage", () => {
  it("round-trips the body the receiver enqueues", () => {
    expect(parseOrderEventMessage(JSON.stringify(ENVELOPE))).toEqual({ ok: true, envelope: ENVELOPE });
  });
  it("treats non-JSON, bad shapes and non-order events as poison, naming why", () => {
    expect(parseOrderEventMessage("not json")).toEqual({
      ok: false,
      problems: [{ field: "(body)", message: "is not valid JSON" }],
    });
    expect(parseOrderEventMessage(JSON.stringify({ ...ENVELOPE, store_id: -1 }))).toMatchObject({
      ok: false,
      problems: [{ field: "store_id" }],
    });
    expect(parseOrderEventMessage(JSON.stringify({ ...ENVELOPE, type: "claims.created" }))).toEqual({
      ok: false,
      problems: [{ field: "type", message: '"claims.created" is not an order event' }],
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

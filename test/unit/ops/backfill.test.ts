import { describe, expect, it } from "vitest";
import type { AceleralaOrder } from "../../../lib/acelerala/schemas";
import { parseBackfillOptions } from "../../../lib/cli/commands/backfill";
import { OptionError } from "../../../lib/ops/args";
import {
  backfillEventId,
  classifyOrder,
  formatBackfillSummary,
  type OrderLister,
  progressBar,
  rangeFraction,
  runBackfill,
} from "../../../lib/ops/backfill";
import {
  type EventReference,
  orderEventMessageBody,
  parseOrderEventMessage,
} from "../../../lib/queue/order-events";
import type { ReceiptRecord, ReceiptState } from "../../../lib/store/receipt-record";

const NOW = new Date("2026-01-21T15:00:00Z");

function order(id: number, overrides: Partial<AceleralaOrder> = {}): AceleralaOrder {
  return {
    id,
    payment_status: "paid",
    placed: `2026-01-10T${String(10 + (id % 10)).padStart(2, "0")}:00:00.000Z`,
    canceled: null,
    total: "10.00",
    ...overrides,
  };
}

function record(orderId: number, state: ReceiptState, extra: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return { storeId: 511, orderId, state, createdAt: "", updatedAt: "", history: [], ...extra };
}

function fakes(orders: AceleralaOrder[], records: Map<number, ReceiptRecord>, failOn?: number) {
  const listed: Parameters<OrderLister>[0][] = [];
  const sent: { id: string; body: string }[] = [];
  return {
    listed,
    sent,
    deps: {
      listOrders: ((params) => {
        listed.push(params);
        return (async function* () {
          yield* orders;
        })();
      }) as OrderLister,
      getRecord: async (key: { orderId: number }) => records.get(key.orderId),
      enqueue: async (event: EventReference) => {
        if (event.orderId === failOn) throw new Error("SQS is down");
        sent.push({ id: event.webhookId, body: orderEventMessageBody(event) });
      },
      now: () => NOW,
    },
  };
}

describe("runBackfill", () => {
  it("lists paid orders by placed, enqueues those without a final record, counts the rest", async () => {
    const orders = Array.from({ length: 250 }, (_, i) => order(1000 + i));
    const records = new Map<number, ReceiptRecord>();
    for (let i = 0; i < 100; i++) records.set(1000 + i, record(1000 + i, i % 2 ? "ACCEPTED" : "SUBMITTED"));
    records.set(1100, record(1100, "REJECTED"));
    records.set(
      1101,
      record(1101, "NEEDS_ATTENTION", { problems: [{ field: "f", rule: "rule_x", message: "" }] }),
    );
    records.set(1102, record(1102, "RESERVED"));
    const { deps, listed, sent } = fakes(orders, records);
    const progress: number[] = [];
    const summary = await runBackfill(
      {
        storeId: 511,
        placedFrom: new Date("2026-01-10T05:00:00Z"),
        placedTo: new Date("2026-01-11T05:00:00Z"),
        dryRun: false,
        onProgress: (p) => progress.push(p.counts.found),
      },
      deps,
    );
    expect(listed).toEqual([
      {
        limit: 100,
        filters: {
          placed: { gte: "2026-01-10T05:00:00.000Z", lt: "2026-01-11T05:00:00.000Z" },
          payment_status: ["paid"],
        },
      },
    ]);
    expect(summary).toMatchObject({
      found: 250,
      alreadyIssued: 101,
      enqueued: 148,
      skipped: 1,
      failed: 0,
      resumed: 1,
    });
    expect(summary.skippedByReason).toEqual({
      "requiere revisión (rule_x): corrija el pedido y luego cpe resend": 1,
    });
    expect(sent).toHaveLength(148);
    expect(new Set(sent.map((s) => s.id)).size).toBe(148);
    expect(progress).toEqual([100, 200, 250, 250]);
    // The receiver's reference: the worker reads it like any webhook event; the order itself does not travel.
    expect(parseOrderEventMessage(sent[0]?.body ?? "")).toEqual({
      ok: true,
      legacy: false,
      event: {
        type: "orders.updated.placed",
        storeId: 511,
        orderId: 1102,
        webhookId: "bf_511_1102_20260121",
        eventTime: NOW.toISOString(),
      },
    });
    expect(sent[0]?.body).not.toContain("payment_status");
  });

  it("normalises a string order id, and names one it cannot enqueue", async () => {
    const { deps, sent } = fakes([order(1, { id: "0042" }), order(2, { id: "A-2" })], new Map());
    const summary = await runBackfill({ storeId: 511, placedFrom: new Date(0), dryRun: false }, deps);
    expect(sent.map((s) => JSON.parse(s.body).order_id)).toEqual([42]);
    expect(summary.failures).toEqual([
      { orderId: "A-2", error: 'Error: order id "A-2" is not a positive whole number: not enqueued' },
    ]);
  });

  it("in a dry run enqueues nothing but counts what it would", async () => {
    const { deps, sent } = fakes([order(1), order(2)], new Map());
    const summary = await runBackfill({ storeId: 511, placedFrom: new Date(0), dryRun: true }, deps);
    // Nothing was enqueued, and the summary says so: what would be is its own count.
    expect(summary).toMatchObject({ found: 2, enqueued: 0, wouldEnqueue: 2, dryRun: true });
    expect(summary.enqueuedOrderIds).toEqual(["1", "2"]);
    expect(sent).toEqual([]);
    expect(formatBackfillSummary(summary)).toMatch(/se encolarían\s+2/);
    expect(formatBackfillSummary(summary)).toMatch(/simulación: no se encoló nada/);
    expect(formatBackfillSummary(summary)).not.toMatch(/encolados\s/);
  });

  it("records an order it could not enqueue and carries on with the others", async () => {
    const { deps, sent } = fakes([order(1), order(2), order(3)], new Map(), 2);
    const summary = await runBackfill({ storeId: 511, placedFrom: new Date(0), dryRun: false }, deps);
    expect(summary).toMatchObject({
      enqueued: 2,
      failed: 1,
      failures: [{ orderId: "2", error: "Error: SQS is down" }],
    });
    expect(sent.map((s) => s.id)).toEqual(["bf_511_1_20260121", "bf_511_3_20260121"]);
    expect(summary.wouldEnqueue).toBe(0);
    expect(formatBackfillSummary(summary)).toMatch(/fallaron\s+1\n\s+pedido 2: Error: SQS is down/);
  });
});

describe("classifyOrder", () => {
  it("skips orders the listing should not have returned, naming why", () => {
    expect(classifyOrder(order(1, { payment_status: "pending" }), undefined)).toEqual({
      action: "skip",
      reason: "payment_status pending",
    });
    expect(classifyOrder(order(1, { placed: null }), undefined)).toEqual({
      action: "skip",
      reason: "sin confirmar (no placed)",
    });
    expect(classifyOrder(order(1, { canceled: "2026-01-11T00:00:00Z" }), undefined)).toEqual({
      action: "skip",
      reason: "cancelado",
    });
  });

  it("treats every final state as already issued", () => {
    for (const state of ["SUBMITTED", "ACCEPTED", "REJECTED", "STALE"] as const)
      expect(classifyOrder(order(1), record(1, state))).toEqual({ action: "already_issued", state });
  });
});

describe("ids, progress and options", () => {
  it("gives the same id to the same order on the same UTC day only", () => {
    expect(backfillEventId(511, 9, NOW)).toBe("bf_511_9_20260121");
    expect(backfillEventId(511, 9, new Date("2026-01-22T00:00:00Z"))).toBe("bf_511_9_20260122");
  });

  it("draws the bar from how far the listing is through the range", () => {
    const from = new Date("2026-01-10T00:00:00Z");
    const to = new Date("2026-01-12T00:00:00Z");
    expect(rangeFraction("2026-01-11T00:00:00Z", from, to)).toBe(0.5);
    expect(rangeFraction(undefined, from, to)).toBe(0);
    expect(progressBar(0.5, 10)).toBe("[#####-----]  50%");
    expect(progressBar(2, 4)).toBe("[####] 100%");
  });

  it("parses the options: a plain --placed-to is the whole day in Peru", () => {
    const parsed = parseBackfillOptions({
      store: "511",
      "placed-from": "2026-01-10",
      "placed-to": "2026-01-10",
    });
    expect(parsed.placedFrom.toISOString()).toBe("2026-01-10T05:00:00.000Z");
    expect(parsed.placedTo?.toISOString()).toBe("2026-01-11T05:00:00.000Z");
    expect(() => parseBackfillOptions({ "placed-from": "2026-01-10" })).toThrow(/falta --store ID/);
    expect(() => parseBackfillOptions({ store: "511" })).toThrow(/falta --placed-from FECHA/);
    expect(() => parseBackfillOptions({ store: "511", "placed-from": "10/01/2026" })).toThrow(
      /^--placed-from debe ser una fecha ISO/,
    );
    expect(() => parseBackfillOptions({ store: "x", "placed-from": "2026-01-10" })).toThrow(OptionError);
  });
});

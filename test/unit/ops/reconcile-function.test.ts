import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { describe, expect, it, vi } from "vitest";
import type { AceleralaClient } from "../../../lib/acelerala/client";
import { RECONCILER_METRICS } from "../../../lib/observability/metric-names";
import {
  RECONCILE_LOOKBACK_HOURS,
  type ReconcilerDependencies,
  reconcileAllStores,
} from "../../../lib/ops/reconcile-stores";
import type { OrderKey, ReceiptRecord } from "../../../lib/store/receipt-record";

// The hourly reconciler's run with fakes: every store is checked with fix on, missed orders and orders owing a
// credit note are enqueued and counted in the metrics the alarms watch, and one store's failure spares the others.

const NOW = new Date("2026-01-21T15:00:00Z");
const HOUR = 3_600_000;

type FakeOrder = Record<string, unknown> & { id: number };

function fakeApi(
  orders: FakeOrder[],
  options: { fail?: boolean; refunds?: unknown[] } = {},
): AceleralaClient {
  return {
    iterateOrders: (params: { filters: Record<string, unknown> }) => {
      if (options.fail) throw new Error("credentials refused");
      const { filters } = params;
      return (async function* () {
        if (filters.placed) {
          // The missed-orders window: RECONCILE_LOOKBACK_HOURS back, ending the grace period before now.
          expect((filters.placed as { gte: string }).gte).toBe(
            new Date(NOW.getTime() - RECONCILE_LOOKBACK_HOURS * HOUR).toISOString(),
          );
          yield* orders.filter((order) => order.payment_status === "paid" && !order.canceled);
        } else if (filters.canceled) {
          yield* orders.filter((order) => order.canceled);
        } else {
          expect(filters.payment_status).toEqual(["refunded", "partially_refunded"]);
          yield* orders.filter((order) => String(order.payment_status).includes("refunded"));
        }
      })();
    },
    iterateReceipts: () => (async function* () {})(),
    getOrder: async () => null,
    refundsOfOrder: async () => options.refunds ?? [],
  } as unknown as AceleralaClient;
}

const paid = (id: number): FakeOrder => ({
  id,
  payment_status: "paid",
  placed: "2026-01-21T10:00:00Z",
  canceled: null,
  total: "1.00",
});

function accepted(orderId: number, finalizedAt: Date): ReceiptRecord {
  return {
    storeId: 511,
    orderId,
    state: "ACCEPTED",
    documentNumber: `B001-${orderId}`,
    grossTotal: "50.00",
    currencyCode: "PEN",
    createdAt: finalizedAt.toISOString(),
    updatedAt: finalizedAt.toISOString(),
    finalizedAt: finalizedAt.toISOString(),
    history: [],
  };
}

function setup(
  apis: Record<number, AceleralaClient>,
  records: Record<number, ReceiptRecord> = {},
  notes: Record<number, ReceiptRecord[]> = {},
) {
  const enqueued: string[] = [];
  const metrics = new Metrics({ namespace: "Test", serviceName: "reconciler" });
  const added = vi.spyOn(metrics, "addMetric");
  const logger = new Logger({ serviceName: "reconciler", logLevel: "SILENT" });
  const deps: ReconcilerDependencies = {
    storeIds: Object.keys(apis).map(Number),
    api: async (storeId) => apis[storeId] as AceleralaClient,
    getRecord: async (key: OrderKey) => records[key.orderId],
    notesOf: async (key: OrderKey) => notes[key.orderId] ?? [],
    enqueue: async (event) => {
      enqueued.push(event.webhookId);
    },
    logger,
    metrics,
    now: () => NOW,
  };
  const metric = (name: string) => added.mock.calls.find(([metricName]) => metricName === name)?.[2];
  return { run: () => reconcileAllStores(deps), enqueued, metric };
}

describe("reconciler run", () => {
  it("looks back over the dead-letter queue's whole retention, and a day more", () => {
    expect(RECONCILE_LOOKBACK_HOURS).toBe((14 + 1) * 24);
  });

  it("enqueues every store's missed orders and counts them", async () => {
    const { run, enqueued, metric } = setup({ 511: fakeApi([paid(1), paid(2)]), 512: fakeApi([paid(3)]) });
    const summary = await run();
    expect(summary).toMatchObject({ stores: 2, failedStores: 0, missedEnqueued: 3, overdueCreditNotes: 0 });
    expect(enqueued.sort()).toEqual(["rc_511_1_2026012115", "rc_511_2_2026012115", "rc_512_3_2026012115"]);
    expect(metric(RECONCILER_METRICS.missedEnqueued)).toBe(3);
    expect(metric(RECONCILER_METRICS.storeFailures)).toBe(0);
    expect(metric(RECONCILER_METRICS.overdueCreditNotes)).toBe(0);
  });

  it("carries on past a failing store, and fails only when every store failed", async () => {
    const partly = setup({ 511: fakeApi([], { fail: true }), 512: fakeApi([paid(3)]) });
    expect(await partly.run()).toMatchObject({ failedStores: 1, missedEnqueued: 1 });
    expect(partly.metric(RECONCILER_METRICS.storeFailures)).toBe(1);

    const all = setup({ 511: fakeApi([], { fail: true }) });
    await expect(all.run()).rejects.toThrow(/every store/);
    expect(all.metric(RECONCILER_METRICS.storeFailures)).toBe(1);
  });

  it("enqueues orders owing a credit note, and counts those owed for over a day in the gauge", async () => {
    const cancelledTwoDaysAgo = { ...paid(7), canceled: new Date(NOW.getTime() - 48 * HOUR).toISOString() };
    const cancelledAnHourAgo = { ...paid(8), canceled: new Date(NOW.getTime() - HOUR).toISOString() };
    const { run, enqueued, metric } = setup(
      { 511: fakeApi([cancelledTwoDaysAgo, cancelledAnHourAgo]) },
      {
        7: accepted(7, new Date(NOW.getTime() - 72 * HOUR)),
        8: accepted(8, new Date(NOW.getTime() - 72 * HOUR)),
      },
    );
    const summary = await run();
    expect(summary).toMatchObject({ owedEnqueued: 2, overdueCreditNotes: 1, missedEnqueued: 0 });
    expect(enqueued.sort()).toEqual(["rc_511_7_2026012115", "rc_511_8_2026012115"]);
    expect(metric(RECONCILER_METRICS.overdueCreditNotes)).toBe(1);
    expect(metric(RECONCILER_METRICS.creditNotesOwedEnqueued)).toBe(2);
  });

  it("owes nothing once the notes credit the receipt, and waits for a note that needs attention", async () => {
    const cancelled = { ...paid(9), canceled: new Date(NOW.getTime() - 48 * HOUR).toISOString() };
    const refunded = { ...paid(10), payment_status: "refunded", modified: cancelled.canceled };
    const note = (orderId: number, state: ReceiptRecord["state"]): ReceiptRecord => ({
      ...accepted(orderId, NOW),
      document: "NOTE#canceled",
      state,
      grossTotal: "50.00",
    });
    const { run, enqueued } = setup(
      { 511: fakeApi([cancelled, refunded]) },
      { 9: accepted(9, new Date(0)), 10: accepted(10, new Date(0)) },
      { 9: [note(9, "ACCEPTED")], 10: [note(10, "NEEDS_ATTENTION")] },
    );
    const summary = await run();
    // Order 9 is fully credited; order 10 owes its note, overdue, but a person must fix the note first.
    expect(summary).toMatchObject({ owedEnqueued: 0, overdueCreditNotes: 1 });
    expect(enqueued).toEqual([]);
  });
});

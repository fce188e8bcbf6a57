import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Context, ScheduledEvent } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import {
  createReconcilerHandler,
  LOOKBACK_HOURS,
  RECONCILER_METRICS,
  type ReconcilerDependencies,
} from "../../../functions/reconciler/index";
import type { AceleralaClient } from "../../../lib/acelerala/client";

// The hourly reconciler's handler with fakes: every store is checked with fix on, missed orders are enqueued
// and counted in the metric the MissedOrdersEnqueued alarm watches, and one store's failure spares the others.

const NOW = new Date("2026-01-21T15:00:00Z");

function fakeApi(orderIds: number[], fail = false): AceleralaClient {
  return {
    iterateOrders: (params: { filters: { placed: { gte: string; lt: string } } }) => {
      if (fail) throw new Error("credentials refused");
      // The window: LOOKBACK_HOURS back, ending the grace period before now.
      expect(params.filters.placed.gte).toBe(
        new Date(NOW.getTime() - LOOKBACK_HOURS * 3_600_000).toISOString(),
      );
      return (async function* () {
        for (const id of orderIds)
          yield { id, payment_status: "paid", placed: "2026-01-21T10:00:00Z", canceled: null, total: "1.00" };
      })();
    },
    iterateReceipts: () => (async function* () {})(),
    getOrder: async () => null,
  } as unknown as AceleralaClient;
}

function setup(apis: Record<number, AceleralaClient>) {
  const enqueued: string[] = [];
  const metrics = new Metrics({ namespace: "Test", serviceName: "reconciler" });
  const added = vi.spyOn(metrics, "addMetric");
  vi.spyOn(metrics, "publishStoredMetrics").mockImplementation(() => metrics);
  const logger = new Logger({ serviceName: "reconciler", logLevel: "SILENT" });
  const deps: ReconcilerDependencies = {
    storeIds: Object.keys(apis).map(Number),
    api: async (storeId) => apis[storeId] as AceleralaClient,
    getRecord: async () => undefined,
    enqueue: async (event) => {
      enqueued.push(event.webhookId);
    },
    logger,
    metrics,
    now: () => NOW,
  };
  const handler = createReconcilerHandler(async () => deps);
  const metric = (name: string) => added.mock.calls.find(([metricName]) => metricName === name)?.[2];
  return { handler, enqueued, metric };
}

const event = {} as ScheduledEvent;
const context = {} as Context;

describe("reconciler handler", () => {
  it("enqueues every store's missed orders and counts them", async () => {
    const { handler, enqueued, metric } = setup({ 511: fakeApi([1, 2]), 512: fakeApi([3]) });
    const summary = await handler(event, context);
    expect(summary).toMatchObject({ stores: 2, failedStores: 0, missedEnqueued: 3 });
    expect(enqueued.sort()).toEqual(["rc_511_1_2026012115", "rc_511_2_2026012115", "rc_512_3_2026012115"]);
    expect(metric(RECONCILER_METRICS.missedEnqueued)).toBe(3);
    expect(metric(RECONCILER_METRICS.storeFailures)).toBe(0);
  });

  it("carries on past a failing store, and fails only when every store failed", async () => {
    const partly = setup({ 511: fakeApi([], true), 512: fakeApi([3]) });
    expect(await partly.handler(event, context)).toMatchObject({ failedStores: 1, missedEnqueued: 1 });
    expect(partly.metric(RECONCILER_METRICS.storeFailures)).toBe(1);

    const all = setup({ 511: fakeApi([], true) });
    await expect(all.handler(event, context)).rejects.toThrow(/every store/);
    expect(all.metric(RECONCILER_METRICS.storeFailures)).toBe(1);
  });
});

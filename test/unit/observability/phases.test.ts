import { AsyncLocalStorage } from "node:async_hooks";
import { tracingChannel } from "node:diagnostics_channel";
import { afterEach, describe, expect, it } from "vitest";
import { type PhaseContext, phase, phaseSync, WORKER_PHASE_CHANNEL } from "../../../lib/observability/phases";

const channel = tracingChannel<unknown, PhaseContext & { result?: unknown; error?: unknown }>(
  WORKER_PHASE_CHANNEL,
);
const seen: string[] = [];
const handlers = {
  start: (context: PhaseContext) => seen.push(`start ${context.phase} ${context.orderId}`),
  end: (context: PhaseContext & { result?: unknown; error?: unknown }) =>
    seen.push(`end ${context.phase} ${"result" in context ? "sync" : "pending"}`),
  asyncStart: () => undefined,
  asyncEnd: (context: PhaseContext & { error?: unknown }) =>
    seen.push(`asyncEnd ${context.phase}${context.error ? " failed" : ""}`),
  error: (context: PhaseContext) => seen.push(`error ${context.phase}`),
};

afterEach(() => {
  channel.unsubscribe(handlers);
  seen.length = 0;
});

describe("worker phases", () => {
  it("runs the step directly, and publishes nothing, when nobody subscribes", async () => {
    expect(channel.hasSubscribers).toBe(false);
    expect(await phase("post", { storeId: 1, orderId: 2 }, async () => 42)).toBe(42);
    expect(phaseSync("build", { storeId: 1, orderId: 2 }, () => "body")).toBe("body");
    expect(seen).toEqual([]);
  });

  it("tells a subscriber when each step starts and ends, for which order, and fails the step's own way", async () => {
    channel.subscribe(handlers);
    const key = { storeId: 511, orderId: 7 };
    expect(await phase("order_read", key, async () => "order")).toBe("order");
    expect(phaseSync("build", key, () => "body")).toBe("body");
    await expect(
      phase("post", key, async () => {
        throw new Error("timeout");
      }),
    ).rejects.toThrow("timeout");
    expect(seen).toEqual([
      "start order_read 7",
      "end order_read pending",
      "asyncEnd order_read",
      "start build 7",
      "end build sync",
      "start post 7",
      "end post pending",
      "error post",
      "asyncEnd post failed",
    ]);
  });

  it("lets a subscriber know, inside a step, which step it is (an AsyncLocalStorage bound to its start)", async () => {
    const current = new AsyncLocalStorage<PhaseContext>();
    channel.start.bindStore(current, (context) => context);
    channel.subscribe(handlers);
    try {
      const inside = await phase("reservation", { storeId: 1, orderId: 3 }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return current.getStore()?.phase;
      });
      expect(inside).toBe("reservation");
      expect(current.getStore()).toBeUndefined();
    } finally {
      channel.start.unbindStore(current);
    }
  });
});

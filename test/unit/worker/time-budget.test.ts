import { describe, expect, it, vi } from "vitest";
import { ORDER_EVENTS_QUEUE } from "../../../lib/queue/queue-definition";
import {
  assertTimeForCall,
  canStartMessage,
  DeadlineError,
  invocationDeadline,
  messageBudgetSeconds,
  pollerMarginMs,
  visibilityTimeoutSeconds,
  withDeadline,
  workerTimeoutSeconds,
} from "../../../lib/time-budget";

// The worker's time budget: the timeouts derived from the worst case of its calls, and the per-message deadline.

describe("derived timeouts", () => {
  it("take four sequential calls at their timeout, 5 s of DynamoDB and a 5 s margin", () => {
    expect(messageBudgetSeconds(10)).toBe(45);
    expect(workerTimeoutSeconds(10)).toBe(50);
    expect(visibilityTimeoutSeconds(10)).toBe(300);
    // A slower API configured at synth time moves all three.
    expect(messageBudgetSeconds(20)).toBe(85);
    expect(workerTimeoutSeconds(20)).toBe(90);
    expect(visibilityTimeoutSeconds(20)).toBe(540);
  });

  it("are what the queue definition (and so both stacks) uses, at the default timeout of 10 s", () => {
    expect(ORDER_EVENTS_QUEUE.workerTimeoutSeconds).toBe(50);
    expect(ORDER_EVENTS_QUEUE.visibilityTimeoutSeconds).toBe(300);
  });

  it("leave the poller one call's timeout and 5 s before its own timeout", () => {
    expect(pollerMarginMs(10)).toBe(15_000);
    expect(pollerMarginMs(2)).toBe(7_000);
  });
});

describe("the per-message deadline", () => {
  const START = 1_000_000;

  it("is the invocation's end less the 5 s margin", () => {
    expect(invocationDeadline(START, 50_000)).toBe(START + 45_000);
  });

  it("lets a message start while one call and its writes (15 s) fit before it", () => {
    const deadline = invocationDeadline(START, 50_000);
    expect(canStartMessage(START, START, deadline, 10)).toBe(true);
    expect(canStartMessage(START, deadline - 15_000, deadline, 10)).toBe(true);
    expect(canStartMessage(START, deadline - 14_999, deadline, 10)).toBe(false);
    // With a 1.5 s API timeout a call and its writes take 6.5 s.
    expect(canStartMessage(START, deadline - 6_500, deadline, 1.5)).toBe(true);
    expect(canStartMessage(START, deadline - 6_499, deadline, 1.5)).toBe(false);
  });

  it("lets a message start when no invocation could ever fit one call (waiting would not help)", () => {
    // ACELERALA_TIMEOUT_SECONDS raised to 41 without redeploying: 46 s needed in a 50 s function.
    const deadline = invocationDeadline(START, 50_000);
    expect(canStartMessage(START, START + 30_000, deadline, 41)).toBe(true);
  });
});

describe("withDeadline", () => {
  const api = () => ({
    calls: [] as string[],
    limit: 7,
    async getOrder(id: number) {
      this.calls.push(`getOrder ${id}`);
      return { id, limit: this.limit };
    },
    async createReceipt(body: object) {
      this.calls.push("createReceipt");
      return body;
    },
  });

  it("passes calls through (with the object as `this`) while a call's timeout fits before the deadline", async () => {
    const target = api();
    let now = 0;
    const guarded = withDeadline(target, 30_000, 10_000, () => now);
    expect(await guarded.getOrder(5)).toEqual({ id: 5, limit: 7 });
    now = 20_000;
    expect(await guarded.createReceipt({ a: 1 })).toEqual({ a: 1 });
    expect(target.calls).toEqual(["getOrder 5", "createReceipt"]);
    expect(guarded.limit).toBe(7);
  });

  it("refuses to start a call that could not finish before the deadline: the POST is never sent", async () => {
    const target = api();
    const spy = vi.spyOn(target, "createReceipt");
    const guarded = withDeadline(target, 30_000, 10_000, () => 20_001);
    await expect(async () => guarded.createReceipt({})).rejects.toThrow(DeadlineError);
    expect(() => guarded.createReceipt({})).toThrow(/createReceipt not started: 9999 ms left/);
    expect(spy).not.toHaveBeenCalled();
    expect(target.calls).toEqual([]);
  });

  it("assertTimeForCall names the call and never reports negative time", () => {
    expect(() => assertTimeForCall("getReceipt", 100, 10_000, () => 500)).toThrow(
      "getReceipt not started: 0 ms left before the invocation's deadline, and a call may take 10000 ms",
    );
    expect(() => assertTimeForCall("getReceipt", 20_000, 10_000, () => 10_000)).not.toThrow();
  });
});

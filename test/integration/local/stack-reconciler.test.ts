import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InvocationOutcome } from "../../../infra/local/runner/lambda-function";
import { type LocalStack, startLocalStack } from "../../../infra/local/stack";
import { makeOrder } from "../../../infra/simulator/order-factory";
import type { ReconcilerSummary } from "../../../lib/ops/reconcile-stores";
import { createReceiptStore } from "../../../lib/runtime";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import { localAwsEnv } from "../../support/local-stack";

// The local stack runs the real reconciler handler on a timer, as the AWS stack's hourly EventBridge rule does:
// with the webhook sender down, a paid order reaches the worker only through the reconciler.

const STORE = 511;
let stack: LocalStack;
let store: ReceiptStore;
const runs: InvocationOutcome[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    emulators: { env: localAwsEnv(), namePrefix: `reconciler-${process.pid}`, visibilityTimeoutSeconds: 2 },
    sunatDelayMs: 0,
    reconcileSeconds: 1,
    cdrPollSeconds: 0.5,
    cdrPollBaseSeconds: 0.5,
    workerRetryBaseSeconds: 0.2,
  });
  // The schedule calls `invoke` on the function at each tick: record what every run returned.
  const reconciler = stack.functions.reconciler;
  const invoke = reconciler.invoke.bind(reconciler);
  reconciler.invoke = async (event: unknown) => {
    const outcome = await invoke(event);
    runs.push(outcome);
    return outcome;
  };
  store = createReceiptStore({ region: stack.env.AWS_REGION ?? "", tableName: stack.env.TABLE_NAME ?? "" });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the local stack's reconciler schedule", () => {
  it("runs every reconcileSeconds and issues a paid order whose webhook was lost, exactly once", async () => {
    stack.simulator.setDeliveryConfig({ drop: true });
    // Placed 20 minutes ago: past the reconciler's grace period, inside its look-back.
    const placed = new Date(Date.now() - 20 * 60_000).toISOString();
    const orderId = Number(
      stack.simulator.createOrder(makeOrder(81_001, { placed }, { documentKind: "boleta", currency: "PEN" }))
        .id,
    );
    await expect
      .poll(async () => (await store.get({ storeId: STORE, orderId }))?.state, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe("ACCEPTED");
    // Nothing else could have told the worker: every delivery of the order's webhook was dropped.
    expect(stack.simulator.deliveries().some((delivery) => delivery.status === "dropped")).toBe(true);
    expect(stack.simulator.deliveries().some((delivery) => delivery.status === "delivered")).toBe(false);
    const enqueuedBy = runs.filter((run) => run.ok && (run.result as ReconcilerSummary).missedEnqueued === 1);
    expect(enqueuedBy.length).toBeGreaterThanOrEqual(1);

    // Later runs see the receipt and enqueue nothing more; the order keeps one receipt.
    const runsSoFar = runs.length;
    await expect
      .poll(() => runs.length, { timeout: 10_000, interval: 200 })
      .toBeGreaterThanOrEqual(runsSoFar + 2);
    const later = runs.slice(runsSoFar);
    expect(later.every((run) => run.ok && (run.result as ReconcilerSummary).missedEnqueued === 0)).toBe(true);
    expect(stack.simulator.listReceipts({ order_id: String(orderId), limit: "100" }).data).toHaveLength(1);
  }, 60_000);
});

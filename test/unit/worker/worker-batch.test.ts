import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { ChangeMessageVisibilityCommand, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it, vi } from "vitest";
import { operatorEvent, orderEventMessageBody } from "../../../lib/queue/order-events";
import type { ReceiptRecord } from "../../../lib/store/receipt-record";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import type { QueueRecord } from "../../../lib/worker/fifo-batch";
import type { WorkerApi } from "../../../lib/worker/issue-receipt";
import { processOrderEventBatch, type WorkerDependencies } from "../../../lib/worker/worker";

// The worker's batch with fakes and a fake clock: the per-message deadline (a message starts only if its worst
// case fits, no call starts that could not finish), the back-off, the DLQ on the last receive, and the metrics.

const START = 1_000_000;

function orderMessage(id: string, orderId: number, receives = 1, receiptId?: number): QueueRecord {
  const event = {
    ...operatorEvent(511, orderId, `evt_${id}`, new Date(START)),
    ...(receiptId ? { receiptId } : {}),
  };
  if (receiptId) event.type = "receipts.created.accepted";
  return {
    messageId: id,
    receiptHandle: `handle-${id}`,
    body: orderEventMessageBody(event),
    attributes: {
      ApproximateReceiveCount: String(receives),
      SentTimestamp: String(START),
      MessageGroupId: `511#${orderId}`,
    },
  };
}

function setup(options: { apiCallMs?: number; recordReadMs?: number } = {}) {
  let now = START;
  const visibility: Array<{ handle: string | undefined; seconds: number | undefined }> = [];
  const sqs = {
    send: async (command: ChangeMessageVisibilityCommand) => {
      visibility.push({ handle: command.input.ReceiptHandle, seconds: command.input.VisibilityTimeout });
      return {};
    },
  } as unknown as SQSClient;
  const metrics = new Metrics({ namespace: "Test", serviceName: "receipt-worker" });
  const added = vi.spyOn(metrics, "addMetric");
  const apiCalls: string[] = [];
  const api: Pick<WorkerApi, "getOrder"> = {
    getOrder: async (id) => {
      apiCalls.push(`getOrder ${id}`);
      now += options.apiCallMs ?? 100;
      return { id, payment_status: "pending" };
    },
  };
  const receiptCalls: number[] = [];
  const deps: WorkerDependencies = {
    issue: {
      store: { get: async () => undefined } as unknown as ReceiptStore,
      api: async () => api as WorkerApi,
      // An unpaid order: skipped without any write, so each message makes exactly one call (the order).
      decide: () => ({ action: "skip", rule: "payment_status", reason: "the order is not paid" }),
      decideNote: () => {
        throw new Error("no credit notes here");
      },
      now: () => new Date(now),
      firstPollDelayMs: 60_000,
      lookupDelayMs: 60_000,
    },
    receiptEvents: {
      getRecord: async () => {
        now += options.recordReadMs ?? 5;
        return { state: "SUBMITTED", documentNumber: "B001-1", receiptId: 77 } as ReceiptRecord;
      },
      getReceipt: async (_storeId, receiptId) => {
        receiptCalls.push(receiptId);
        throw new Error("the API is down");
      },
      recordSunatAnswer: async () => {
        throw new Error("not reached");
      },
      now: () => new Date(now),
    },
    sqs,
    queueUrl: "http://127.0.0.1:1/000000000000/q.fifo",
    retryBaseSeconds: 10,
    aceleralaTimeoutSeconds: 10,
    logger: new Logger({ serviceName: "receipt-worker", logLevel: "SILENT" }),
    metrics,
    clock: () => now,
  };
  const counted = (name: string) =>
    added.mock.calls.filter(([metric]) => metric === name).reduce((sum, call) => sum + Number(call[2]), 0);
  return { deps, visibility, apiCalls, receiptCalls, counted };
}

describe("processOrderEventBatch", () => {
  it("settles every message when the API is quick", async () => {
    const { deps, apiCalls, counted } = setup();
    const result = await processOrderEventBatch(
      [orderMessage("a", 1), orderMessage("b", 1), orderMessage("c", 2)],
      50_000,
      deps,
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(apiCalls.sort()).toEqual(["getOrder 1", "getOrder 1", "getOrder 2"]);
    expect(counted("OrdersSkipped")).toBe(3);
  });

  it("returns a later event of an order untried, visible at once, when one call no longer fits before the deadline", async () => {
    // The order's first event takes 31 s: 14 s are left before the deadline, less than a call and its writes.
    const { deps, visibility, apiCalls, counted } = setup({ apiCallMs: 31_000 });
    const result = await processOrderEventBatch([orderMessage("a", 1), orderMessage("b", 1)], 50_000, deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "b" }]);
    expect(apiCalls).toEqual(["getOrder 1"]);
    expect(visibility).toEqual([{ handle: "handle-b", seconds: 0 }]);
    expect(counted("MessagesDeferred")).toBe(1);
    expect(counted("ReceiptRetries")).toBe(0);
  });

  it("tries a message on its last receive whatever time is left, and stops before a call that could not finish", async () => {
    // The order's first event takes 40 s: 5 s are left. The second is on its last receive, so it starts
    // (deferring it would dead-letter it untried), but its call to Acelérala (10 s timeout) is not started: it
    // goes to the DLQ as retries exhausted, having sent nothing.
    const { deps, visibility, apiCalls, counted } = setup({ apiCallMs: 40_000 });
    const result = await processOrderEventBatch(
      [orderMessage("a", 3), orderMessage("z", 3, 5)],
      50_000,
      deps,
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "z" }]);
    expect(apiCalls).toEqual(["getOrder 3"]);
    expect(counted("MessagesDeferred")).toBe(0);
    expect(counted("ReceiptRetries")).toBe(1);
    expect(counted("ReceiptRetriesExhausted")).toBe(1);
    expect(visibility).toEqual([]);
  });

  it("starts a message a whole invocation could not fit anyway: waiting for another would not help", async () => {
    // ACELERALA_TIMEOUT_SECONDS raised to 41 after the deploy: a call and its writes need 46 s, 45 are left.
    const { deps, apiCalls, counted } = setup();
    const result = await processOrderEventBatch([orderMessage("a", 8)], 50_000, {
      ...deps,
      aceleralaTimeoutSeconds: 41,
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(apiCalls).toEqual(["getOrder 8"]);
    expect(counted("MessagesDeferred")).toBe(0);
  });

  it("stops a receipt event before its API call when a slow read left too little time, and backs off", async () => {
    // The record read takes 40 s: 5 s are left before the deadline, less than one call's 10 s timeout.
    const { deps, visibility, receiptCalls, counted } = setup({ recordReadMs: 40_000 });
    const result = await processOrderEventBatch([orderMessage("r", 4, 1, 77)], 50_000, deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "r" }]);
    expect(receiptCalls).toEqual([]);
    expect(visibility).toEqual([{ handle: "handle-r", seconds: 10 }]);
    expect(counted("ReceiptRetries")).toBe(1);
  });

  it("backs off a transient failure exponentially by receive count, and keeps the rest of the order's group", async () => {
    const { deps, visibility, receiptCalls, counted } = setup();
    const result = await processOrderEventBatch(
      [orderMessage("r1", 4, 3, 77), orderMessage("r2", 4, 3, 77), orderMessage("o", 5)],
      50_000,
      deps,
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "r1" }, { itemIdentifier: "r2" }]);
    expect(receiptCalls).toEqual([77]);
    expect(visibility).toEqual([{ handle: "handle-r1", seconds: 40 }]);
    expect(counted("ReceiptRetries")).toBe(1);
    expect(counted("OrdersSkipped")).toBe(1);
  });

  it("sends an unreadable message towards the DLQ instead of dropping it", async () => {
    const { deps, visibility, counted } = setup();
    const broken: QueueRecord = { ...orderMessage("x", 6), body: "{not json" };
    const result = await processOrderEventBatch([broken], 50_000, deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "x" }]);
    expect(visibility).toEqual([{ handle: "handle-x", seconds: 10 }]);
    expect(counted("ReceiptRetries")).toBe(1);
  });
});

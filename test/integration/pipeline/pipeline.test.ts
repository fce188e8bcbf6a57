import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack, WEBHOOK_PATH } from "../../../infra/local/stack";
import { makeBrokenOrder, makeOrder } from "../../../infra/simulator/order-factory";
import { replayDlq } from "../../../lib/ops/dlq";
import { createSqsClient } from "../../../lib/queue/order-events";
import { createReceiptStore } from "../../../lib/runtime";
import type { ReceiptState } from "../../../lib/store/receipt-record";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import { generateWebhookSecret, signWebhook } from "../../../lib/webhook/signature";
import { localAwsEnv } from "../../support/local-stack";
import { waitForReceiptState } from "../../support/receipts";

// The whole pipeline on the local stack, over real HTTP and real queues: simulator → signed webhook →
// receiver (Function URL server) → SQS FIFO → worker (child-process Lambda environments) → simulator →
// DynamoDB → CDR poller (timer) → ACCEPTED. Timings are shortened (SUNAT answers in 200 ms, the poller runs
// twice a second, retries back off from 0.2 s) so the suite stays fast.

const SIGNING_SECRET = generateWebhookSecret();
const OTHER_ACTIVE_SECRET = generateWebhookSecret();

let stack: LocalStack;
let store: ReceiptStore;
let seed = 50_000;

beforeAll(async () => {
  stack = await startLocalStack({
    emulators: { env: localAwsEnv(), namePrefix: `pipeline-${process.pid}`, visibilityTimeoutSeconds: 2 },
    webhookSecrets: [SIGNING_SECRET, OTHER_ACTIVE_SECRET],
    sunatDelayMs: 200,
    cdrPollSeconds: 0.5,
    cdrPollBaseSeconds: 0.5,
    workerRetryBaseSeconds: 0.2,
    aceleralaTimeoutSeconds: 1.5,
    receiptLookupDelaySeconds: 2,
    webhookRetryBaseDelayMs: 100,
  });
  store = createReceiptStore({ region: stack.env.AWS_REGION ?? "", tableName: stack.env.TABLE_NAME ?? "" });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function placeOrder(overrides: Parameters<typeof makeOrder>[1] = {}, kind: "boleta" | "factura" = "boleta") {
  const order = stack.simulator.createOrder(
    makeOrder(seed++, overrides, { documentKind: kind, currency: "PEN" }),
  );
  return { storeId: 511, orderId: Number(order.id) };
}

function receiptsOf(orderId: number) {
  return stack.simulator.listReceipts({ order_id: String(orderId), limit: "100" }).data;
}

function waitForState(key: { storeId: number; orderId: number }, states: ReceiptState[], timeout = 20_000) {
  return waitForReceiptState(store, key, states, timeout);
}

async function postWebhook(body: string, headers: Record<string, string>) {
  const response = await fetch(`${stack.receiverUrl}${WEBHOOK_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, body: await response.text() };
}

function envelopeFor(orderId: number, id = `evt_test_${orderId}_${Date.now()}`) {
  const order = stack.simulator.getOrder(orderId);
  return {
    id,
    body: JSON.stringify({
      id,
      type: "orders.updated.placed",
      created: new Date().toISOString(),
      store_id: 511,
      data: { object: order },
    }),
  };
}

describe("pipeline on the local stack", () => {
  it("turns a placed, paid order into one ACCEPTED receipt with CDR, XML and PDF links", async () => {
    const placedAt = Date.now();
    const key = placeOrder({}, "factura");
    const record = await waitForState(key, ["ACCEPTED"]);
    expect(record).toMatchObject({ sunatCode: "0", series: "F001" });
    expect(record.cdrUrl).toMatch(/\.zip$/);
    expect(record.xmlUrl).toMatch(/\.xml$/);
    expect(record.pdfUrl).toMatch(/\.pdf$/);
    expect(record.history.map((t) => t.to)).toEqual(["RESERVED", "SUBMITTED", "ACCEPTED"]);
    expect(receiptsOf(key.orderId)).toHaveLength(1);
    // The event's time is when the receiver queued it (SQS SentTimestamp): after placing, before reserving.
    const eventAt = Date.parse(record.eventAt ?? "");
    expect(eventAt).toBeGreaterThanOrEqual(placedAt - 1_000);
    expect(eventAt).toBeLessThan(Date.parse(record.createdAt));
  });

  it("gives one receipt for a duplicated delivery and for several events of the same order", async () => {
    const key = placeOrder();
    const [event] = stack.simulator
      .deliveries()
      .filter((d) => d.event_type === "orders.created.placed")
      .slice(-1);
    expect(event).toBeDefined();
    stack.simulator.redeliverEvent(event?.event_id ?? "");
    stack.simulator.updateOrder(key.orderId, { note: "regalo" }); // orders.updated.placed
    stack.simulator.updateOrder(key.orderId, { note: "regalo, sin factura" });
    await waitForState(key, ["ACCEPTED"]);
    await stack.simulator.deliveriesSettled();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // let the late events reach the worker
    expect(receiptsOf(key.orderId)).toHaveLength(1);
    expect((await store.get(key))?.history.filter((t) => t.to === "RESERVED")).toHaveLength(1);
  });

  it("gives one receipt when the worker process is killed after the POST landed and before recording it", async () => {
    // The simulator commits the receipt and holds the answer; meanwhile the worker's environment is killed.
    stack.simulator.setFaults([
      { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1, timeoutMode: "hold" },
    ]);
    const key = placeOrder();
    await expect.poll(() => receiptsOf(key.orderId).length, { timeout: 15_000, interval: 50 }).toBe(1);
    expect((await store.get(key))?.state).toBe("RESERVED");
    const killed = stack.functions.worker.kill();
    expect(killed).toBeTruthy();
    stack.simulator.clearFaults();
    const record = await waitForState(key, ["ACCEPTED"]);
    expect(receiptsOf(key.orderId)).toHaveLength(1);
    expect(record.receiptId).toBe(Number(receiptsOf(key.orderId)[0]?.id));
  });

  it("moves an order whose POST fails five times to the DLQ, and a replay issues exactly one receipt", async () => {
    stack.simulator.setFaults([
      { kind: "error_before_commit", routes: ["POST /v1/receipts"], count: 5, status: 503 },
    ]);
    const key = placeOrder();
    const sqs = createSqsClient(stack.env.AWS_REGION);
    const dlqUrl = stack.env.ORDER_EVENTS_DLQ_URL ?? "";
    // Five receives (the redrive count), each failing with a 503 and backing off, then the DLQ.
    await expect
      .poll(async () => (await store.get(key))?.lastError ?? "", { timeout: 30_000, interval: 200 })
      .toMatch(/503/);
    await expect
      .poll(() => stack.simulator.getFaults().injected.error_before_commit, {
        timeout: 30_000,
        interval: 200,
      })
      .toBe(5);
    let moved = 0;
    await expect
      .poll(
        async () => {
          moved += (
            await replayDlq(sqs, { dlqUrl, queueUrl: stack.env.ORDER_EVENTS_QUEUE_URL ?? "", waitSeconds: 0 })
          ).moved;
          return moved;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(1);
    expect(receiptsOf(key.orderId)).toHaveLength(0); // nothing reached the API while it failed
    const record = await waitForState(key, ["ACCEPTED"]);
    expect(receiptsOf(key.orderId)).toHaveLength(1);
    expect(record.documentNumber).toBe(receiptsOf(key.orderId)[0]?.document_number);
    // A second replay of the same event (an operator running it twice) changes nothing.
    expect(
      (await replayDlq(sqs, { dlqUrl, queueUrl: stack.env.ORDER_EVENTS_QUEUE_URL ?? "", waitSeconds: 0 }))
        .moved,
    ).toBe(0);
    sqs.destroy();
  });

  it("records SUNAT's rejection with its code", async () => {
    const key = placeOrder({ payment_status: "pending" });
    stack.simulator.setSunatPolicy({ forced: { [String(key.orderId)]: "rejected" } });
    stack.simulator.updateOrder(key.orderId, { payment_status: "paid" });
    const record = await waitForState(key, ["REJECTED"]);
    expect(Number(record.sunatCode)).toBeGreaterThanOrEqual(2000);
    expect(record.sunatMessage).toBeTruthy();
  });

  it("flags a Boleta over S/ 700 without a document as NEEDS_ATTENTION and never submits it", async () => {
    const order = stack.simulator.createOrder(makeBrokenOrder("boleta_over_700_without_document", seed++));
    const key = { storeId: 511, orderId: Number(order.id) };
    const record = await waitForState(key, ["NEEDS_ATTENTION"]);
    expect(record.problems?.map((p) => p.rule)).toContain("boleta_identity_required");
    expect(receiptsOf(key.orderId)).toHaveLength(0);
  });

  it("refuses forged, stale and future-dated signatures, and accepts every active secret", async () => {
    const key = placeOrder({ payment_status: "pending" });
    const { id, body } = envelopeFor(key.orderId);
    const now = Math.floor(Date.now() / 1000);
    const forged = signWebhook(generateWebhookSecret(), id, now, body);
    expect((await postWebhook(body, forged)).status).toBe(401);
    const stale = signWebhook(SIGNING_SECRET, id, now - 301, body);
    expect((await postWebhook(body, stale)).status).toBe(401);
    const future = signWebhook(SIGNING_SECRET, id, now + 301, body);
    expect((await postWebhook(body, future)).status).toBe(401);
    const tampered = signWebhook(SIGNING_SECRET, id, now, body);
    expect((await postWebhook(body.replace('"store_id":511', '"store_id":512'), tampered)).status).toBe(401);

    // Rotation: a delivery signed with the second active secret is accepted too.
    const rotated = signWebhook(OTHER_ACTIVE_SECRET, id, now, body);
    const accepted = await postWebhook(body, rotated);
    expect(accepted.status).toBe(202);
    expect(JSON.parse(accepted.body)).toMatchObject({ status: "accepted", id });
  });

  it("answers 400 naming the problem for malformed JSON and a wrong envelope", async () => {
    const now = Math.floor(Date.now() / 1000);
    const malformed = '{"id": "evt_x", ';
    const response = await postWebhook(malformed, signWebhook(SIGNING_SECRET, "evt_x", now, malformed));
    expect(response.status).toBe(400);
    const wrongShape = JSON.stringify({
      id: "evt_y",
      type: "orders.updated.placed",
      store_id: 511,
      data: {},
    });
    const shape = await postWebhook(wrongShape, signWebhook(SIGNING_SECRET, "evt_y", now, wrongShape));
    expect(shape.status).toBe(400);
    expect(shape.body).toMatch(/data/);
  });
});

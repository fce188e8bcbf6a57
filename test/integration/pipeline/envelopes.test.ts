import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack, WEBHOOK_PATH } from "../../../infra/local/stack";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { createSqsClient } from "../../../lib/queue/order-events";
import { createReceiptStore } from "../../../lib/runtime";
import type { ReceiptRecord, ReceiptState } from "../../../lib/store/receipt-record";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import { RECEIPT_EVENT_TYPES } from "../../../lib/webhook/envelope";
import { generateWebhookSecret, signWebhook } from "../../../lib/webhook/signature";
import { localAwsEnv } from "../../support/local-stack";
import { waitForReceiptState } from "../../support/receipts";

// Every legitimate delivery form, over real HTTP on the local stack: receiver (Function URL server) → SQS FIFO →
// worker → simulator → DynamoDB. The CDR poller is an hour away, so every ACCEPTED below was recorded from a
// receipt event (SUNAT's answer by webhook). The simulator delivers only the receipt events; the order events
// are the deliveries each test sends itself.

const SECRET = generateWebhookSecret();
const HOUR = 3600;

let stack: LocalStack;
let store: ReceiptStore;
let seed = 70_000;

beforeAll(async () => {
  stack = await startLocalStack({
    emulators: { env: localAwsEnv(), namePrefix: `envelopes-${process.pid}`, visibilityTimeoutSeconds: 2 },
    webhookSecrets: [SECRET],
    sunatDelayMs: 300,
    cdrPollSeconds: HOUR,
    cdrPollBaseSeconds: HOUR,
    workerRetryBaseSeconds: 0.2,
    webhookRetryBaseDelayMs: 100,
    webhookEvents: RECEIPT_EVENT_TYPES,
  });
  store = createReceiptStore({ region: stack.env.AWS_REGION ?? "", tableName: stack.env.TABLE_NAME ?? "" });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function placeOrder(options: Parameters<typeof makeOrder>[2] = {}) {
  const order = stack.simulator.createOrder(
    makeOrder(seed++, {}, { documentKind: "factura", currency: "PEN", ...options }),
  );
  return { storeId: 511, orderId: Number(order.id), order: stack.simulator.getOrder(Number(order.id)) };
}

function receiptsOf(orderId: number) {
  return stack.simulator.listReceipts({ order_id: String(orderId), limit: "100" }).data;
}

function waitForState(key: { storeId: number; orderId: number }, states: ReceiptState[], timeout = 20_000) {
  return waitForReceiptState(store, key, states, timeout);
}

async function post(body: string, webhookId: string, path = WEBHOOK_PATH) {
  const headers = signWebhook(SECRET, webhookId, Math.floor(Date.now() / 1000), body);
  const response = await fetch(`${stack.receiverUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** ACCEPTED with SUNAT's answer, recorded from the receipt event (the poller never ran). */
function expectAcceptedByReceiptEvent(record: ReceiptRecord) {
  expect(record.state).toBe("ACCEPTED");
  expect(record.sunatCode).toBe("0");
  expect(record.cdrUrl).toMatch(/\.zip$/);
  expect(record.pollCount ?? 0).toBe(0);
  expect(record.history.map((t) => t.to)).toEqual(["RESERVED", "SUBMITTED", "ACCEPTED"]);
}

describe("deliveries in every legitimate form", () => {
  it("a receipt event records ACCEPTED before the poller runs (it is an hour away)", async () => {
    const key = placeOrder();
    const started = Date.now();
    expect(
      (
        await post(
          JSON.stringify({
            id: "evt_a",
            type: "orders.created.placed",
            store_id: 511,
            data: { object: key.order },
          }),
          `evt_re_${key.orderId}`,
        )
      ).status,
    ).toBe(202);
    const record = await waitForState(key, ["ACCEPTED"], 15_000);
    expectAcceptedByReceiptEvent(record);
    expect(Date.now() - started).toBeLessThan(15_000);
    const receipt = receiptsOf(key.orderId)[0];
    expect(record.receiptId).toBe(Number(receipt?.id));
    // The simulator delivered receipts.created and receipts.created.accepted for it, and both were taken.
    const delivered = stack.simulator
      .deliveries()
      .filter((d) => d.status === "delivered" && d.event_type.startsWith("receipts."))
      .map((d) => d.event_type);
    expect(delivered).toEqual(expect.arrayContaining(["receipts.created", "receipts.created.accepted"]));
  });

  it("a Svix-style delivery: msg_ id in the header, no id in the payload", async () => {
    const key = placeOrder();
    const body = JSON.stringify({
      type: "orders.updated.placed",
      store_id: 511,
      data: { object: key.order },
    });
    const answer = await post(body, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W");
    expect(answer).toEqual({
      status: 202,
      body: { status: "accepted", id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" },
    });
    expectAcceptedByReceiptEvent(await waitForState(key, ["ACCEPTED"]));
  });

  it("a Standard Webhooks body {type, timestamp, data} with the order as data", async () => {
    const key = placeOrder();
    const body = JSON.stringify({
      type: "orders.created.placed",
      timestamp: "2026-11-21T10:00:00-0500",
      data: key.order,
    });
    expect((await post(body, `msg_std_${key.orderId}`)).status).toBe(202);
    expectAcceptedByReceiptEvent(await waitForState(key, ["ACCEPTED"]));
  });

  it("the seed's timestamp forms: Z, -05, -0500, -05:00", async () => {
    const forms = [
      "2026-11-21T15:00:00.000Z",
      "2020-07-21T20:31:56.000-05",
      "2022-03-27T12:30:18.000-0500",
      "2026-11-21T10:00:00-05:00",
    ];
    const keys = [];
    for (const created of forms) {
      const key = placeOrder();
      keys.push(key);
      const body = JSON.stringify({
        id: `evt_t_${key.orderId}`,
        type: "orders.updated.placed",
        created,
        store_id: 511,
        data: { object: key.order },
      });
      expect((await post(body, `evt_t_${key.orderId}`)).status).toBe(202);
    }
    for (const key of keys) expectAcceptedByReceiptEvent(await waitForState(key, ["ACCEPTED"]));
  });

  it("an unhandled type with a foreign shape → 200 ignored, nothing issued", async () => {
    const body = JSON.stringify({
      type: "invoice.paid",
      object: "event",
      payload: [{ id: "in_1" }],
      store_id: "tienda-511",
    });
    expect(await post(body, "msg_foreign")).toEqual({ status: 200, body: { status: "ignored" } });
  });

  it("a 1,000-line order with emoji and U+FFFE in names: accepted, queued as a reference, re-read by the worker", async () => {
    // The names are the order's own (the worker re-reads it from the API), and the delivery carries them too.
    const factory = makeOrder(seed++, {}, { documentKind: "factura", currency: "PEN", lineCount: 1000 });
    const lines = factory.lines.map((line, index) => ({ ...line, name: `Polo 👕 ${index} \uFFFE\uFFFF` }));
    const created = stack.simulator.createOrder({ ...factory, lines });
    const key = { storeId: 511, orderId: Number(created.id) };
    const order = stack.simulator.getOrder(key.orderId);
    const body = JSON.stringify({
      id: "evt_big",
      type: "orders.updated.placed",
      store_id: 511,
      data: { object: order },
    });
    expect(Buffer.byteLength(body)).toBeGreaterThan(256 * 1024); // the old receiver's 413, and SQS's limit
    expect(body).toContain("\uFFFE"); // SQS refuses U+FFFE in a message
    stack.simulator.resetStats();
    expect(await post(body, `evt_big_${key.orderId}`)).toEqual({
      status: 202,
      body: { status: "accepted", id: `evt_big_${key.orderId}` },
    });
    // The reference reached the worker, which re-read the order from the API and issued its 1,000-item receipt.
    const record = await waitForState(key, ["ACCEPTED", "NEEDS_ATTENTION"]);
    expect(stack.simulator.getStats().requests["GET /v1/orders/{id}"] ?? 0).toBeGreaterThanOrEqual(1);
    expect(record?.problems ?? []).toEqual([]);
    expect(record?.state).toBe("ACCEPTED");
  }, 60_000);

  it('"0123" and 123 are one order: one FIFO group, one receipt', async () => {
    const key = placeOrder();
    const padded = `0${key.orderId}`;
    const asText = JSON.stringify({
      type: "orders.updated.placed",
      store_id: "0511",
      data: { object: { ...key.order, id: padded } },
    });
    const asNumber = JSON.stringify({
      type: "orders.updated.placed",
      store_id: 511,
      data: { object: key.order },
    });
    const [a, b] = await Promise.all([
      post(asText, `msg_pad_${key.orderId}`),
      post(asNumber, `msg_num_${key.orderId}`),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    await waitForState(key, ["ACCEPTED"]);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the second event reach the worker
    expect(receiptsOf(key.orderId)).toHaveLength(1);
    expect((await store.get(key))?.history.filter((t) => t.to === "RESERVED")).toHaveLength(1);
  });

  it("the per-store path: a payload that names no store is filed under /webhooks/acelerala/{storeId}", async () => {
    const key = placeOrder();
    const { store_id: _store, ...order } = key.order;
    const body = JSON.stringify({ type: "orders.created.placed", data: order });
    expect((await post(body, `msg_path_${key.orderId}`)).status).toBe(400);
    expect((await post(body, `msg_path_${key.orderId}`, `${WEBHOOK_PATH}/511`)).status).toBe(202);
    expectAcceptedByReceiptEvent(await waitForState(key, ["ACCEPTED"]));
  });

  it("an old whole-envelope message already on the queue (an earlier version's) is still issued", async () => {
    const key = placeOrder();
    const sqs = createSqsClient(stack.env.AWS_REGION);
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.env.ORDER_EVENTS_QUEUE_URL,
          MessageBody: JSON.stringify({
            id: `evt_legacy_${key.orderId}`,
            type: "orders.updated.placed",
            created: new Date().toISOString(),
            store_id: 511,
            data: { object: key.order },
          }),
          MessageGroupId: `511#${key.orderId}`,
          MessageDeduplicationId: `evt_legacy_${key.orderId}`,
        }),
      );
    } finally {
      sqs.destroy();
    }
    expectAcceptedByReceiptEvent(await waitForState(key, ["ACCEPTED"]));
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeBrokenOrder, makeOrder } from "../../../infra/simulator/order-factory";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { AceleralaClient } from "../../../lib/acelerala/client";
import { loadStores } from "../../../lib/config/stores";
import type { StoreConfig } from "../../../lib/receipt";
import { createReceiptStore } from "../../../lib/runtime";
import type { ReceiptStore } from "../../../lib/store/receipt-store";
import { decideForOrder } from "../../../lib/worker/decide";
import { type IssueDeps, issueReceipt } from "../../../lib/worker/issue-receipt";

// The worker's exactly-once logic against the real pieces: DynamoDB Local (global setup), the Acelérala
// simulator over HTTP, the real client and the real receipt domain. Faults come from the simulator's own
// fault injection; a "crash" is a store whose next write throws, as a killed process would leave it.

let simulator: Simulator;
let store: ReceiptStore;
let stores: StoreConfig[];
let client: AceleralaClient;
let seed = 1_000;

beforeAll(async () => {
  simulator = await startSimulator({ sunatDelayMs: 0, seed: 7 });
  store = createReceiptStore({
    region: process.env.AWS_REGION ?? "us-east-1",
    tableName: process.env.TABLE_NAME ?? "",
  });
  stores = await loadStores("config/stores.json");
  client = new AceleralaClient({
    baseUrl: simulator.url,
    credentials: { client_id: "demo-client", client_secret: "demo-secret" },
    timeoutMs: 1_000,
  });
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(() => {
  simulator.clearFaults();
  simulator.setSunatPolicy({ delayMs: 0, rejectRate: 0, observationRate: 0, forced: {} });
});

function deps(overrides: Partial<IssueDeps> = {}): IssueDeps {
  return {
    store,
    api: async () => client,
    decide: (order, storeId) => decideForOrder(order, storeId, stores),
    now: () => new Date(),
    firstPollDelayMs: 60_000,
    ...overrides,
  };
}

/** A fresh paid, placed order in the simulator; the key the worker would get from its event. */
function placeOrder(kind: "boleta" | "factura" = "boleta") {
  const order = simulator.createOrder(makeOrder(seed++, {}, { documentKind: kind, currency: "PEN" }));
  return { storeId: 511, orderId: Number(order.id) };
}

function receiptsOf(orderId: number) {
  return simulator.listReceipts({ order_id: String(orderId), limit: "100" }).data;
}

describe("issueReceipt", () => {
  it("issues one receipt and records SUNAT's answer when it comes with the POST", async () => {
    const key = placeOrder("factura");
    const eventAt = new Date(Date.now() - 1_500);
    const outcome = await issueReceipt(key, deps(), eventAt);
    expect(outcome.status).toBe("issued");
    const record = await store.get(key);
    expect(record).toMatchObject({ state: "ACCEPTED", sunatCode: "0", series: "F001" });
    expect(record?.cdrUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
    expect(record?.eventAt).toBe(eventAt.toISOString());
    expect(receiptsOf(key.orderId)).toHaveLength(1);
  });

  it("leaves a receipt SUBMITTED, due for the poller, while SUNAT has not answered", async () => {
    simulator.setSunatPolicy({ delayMs: 60_000 });
    const key = placeOrder();
    const before = Date.now();
    await issueReceipt(key, deps());
    const record = await store.get(key);
    expect(record).toMatchObject({ state: "SUBMITTED", pendingCdr: "PENDING" });
    expect(record?.nextPollAt).toBeGreaterThanOrEqual(before + 60_000);
  });

  it("gives one receipt for the same event handled twice, and for two different events of one order", async () => {
    const key = placeOrder();
    const outcomes = await Promise.all([issueReceipt(key, deps()), issueReceipt(key, deps())]);
    const again = await issueReceipt(key, deps());
    expect(outcomes.map((o) => o.status).sort()).toEqual(expect.arrayContaining(["issued"]));
    expect(again.status).toBe("already_issued");
    expect(receiptsOf(key.orderId)).toHaveLength(1);
  });

  it("gives one receipt when the worker crashed after the POST and before recording it", async () => {
    const key = placeOrder();
    const crashingStore = Object.create(store) as ReceiptStore;
    crashingStore.markSubmitted = async () => {
      throw new Error("process killed");
    };
    await expect(issueReceipt(key, deps({ store: crashingStore }))).rejects.toThrow("process killed");
    expect(await store.get(key)).toMatchObject({ state: "RESERVED" });
    expect(receiptsOf(key.orderId)).toHaveLength(1); // the POST landed

    const retried = await issueReceipt(key, deps());
    expect(retried.status).toBe("issued");
    expect(receiptsOf(key.orderId)).toHaveLength(1);
    const record = await store.get(key);
    expect(record?.state).toBe("ACCEPTED");
    expect(record?.receiptId).toBe(Number(receiptsOf(key.orderId)[0]?.id));
  });

  it("gives one receipt when the API committed but the answer timed out", async () => {
    const key = placeOrder();
    simulator.setFaults([
      { kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1, timeoutMode: "destroy" },
    ]);
    const first = await issueReceipt(key, deps());
    expect(first).toMatchObject({ status: "retry" });
    expect(receiptsOf(key.orderId)).toHaveLength(1);
    const record = await store.get(key);
    expect(record?.lastError).toMatch(/POST \/v1\/receipts/);

    const second = await issueReceipt(key, deps());
    expect(second.status).toBe("issued");
    expect(receiptsOf(key.orderId)).toHaveLength(1);
  });

  it("keeps the number through repeated 5xx and issues once when the API recovers", async () => {
    const key = placeOrder();
    simulator.setFaults([
      { kind: "error_before_commit", routes: ["POST /v1/receipts"], count: 5, status: 503 },
    ]);
    const numbers = new Set<string | undefined>();
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await issueReceipt(key, deps())).status).toBe("retry");
      numbers.add((await store.get(key))?.documentNumber);
    }
    expect(numbers.size).toBe(1);
    expect(receiptsOf(key.orderId)).toHaveLength(0);
    expect((await issueReceipt(key, deps())).status).toBe("issued");
    expect(receiptsOf(key.orderId)).toHaveLength(1);
    expect(receiptsOf(key.orderId)[0]?.document_number).toBe([...numbers][0]);
  });

  it("asks to come back after Retry-After on a 429", async () => {
    const key = placeOrder();
    simulator.setFaults([
      { kind: "rate_limit", routes: ["GET /v1/orders/{id}"], count: 1, retryAfterSeconds: 7 },
    ]);
    expect(await issueReceipt(key, deps())).toMatchObject({ status: "retry", delaySeconds: 7 });
    expect(await store.get(key)).toBeUndefined(); // nothing reserved before the order was read
  });

  it("records SUNAT's rejection with its code", async () => {
    const key = placeOrder();
    simulator.setSunatPolicy({ forced: { [String(key.orderId)]: "rejected" } });
    await issueReceipt(key, deps());
    const record = await store.get(key);
    expect(record?.state).toBe("REJECTED");
    expect(Number(record?.sunatCode)).toBeGreaterThanOrEqual(2000);
    expect(Number(record?.sunatCode)).toBeLessThan(4000);
  });

  it("flags a Boleta over S/ 700 without a document and never submits it", async () => {
    const order = simulator.createOrder(makeBrokenOrder("boleta_over_700_without_document", seed++));
    const key = { storeId: 511, orderId: Number(order.id) };
    const outcome = await issueReceipt(key, deps());
    expect(outcome.status).toBe("needs_attention");
    const record = await store.get(key);
    expect(record?.state).toBe("NEEDS_ATTENTION");
    expect(record?.problems).toContainEqual(
      expect.objectContaining({ field: "billing_details.document_type", rule: "boleta_identity_required" }),
    );
    expect(record?.series).toBeUndefined();
    expect(receiptsOf(key.orderId)).toHaveLength(0);
  });

  it("issues under the same flow once the merchant fixes a flagged order", async () => {
    const order = simulator.createOrder(makeBrokenOrder("factura_invalid_ruc_check_digit", seed++));
    const key = { storeId: 511, orderId: Number(order.id) };
    expect((await issueReceipt(key, deps())).status).toBe("needs_attention");
    simulator.updateOrder(key.orderId, { billing_details: { document_number: "20601373034" } });
    expect((await issueReceipt(key, deps())).status).toBe("issued");
    const record = await store.get(key);
    expect(record?.history.map((t) => t.to)).toEqual(["NEEDS_ATTENTION", "RESERVED", "ACCEPTED"]);
    expect(receiptsOf(key.orderId)).toHaveLength(1);
  });

  it("does not issue for an unpaid or cancelled order", async () => {
    const unpaid = simulator.createOrder(makeOrder(seed++, { payment_status: "pending" }));
    expect(await issueReceipt({ storeId: 511, orderId: Number(unpaid.id) }, deps())).toMatchObject({
      status: "skipped",
    });
    const key = placeOrder();
    simulator.cancelOrder(key.orderId);
    expect((await issueReceipt(key, deps())).status).toBe("skipped");
    expect(receiptsOf(key.orderId)).toHaveLength(0);
  });
});

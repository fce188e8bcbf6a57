import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { AceleralaClient } from "../../../lib/acelerala/client";
import { loadStores } from "../../../lib/config/stores";
import { buildReceipt, type StoreConfig } from "../../../lib/receipt";
import { failure } from "../../unit/acelerala/fake-fetch";

// The client against the real Acelérala simulator (in-process HTTP server on a free loopback port).
const DEMO = { client_id: "demo-client", client_secret: "demo-secret" };

let simulator: Simulator;
let store: StoreConfig;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, sunatDelayMs: 0 });
  const stores = await loadStores("config/stores.json");
  const demo = stores.find((candidate) => candidate.store_id === 511);
  if (!demo) throw new Error("config/stores.json has no store 511");
  store = demo;
});

afterAll(async () => {
  await simulator?.stop();
});

beforeEach(() => {
  simulator.reset();
});

function client(options: { timeoutMs?: number; credentials?: typeof DEMO } = {}): AceleralaClient {
  return new AceleralaClient({
    baseUrl: simulator.url,
    credentials: options.credentials ?? DEMO,
    ...options,
  });
}

function receiptBodyFor(seed: number, correlative: number) {
  const order = simulator.createOrder(makeOrder(seed, {}, { documentKind: "boleta", currency: "PEN" }));
  const built = buildReceipt(order, store, { correlative });
  if (!built.ok) throw new Error(`factory order did not build: ${JSON.stringify(built.problems)}`);
  return { order, body: built.receipt };
}

describe("AceleralaClient against the simulator", () => {
  it("reads orders, one page after another, with real filters", async () => {
    const created = Array.from(
      { length: 23 },
      (_, index) => simulator.createOrder(makeOrder(100 + index)).id,
    );
    const api = client();
    const seen: Array<number | string> = [];
    for await (const order of api.iterateOrders({ limit: 10, filters: { payment_status: ["paid"] } })) {
      seen.push(order.id);
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of created) expect(seen).toContain(id);

    const one = await api.getOrder(created[0] ?? 0);
    expect(one).toMatchObject({ id: created[0], payment_status: "paid" });

    const page = await api.listOrders({
      limit: 100,
      filters: { id: { gte: created[0] ?? 0, lte: created[4] ?? 0 } },
    });
    expect(page.data.map((order) => order.id).sort()).toEqual(created.slice(0, 5).sort());
    // One token for all of it.
    expect(api.callCounts()["POST /v1/token"]).toBe(1);
  });

  it("a missing order is not_found", async () => {
    const error = await failure(client().getOrder(999_999_999));
    expect(error).toMatchObject({ kind: "not_found", status: 404, retryable: false });
  });

  it("creates a receipt with an explicit number, finds it by number, and a second submission is a conflict", async () => {
    const api = client();
    const { order, body } = receiptBodyFor(7, 501);
    const receipt = await api.createReceipt(body);
    expect(receipt).toMatchObject({
      order_id: order.id,
      series: "B001",
      correlative: 501,
      document_number: "B001-501",
    });

    expect((await api.findReceiptByNumber("B001", 501))?.id).toBe(receipt.id);
    expect(await api.findReceiptByNumber("B001", 502)).toBeNull();
    expect((await api.getReceipt(receipt.id)).document_number).toBe("B001-501");
    expect((await api.listReceipts({ order_id: order.id })).data.map((r) => r.id)).toEqual([receipt.id]);

    const conflict = await failure(api.createReceipt(body));
    expect(conflict).toMatchObject({
      kind: "conflict",
      status: 409,
      code: "duplicate_document_number",
      existingReceiptId: receipt.id,
      retryable: false,
    });
  });

  it("an invalid receipt is a validation error naming the field", async () => {
    const { body } = receiptBodyFor(8, 600);
    const error = await failure(client().createReceipt({ ...body, series: "X1" }));
    expect(error.kind).toBe("validation");
    expect(error.errors.length).toBeGreaterThan(0);
    expect(error.errors.map((e) => e.param)).toContain("series");
  });

  it("refreshes an expired token once and carries on", async () => {
    const api = client();
    const { order } = receiptBodyFor(9, 700);
    await api.getOrder(order.id);
    simulator.expireTokens();
    await api.getOrder(order.id);
    expect(api.callCounts()).toEqual({ "POST /v1/token": 2, "GET /v1/orders/{id}": 3 });
  });

  it("wrong credentials and missing permissions are told apart", async () => {
    const wrong = await failure(
      client({ credentials: { client_id: "demo-client", client_secret: "nope" } }).getOrder(1),
    );
    expect(wrong).toMatchObject({ kind: "auth", route: "POST /v1/token" });
    expect(wrong.message).not.toContain("nope");

    simulator.addClient({
      clientId: "reader",
      clientSecret: "reader-secret",
      storeId: 511,
      permissions: ["read:orders"],
    });
    const reader = client({ credentials: { client_id: "reader", client_secret: "reader-secret" } });
    const { body } = receiptBodyFor(10, 800);
    const denied = await failure(reader.createReceipt(body));
    expect(denied).toMatchObject({ kind: "permission", status: 403, retryable: false });
  });

  it("429 carries Retry-After", async () => {
    simulator.setFaults([{ kind: "rate_limit", routes: ["GET /v1/orders"], retryAfterSeconds: 3, count: 1 }]);
    const error = await failure(client().listOrders());
    expect(error).toMatchObject({ kind: "rate_limited", status: 429, retryable: true, retryAfterSeconds: 3 });
  });

  it("a 5xx on POST /v1/receipts is retryable and ambiguous", async () => {
    simulator.setFaults([
      { kind: "error_before_commit", routes: ["POST /v1/receipts"], status: 503, count: 1 },
    ]);
    const { body } = receiptBodyFor(11, 900);
    const error = await failure(client().createReceipt(body));
    expect(error).toMatchObject({ kind: "server", status: 503, retryable: true, ambiguous: true });
  });

  it("a timeout after the API committed is ambiguous, and the receipt is then found by its number", async () => {
    simulator.setFaults([{ kind: "timeout_after_commit", routes: ["POST /v1/receipts"], count: 1 }]);
    const api = client({ timeoutMs: 300 });
    const { body } = receiptBodyFor(12, 1000);
    const error = await failure(api.createReceipt(body));
    expect(error).toMatchObject({ kind: "timeout", retryable: true, ambiguous: true });
    const found = await api.findReceiptByNumber("B001", 1000);
    expect(found?.document_number).toBe("B001-1000");
  });

  it("a refused connection is a network error that was never sent (not ambiguous)", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const api = new AceleralaClient({ baseUrl: `http://127.0.0.1:${port}`, credentials: DEMO });
    const error = await failure(api.getOrder(1));
    expect(error).toMatchObject({ kind: "network", retryable: true, ambiguous: false });
  });

  it("registers and lists webhooks", async () => {
    const api = client();
    const hook = await api.createWebhook({
      url: "http://127.0.0.1:9/webhooks/acelerala",
      description: "pedidos puestos",
      enabled_events: ["orders.created.placed", "orders.updated.placed"],
    });
    expect(hook.enabled_events).toEqual(["orders.created.placed", "orders.updated.placed"]);
    expect((await api.listWebhooks()).data.map((w) => w.id)).toContain(hook.id);
  });
});

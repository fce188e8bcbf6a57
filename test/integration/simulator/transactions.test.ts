import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { bearerToken, call } from "./support";

// /v1/transactions over HTTP: refunds (and sales) with every field checked, what they do to the order's
// payment_status and the event that says so, the seed's list, and the permissions that guard it.

type FieldError = { param: string; code: string; message: string };
type OrderEvent = { type: string; data: { object: { id: number; payment_status: string } } };

let simulator: Simulator;
let token: string;
let receiver: Server;
let events: OrderEvent[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      events.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as OrderEvent);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  simulator = await startSimulator({
    port: 0,
    sunatDelayMs: 0,
    seed: 21,
    webhookDelivery: { baseDelayMs: 20, maxAttempts: 2 },
    clients: [
      {
        clientId: "orders-only",
        clientSecret: "orders-secret",
        storeId: 511,
        permissions: ["read:orders", "write:orders", "read:receipts", "write:receipts"],
      },
      {
        clientId: "other-store",
        clientSecret: "other-secret",
        storeId: 900,
        permissions: ["read:orders", "write:orders", "read:transactions", "write:transactions"],
      },
    ],
  });
});
beforeEach(async () => {
  await simulator.deliveriesSettled(); // the last test's events arrive before the next one listens
  simulator.reset();
  events = [];
  token = await bearerToken(simulator.url);
  const port = (receiver.address() as AddressInfo).port;
  simulator.createWebhook({
    url: `http://127.0.0.1:${port}/hooks`,
    enabled_events: ["orders.updated", "orders.updated.placed"],
  });
});
afterAll(async () => {
  await simulator.stop();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const post = (body: unknown, as = token) => call(simulator.url, as, "POST", "/v1/transactions", body);
const get = (path: string, as = token) => call(simulator.url, as, "GET", path);
const errorsOf = (body: Record<string, unknown>) => (body.error as { errors: FieldError[] }).errors;

/** A placed order paid in full when created (no sale transaction), total S/ 100.00. */
function paidOrder(overrides: Record<string, unknown> = {}) {
  return simulator.createOrder({
    ...makeOrder(7, {}, { currency: "PEN" }),
    total: "100.00",
    payment_status: "paid",
    placed: null,
    ...overrides,
  });
}
const refundBody = (orderId: number, overrides: Record<string, unknown> = {}) => ({
  order_id: orderId,
  type: "refund",
  amount: "30.00",
  currency_code: "PEN",
  method: "card",
  ...overrides,
});
const statusOf = async (orderId: number) =>
  (await get(`/v1/orders/${orderId}`)).body.payment_status as string;

describe("POST /v1/transactions: refunds", () => {
  it("refunds part of an order created paid (no sale), then the rest: partially_refunded, then refunded, each announced", async () => {
    const order = paidOrder({ placed: true });
    const first = await post(refundBody(order.id, { amount: "30.00" }));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      object: "transaction",
      store_id: 511,
      order_id: order.id,
      parent_id: null,
      type: "refund",
      amount: "30.00",
      currency_code: "PEN",
      method: "card",
      claims: [],
      claimed_total: 0,
      unclaimed_total: "30.00",
    });
    expect(await statusOf(order.id)).toBe("partially_refunded");
    // Amounts as JSON numbers too, as in the seed's example.
    const rest = await post(refundBody(order.id, { amount: 70, method: "transfer" }));
    expect(rest.status).toBe(201);
    expect(await statusOf(order.id)).toBe("refunded");

    await simulator.deliveriesSettled();
    const updates = events.filter((event) => event.data.object.id === order.id);
    expect(updates.map((event) => [event.type, event.data.object.payment_status])).toEqual([
      ["orders.updated.placed", "partially_refunded"],
      ["orders.updated.placed", "refunded"],
    ]);
  });

  it("announces an unplaced order's refund as orders.updated, as any update of it", async () => {
    const order = paidOrder();
    expect((await post(refundBody(order.id))).status).toBe(201);
    await simulator.deliveriesSettled();
    expect(events.map((event) => event.type)).toEqual(["orders.updated"]);
  });

  it("never refunds more than the total minus earlier refunds: 422 naming amount, and nothing changes", async () => {
    const order = paidOrder();
    const tooMuch = await post(refundBody(order.id, { amount: "100.01" }));
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toMatchObject({ param: "amount", code: "exceeds_refundable" });
    expect((await post(refundBody(order.id, { amount: "30.00" }))).status).toBe(201);
    const over = await post(refundBody(order.id, { amount: "70.01" }));
    expect(over.status).toBe(422);
    expect(errorsOf(over.body)).toEqual([
      expect.objectContaining({ param: "amount", code: "exceeds_refundable" }),
    ]);
    expect(await statusOf(order.id)).toBe("partially_refunded");
    const listed = await get(`/v1/transactions?order_id=${order.id}`);
    expect((listed.body.data as unknown[]).length).toBe(1);
  });

  it("an order set to refunded by POST /v1/orders/{id} is a full refund without a transaction: none is made, none is left", async () => {
    const order = paidOrder({ placed: true });
    const updated = await call(simulator.url, token, "POST", `/v1/orders/${order.id}`, {
      payment_status: "refunded",
    });
    expect(updated.status).toBe(200);
    expect(updated.body.payment_status).toBe("refunded");
    expect((await get(`/v1/transactions?order_id=${order.id}`)).body.data).toEqual([]);
    const refused = await post(refundBody(order.id, { amount: "0.01" }));
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ param: "amount", code: "exceeds_refundable" });
  });

  it("refuses to refund an order nothing was paid for, naming order_id", async () => {
    for (const payment_status of ["pending", "authorized", "voided"]) {
      const order = paidOrder({ payment_status });
      const refused = await post(refundBody(order.id));
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ param: "order_id", code: "order_not_paid" });
      expect(await statusOf(order.id)).toBe(payment_status);
    }
  });

  it("a refund tied to a sale (parent_id) returns no more than that sale; a parent that is no sale of the order is refused", async () => {
    const order = paidOrder({ payment_status: "pending" });
    const other = paidOrder({ payment_status: "pending" });
    const firstSale = await post(refundBody(order.id, { type: "sale", amount: "60.00" }));
    expect(firstSale.status).toBe(201);
    expect(await statusOf(order.id)).toBe("partially_paid");
    expect((await post(refundBody(order.id, { type: "sale", amount: "40.00" }))).status).toBe(201);
    expect(await statusOf(order.id)).toBe("paid");
    const otherSale = await post(refundBody(other.id, { type: "sale", amount: "10.00" }));

    const overParent = await post(refundBody(order.id, { amount: "60.01", parent_id: firstSale.body.id }));
    expect(overParent.body.error).toMatchObject({ param: "amount", code: "exceeds_refundable" });
    const refund = await post(refundBody(order.id, { amount: "60.00", parent_id: firstSale.body.id }));
    expect(refund.status).toBe(201);
    expect(refund.body.parent_id).toBe(firstSale.body.id);
    expect(await statusOf(order.id)).toBe("partially_refunded");
    const again = await post(refundBody(order.id, { amount: "0.01", parent_id: firstSale.body.id }));
    expect(again.body.error).toMatchObject({ param: "amount", code: "exceeds_refundable" });
    for (const parent of [refund.body.id, otherSale.body.id, 999_999]) {
      const refused = await post(refundBody(order.id, { amount: "1.00", parent_id: parent }));
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ param: "parent_id", code: "invalid_parent" });
    }
  });

  it("refunds of an order paid in part by a sale return what the sale paid, not the order's total", async () => {
    const order = paidOrder({ payment_status: "pending" });
    expect((await post(refundBody(order.id, { type: "sale", amount: "60.00" }))).status).toBe(201);
    expect((await post(refundBody(order.id, { amount: "10.00" }))).status).toBe(201);
    expect(await statusOf(order.id)).toBe("partially_refunded");
    const over = await post(refundBody(order.id, { amount: "50.01" }));
    expect(over.body.error).toMatchObject({ param: "amount", code: "exceeds_refundable" });
    expect((await post(refundBody(order.id, { amount: "50.00" }))).status).toBe(201);
    expect(await statusOf(order.id)).toBe("refunded");
  });
});

describe("POST /v1/transactions: sales", () => {
  it("a sale pays a pending order in part, then in full, announced; no overpayment, no sale on a paid order", async () => {
    const order = paidOrder({ payment_status: "pending", placed: true });
    const over = await post(refundBody(order.id, { type: "sale", amount: "100.01" }));
    expect(over.body.error).toMatchObject({ param: "amount", code: "exceeds_order_total" });
    expect((await post(refundBody(order.id, { type: "sale", amount: "25.50" }))).status).toBe(201);
    expect(await statusOf(order.id)).toBe("partially_paid");
    expect((await post(refundBody(order.id, { type: "sale", amount: "74.50" }))).status).toBe(201);
    expect(await statusOf(order.id)).toBe("paid");
    const more = await post(refundBody(order.id, { type: "sale", amount: "1.00" }));
    expect(more.body.error).toMatchObject({ param: "order_id", code: "order_not_payable" });
    const withParent = await post(
      refundBody(paidOrder({ payment_status: "pending" }).id, { type: "sale", parent_id: 5 }),
    );
    expect(withParent.body.error).toMatchObject({ param: "parent_id", code: "invalid_parent" });
    await simulator.deliveriesSettled();
    expect(events.map((event) => event.data.object.payment_status)).toEqual(["partially_paid", "paid"]);
  });
});

describe("POST /v1/transactions: each field checked, 422 naming it", () => {
  it.each([
    ["no order_id", { order_id: undefined }, "order_id", "required"],
    ["an order_id that is no id", { order_id: "abc" }, "order_id", "invalid_format"],
    ["an unknown order", { order_id: 999_999 }, "order_id", "resource_missing"],
    ["no type", { type: undefined }, "type", "required"],
    ["a type the seed does not have", { type: "chargeback" }, "type", "invalid_format"],
    ["a seed type the simulator does not play", { type: "void" }, "type", "not_supported"],
    ["no amount", { amount: undefined }, "amount", "required"],
    ["a negative amount", { amount: "-5.00" }, "amount", "invalid_format"],
    ["an amount with 3 decimals", { amount: "10.555" }, "amount", "invalid_format"],
    ["an amount that is no number", { amount: "diez" }, "amount", "invalid_format"],
    ["a zero amount", { amount: 0 }, "amount", "invalid_amount"],
    ["no currency", { currency_code: undefined }, "currency_code", "required"],
    ["a currency in lower case", { currency_code: "pen" }, "currency_code", "invalid_format"],
    ["a currency other than the order's", { currency_code: "USD" }, "currency_code", "currency_mismatch"],
    ["no method", { method: undefined }, "method", "required"],
    ["a method the seed does not have", { method: "bitcoin" }, "method", "invalid_format"],
    ["a parent_id that is no id", { parent_id: "x" }, "parent_id", "invalid_format"],
    ["a parent that does not exist", { parent_id: 4242 }, "parent_id", "invalid_parent"],
    ["a card brand the seed does not list", { card_brand: "amex" }, "card_brand", "invalid_format"],
    ["a message that is no text", { user_message: 5 }, "user_message", "invalid_format"],
    ["a field a client does not set", { refund_reason: "roto" }, "refund_reason", "unknown_parameter"],
    ["a server-owned field", { store_id: 511 }, "store_id", "unknown_parameter"],
  ])("%s", async (_label, overrides, param, code) => {
    const order = paidOrder();
    const body: Record<string, unknown> = { ...refundBody(order.id), ...overrides };
    for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete body[name];
    const { status, body: answer } = await post(body);
    expect(status).toBe(422);
    expect(answer.error).toMatchObject({ type: "invalid_request_error", param, code });
    expect(errorsOf(answer)).toEqual([expect.objectContaining({ param, code })]);
    expect(await statusOf(order.id)).toBe("paid");
    expect(simulator.listTransactions().data).toEqual([]);
  });

  it("names every broken field at once, and refuses a body that is no object", async () => {
    const many = await post({ type: "refund", amount: "x", method: "cheque" });
    expect(errorsOf(many.body).map((error) => [error.param, error.code])).toEqual([
      ["order_id", "required"],
      ["currency_code", "required"],
      ["amount", "invalid_format"],
      ["method", "invalid_format"],
    ]);
    const list = await post([refundBody(1)]);
    expect(list.status).toBe(422);
    expect(list.body.error).toMatchObject({ param: "body", code: "invalid_format" });
  });

  it("does not see another store's order", async () => {
    const foreign = simulator.createOrder(makeOrder(3, { total: "50.00" }, { currency: "PEN" }), 900);
    const refused = await post(refundBody(foreign.id));
    expect(refused.body.error).toMatchObject({ param: "order_id", code: "resource_missing" });
  });
});

describe("GET /v1/transactions", () => {
  async function someTransactions() {
    const a = paidOrder();
    const b = paidOrder({ payment_status: "pending" });
    const made = [
      await post(refundBody(a.id, { amount: "10.00" })),
      await post(refundBody(b.id, { type: "sale", amount: "55.00", method: "cash" })),
      await post(refundBody(a.id, { amount: "25.50", method: "transfer" })),
      await post(refundBody(b.id, { type: "sale", amount: "45.00" })),
      await post(refundBody(b.id, { amount: "5.00" })),
    ];
    for (const response of made) expect(response.status).toBe(201);
    return { a, b, ids: made.map((response) => response.body.id as number) };
  }
  const idsOf = (body: Record<string, unknown>) => (body.data as { id: number }[]).map((item) => item.id);

  it("filters by order_id and type (what the product asks), method, amount ranges and id", async () => {
    const { a, b, ids } = await someTransactions();
    expect(idsOf((await get(`/v1/transactions?order_id=${a.id}&type=refund&sort=id:asc`)).body)).toEqual([
      ids[0],
      ids[2],
    ]);
    expect(idsOf((await get(`/v1/transactions?order_id=${b.id}&type=refund`)).body)).toEqual([ids[4]]);
    expect(idsOf((await get("/v1/transactions?type=sale&sort=id:asc")).body)).toEqual([ids[1], ids[3]]);
    expect(idsOf((await get("/v1/transactions?method=transfer")).body)).toEqual([ids[2]]);
    expect(idsOf((await get("/v1/transactions?amount=gt:10,lte:45&sort=amount:asc")).body)).toEqual([
      ids[2],
      ids[3],
    ]);
    expect(idsOf((await get(`/v1/transactions?id=gt:${ids[2]}&sort=id:asc`)).body)).toEqual([ids[3], ids[4]]);
    expect(idsOf((await get(`/v1/transactions?id=${ids[0]},${ids[4]}&sort=id:asc`)).body)).toEqual([
      ids[0],
      ids[4],
    ]);
    expect(simulator.listTransactions({ order_id: String(a.id) }).data).toHaveLength(2);
  });

  it("sorts by the seed's fields only, pages with limit, and refuses unknown filters", async () => {
    const { ids } = await someTransactions();
    const byAmount = await get("/v1/transactions?sort=amount:desc&limit=2");
    expect(idsOf(byAmount.body)).toEqual([ids[1], ids[3]]);
    expect(byAmount.body.has_more).toBe(true);
    for (const field of ["id", "amount", "created", "modified", "claimed_total", "unclaimed_total"])
      expect((await get(`/v1/transactions?sort=${field}:asc`)).status).toBe(200);
    const badSort = await get("/v1/transactions?sort=order_id:asc");
    expect(badSort.status).toBe(400);
    expect(badSort.body.error).toMatchObject({ code: "invalid_sort", param: "sort" });
    const badFilter = await get("/v1/transactions?gross_total=gt:1000");
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error).toMatchObject({ code: "unknown_parameter", param: "gross_total" });
  });

  it("reads one transaction by id; another store's or an unknown one is 404", async () => {
    const { ids } = await someTransactions();
    const one = await get(`/v1/transactions/${ids[2]}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: ids[2], type: "refund", amount: "25.50", method: "transfer" });
    expect(simulator.getTransaction(ids[2] ?? 0)).toEqual(one.body);
    expect((await get("/v1/transactions/1")).status).toBe(404);
    const otherStore = await bearerToken(simulator.url, "other-store", "other-secret");
    expect((await get(`/v1/transactions/${ids[2]}`, otherStore)).status).toBe(404);
    expect((await get("/v1/transactions", otherStore)).body.data).toEqual([]);
  });
});

describe("permissions", () => {
  it("refuses a client without read:transactions / write:transactions with 403", async () => {
    const order = paidOrder();
    const limited = await bearerToken(simulator.url, "orders-only", "orders-secret");
    for (const [method, path, body] of [
      ["GET", "/v1/transactions", undefined],
      ["GET", "/v1/transactions/1289", undefined],
      ["POST", "/v1/transactions", refundBody(order.id)],
    ] as const) {
      const { status, body: answer } = await call(simulator.url, limited, method, path, body);
      expect(status).toBe(403);
      expect(answer.error).toMatchObject({ type: "permission_error", code: "missing_permission" });
    }
    expect(await statusOf(order.id)).toBe("paid");
  });

  it("grants them through the admin route: a reader lists but may not refund, a writer refunds", async () => {
    const order = paidOrder();
    for (const [clientId, permissions] of [
      ["tx-reader", ["read:transactions"]],
      ["tx-writer", ["read:transactions", "write:transactions"]],
    ] as const) {
      const added = await call(simulator.url, null, "POST", "/_sim/clients", {
        clientId,
        clientSecret: `${clientId}-secret`,
        storeId: 511,
        permissions,
      });
      expect(added.status).toBe(201);
      expect(added.body.permissions).toEqual(permissions);
    }
    const reader = await bearerToken(simulator.url, "tx-reader", "tx-reader-secret");
    expect((await get("/v1/transactions", reader)).status).toBe(200);
    expect((await post(refundBody(order.id), reader)).status).toBe(403);
    const writer = await bearerToken(simulator.url, "tx-writer", "tx-writer-secret");
    expect((await post(refundBody(order.id), writer)).status).toBe(201);
  });
});

describe("Simulator helpers", () => {
  it("refund() mirrors POST /v1/transactions: the order's currency, its checks, its event", async () => {
    const order = paidOrder();
    const refund = simulator.refund(order.id, "100.00");
    expect(refund).toMatchObject({ type: "refund", amount: "100.00", currency_code: "PEN", method: "card" });
    expect(simulator.getOrder(order.id).payment_status).toBe("refunded");
    expect(() => simulator.refund(order.id, "0.01")).toThrow(/validation error/);
    await simulator.deliveriesSettled();
    expect(events.map((event) => event.data.object.payment_status)).toEqual(["refunded"]);
  });
});

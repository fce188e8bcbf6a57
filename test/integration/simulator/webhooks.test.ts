import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { verifyWebhook } from "../../../lib/webhook/signature";
import { bearerToken, call, facturaBody } from "./support";

type Received = { headers: IncomingHttpHeaders; body: string; at: number };

/** A receiving endpoint whose answers the test scripts: a queue of statuses, then 200; "hang" never answers. */
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let script: (number | "hang")[] = [];

let simulator: Simulator;
let token: string;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      });
      const next = script.shift() ?? 200;
      if (next === "hang") return;
      response.writeHead(next).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  simulator = await startSimulator({
    port: 0,
    sunatDelayMs: 0,
    seed: 5,
    webhookDelivery: { baseDelayMs: 50, maxAttempts: 4, timeoutMs: 300 },
  });
});
beforeEach(async () => {
  simulator.reset();
  received = [];
  script = [];
  token = await bearerToken(simulator.url);
});
afterAll(async () => {
  await simulator.stop();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function subscribe(events: string[]): Promise<Record<string, unknown>> {
  const { status, body } = await call(simulator.url, token, "POST", "/v1/webhooks", {
    url: receiverUrl,
    description: "Pedidos puestos",
    enabled_events: events,
  });
  expect(status).toBe(201);
  return body;
}

describe("subscriptions", () => {
  it("creates and lists webhooks in the seed's shape and refuses unknown events", async () => {
    const created = await subscribe(["orders.created.placed", "orders.updated.placed"]);
    expect(created).toMatchObject({ object: "webhook", store_id: 511, active: 1, url: receiverUrl });
    const list = await call(simulator.url, token, "GET", "/v1/webhooks?active=1");
    expect((list.body.data as unknown[]).length).toBe(1);
    const bad = await call(simulator.url, token, "POST", "/v1/webhooks", {
      url: receiverUrl,
      enabled_events: ["orders.exploded"],
    });
    expect(bad.status).toBe(422);
    const inactive = await call(simulator.url, token, "POST", `/v1/webhooks/${created.id}`, {
      active: false,
    });
    expect(inactive.body.active).toBe(0);
  });
});

describe("deliveries", () => {
  it("signs each event so verifyWebhook accepts it, with the envelope of COMMON.md", async () => {
    await subscribe(["orders.created.placed", "orders.updated.placed", "orders.updated.canceled"]);
    const order = await call(simulator.url, token, "POST", "/v1/orders", makeOrder(3));
    expect(order.status).toBe(201);
    await call(simulator.url, token, "POST", `/v1/orders/${order.body.id}`, { payment_status: "paid" });
    await call(simulator.url, token, "POST", `/v1/orders/${order.body.id}/cancel`);
    await simulator.deliveriesSettled();

    expect(received).toHaveLength(3);
    const envelopes = received.map((delivery) => {
      const verdict = verifyWebhook(
        [simulator.webhookSecret],
        delivery.headers as Record<string, string>,
        delivery.body,
      );
      expect(verdict.ok).toBe(true);
      const envelope = JSON.parse(delivery.body) as Record<string, unknown>;
      expect(delivery.headers["webhook-id"]).toBe(envelope.id);
      return envelope;
    });
    expect(envelopes.map((envelope) => envelope.type)).toEqual([
      "orders.created.placed",
      "orders.updated.placed",
      "orders.updated.canceled",
    ]);
    expect(envelopes[0]).toMatchObject({
      store_id: 511,
      data: { object: { id: order.body.id, object: "order" } },
    });
    expect(String(envelopes[0]?.id)).toMatch(/^evt_/);
    expect(Number.isNaN(Date.parse(String(envelopes[0]?.created)))).toBe(false);
    expect(
      verifyWebhook(
        [`whsec_${Buffer.from("other key").toString("base64")}`],
        received[0]?.headers as Record<string, string>,
        received[0]?.body ?? "",
      ).ok,
    ).toBe(false);
  });

  it("only sends subscribed events: an unplaced order is orders.created, placing it later is orders.updated.placed", async () => {
    await subscribe(["orders.updated.placed"]);
    const cart = simulator.createOrder({ ...makeOrder(4), placed: null });
    await simulator.deliveriesSettled();
    expect(received).toHaveLength(0);
    simulator.updateOrder(cart.id, { placed: true });
    await simulator.deliveriesSettled();
    expect(received.map((delivery) => JSON.parse(delivery.body).type)).toEqual(["orders.updated.placed"]);
  });

  it("retries after 500s with exponential backoff and logs every attempt", async () => {
    await subscribe(["orders.created.placed"]);
    script = [500, 500];
    simulator.createOrder(makeOrder(5));
    await simulator.deliveriesSettled();
    expect(received).toHaveLength(3);
    const ids = new Set(received.map((delivery) => delivery.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    const times = received.map((delivery) => delivery.at);
    const gaps = [(times[1] ?? 0) - (times[0] ?? 0), (times[2] ?? 0) - (times[1] ?? 0)];
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    const log = await call(simulator.url, null, "GET", "/_sim/deliveries");
    const [delivery] = log.body.data as {
      status: string;
      last_status: number;
      attempts: { status: number }[];
    }[];
    expect(delivery?.status).toBe("delivered");
    expect(delivery?.last_status).toBe(200);
    expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 200]);
  });

  it("retries after a timeout and gives up after maxAttempts", async () => {
    await subscribe(["orders.created.placed"]);
    script = ["hang", 503, 503, 503];
    simulator.createOrder(makeOrder(6));
    await simulator.deliveriesSettled();
    const [delivery] = simulator.deliveries();
    expect(delivery?.status).toBe("failed");
    expect(delivery?.attempts.map((attempt) => attempt.error ?? attempt.status)).toEqual([
      "timeout",
      503,
      503,
      503,
    ]);
  });

  it("records network errors as failed attempts", async () => {
    await call(simulator.url, token, "POST", "/v1/webhooks", {
      url: "http://127.0.0.1:9/closed",
      enabled_events: ["orders.created.placed"],
    });
    simulator.setDeliveryConfig({ maxAttempts: 2 });
    simulator.createOrder(makeOrder(7));
    await simulator.deliveriesSettled();
    const [delivery] = simulator.deliveries();
    expect(delivery?.status).toBe("failed");
    expect(delivery?.attempts).toHaveLength(2);
    expect(delivery?.attempts[0]?.status).toBeNull();
    expect(delivery?.attempts[0]?.error).toBeTruthy();
  });

  it("drops deliveries when the drop switch is on, and redelivers an event with the same webhook-id", async () => {
    await subscribe(["orders.created.placed"]);
    await call(simulator.url, null, "POST", "/_sim/webhook-delivery", { drop: true });
    simulator.createOrder(makeOrder(8));
    await simulator.deliveriesSettled();
    expect(received).toHaveLength(0);
    const [dropped] = simulator.deliveries({ status: "dropped" });
    expect(dropped?.attempts).toHaveLength(0);

    const redelivered = await call(
      simulator.url,
      null,
      "POST",
      `/_sim/events/${dropped?.event_id}/redeliver`,
    );
    expect(redelivered.status).toBe(200);
    await simulator.deliveriesSettled();
    expect(received.map((delivery) => delivery.headers["webhook-id"])).toEqual([dropped?.event_id]);
  });

  it("drops a seeded share of deliveries with dropRate", async () => {
    await subscribe(["orders.created.placed"]);
    simulator.setDeliveryConfig({ dropRate: 0.5 });
    for (let index = 0; index < 40; index++) simulator.createOrder(makeOrder(100 + index));
    await simulator.deliveriesSettled();
    const dropped = simulator.deliveries({ status: "dropped" }).length;
    expect(dropped).toBeGreaterThan(8);
    expect(dropped).toBeLessThan(32);
    expect(received).toHaveLength(40 - dropped);
  });
});

describe("receipt events: SUNAT's answer by webhook", () => {
  it("receipts.created when a receipt is created, then .accepted or .rejected when SUNAT answers, signed", async () => {
    await subscribe(["receipts.created", "receipts.created.accepted", "receipts.created.rejected"]);
    const order = simulator.createOrder(makeOrder(9));
    simulator.setSunatPolicy({ forced: { [String(order.id)]: "rejected" } });
    const accepted = await call(
      simulator.url,
      token,
      "POST",
      "/v1/receipts",
      facturaBody({ correlative: 11 }),
    );
    const rejected = await call(
      simulator.url,
      token,
      "POST",
      "/v1/receipts",
      facturaBody({ correlative: 12, order_id: order.id }),
    );
    expect([accepted.status, rejected.status]).toEqual([201, 201]);
    await simulator.deliveriesSettled();
    const events = received.map((delivery) => {
      expect(
        verifyWebhook([simulator.webhookSecret], delivery.headers as Record<string, string>, delivery.body)
          .ok,
      ).toBe(true);
      return JSON.parse(delivery.body) as {
        type: string;
        store_id: number;
        data: { object: Record<string, unknown> };
      };
    });
    expect(events.map((event) => [event.type, event.data.object.id])).toEqual([
      ["receipts.created", accepted.body.id],
      ["receipts.created.accepted", accepted.body.id],
      ["receipts.created", rejected.body.id],
      ["receipts.created.rejected", rejected.body.id],
    ]);
    // The answer is in the object the event carries, as GET /v1/receipts/{id} would show it then.
    expect(events[1]?.data.object).toMatchObject({
      sunat_acknowledged: 1,
      sunat_accepted: 1,
      sunat_code: "0",
    });
    expect(events[0]?.data.object).toMatchObject({ sunat_acknowledged: 0 });
    expect(events[3]?.data.object).toMatchObject({
      order_id: order.id,
      sunat_accepted: 0,
      sunat_code: "2335",
    });
    expect(events.every((event) => event.store_id === 511)).toBe(true);
  });

  it("with a SUNAT delay, the answer event leaves when SUNAT answers", async () => {
    await subscribe(["receipts.created.accepted"]);
    simulator.setSunatPolicy({ delayMs: 150 });
    const created = Date.now();
    await call(simulator.url, token, "POST", "/v1/receipts", facturaBody({ correlative: 13 }));
    await expect.poll(() => received.length, { timeout: 2_000, interval: 20 }).toBe(1);
    expect((received[0]?.at ?? 0) - created).toBeGreaterThanOrEqual(140);
  });
});

describe("envelope readings the sender can play", () => {
  it('"standard": {type, timestamp, data}, no payload id or store, a msg_ webhook-id kept across retries', async () => {
    await subscribe(["orders.created.placed"]);
    simulator.setDeliveryConfig({ envelope: "standard", timeFormat: "-05:00" });
    script = [500];
    const order = simulator.createOrder(makeOrder(10));
    await simulator.deliveriesSettled();
    expect(received).toHaveLength(2);
    const [first, retry] = received;
    expect(first?.headers["webhook-id"]).toMatch(/^msg_/);
    expect(retry?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
    expect(
      verifyWebhook([simulator.webhookSecret], retry?.headers as Record<string, string>, retry?.body ?? "")
        .ok,
    ).toBe(true);
    const body = JSON.parse(first?.body ?? "{}");
    expect(Object.keys(body)).toEqual(["type", "timestamp", "data"]);
    expect(body).toMatchObject({ type: "orders.created.placed", data: { id: order.id, store_id: 511 } });
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-05:00$/);
    expect(simulator.deliveries()[0]?.message_id).toBe(first?.headers["webhook-id"]);
  });

  it.each([
    ["-05", /\.\d{3}-05$/],
    ["-0500", /\.\d{3}-0500$/],
    ["Z", /\.\d{3}Z$/],
  ] as const)("prints the event time as %s (a form the seed uses)", async (timeFormat, pattern) => {
    await subscribe(["orders.created.placed"]);
    simulator.setDeliveryConfig({ timeFormat });
    const before = Date.now();
    simulator.createOrder(makeOrder(11));
    await simulator.deliveriesSettled();
    const body = JSON.parse(received[0]?.body ?? "{}");
    expect(body.created).toMatch(pattern);
    expect(received[0]?.headers["webhook-id"]).toBe(body.id);
    // The instant is right: Lima's wall time with its offset (Date.parse reads -0500 and -05:00; -05 is padded).
    const instant = Date.parse(String(body.created).replace(/-05$/, "-05:00"));
    expect(Math.abs(instant - before)).toBeLessThan(5_000);
  });
});

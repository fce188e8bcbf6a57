import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { verifyWebhook } from "../../../lib/webhook/signature";
import { bearerToken, call } from "./support";

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

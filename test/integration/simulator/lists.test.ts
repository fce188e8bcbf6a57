import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { createRandom } from "../../../infra/simulator/random";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { bearerToken, call } from "./support";

let simulator: Simulator;
let token: string;
const totals = [
  "5.00",
  "25.50",
  "100.00",
  "250.00",
  "499.99",
  "500.00",
  "750.00",
  "1200.00",
  "30.00",
  "80.90",
  "15.00",
  "60.00",
];
let ids: number[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, sunatDelayMs: 0 });
  token = await bearerToken(simulator.url);
  const random = createRandom(7);
  ids = totals.map(
    (total, index) =>
      simulator.createOrder(
        makeOrder(random, {
          total,
          payment_status: index % 3 === 0 ? "pending" : "paid",
          placed: index % 4 === 0 ? null : "2025-03-01T10:00:00.000Z",
        }),
      ).id,
  );
});
afterAll(async () => {
  await simulator.stop();
});

async function list(query: string): Promise<{
  status: number;
  data: Record<string, unknown>[];
  hasMore: boolean;
  body: Record<string, unknown>;
}> {
  const { status, body } = await call(simulator.url, token, "GET", `/v1/orders?${query}`);
  return {
    status,
    data: (body.data ?? []) as Record<string, unknown>[],
    hasMore: body.has_more === true,
    body,
  };
}
const idsOf = (data: Record<string, unknown>[]) => data.map((item) => item.id);

describe("list pagination", () => {
  it("defaults to 10 items, newest first (created:desc, ties by id), with has_more", async () => {
    const page = await list("");
    expect(page.data).toHaveLength(10);
    expect(page.hasMore).toBe(true);
    expect(idsOf(page.data)).toEqual([...ids].reverse().slice(0, 10));
  });

  it("walks forward with after and back with before, without gaps or repeats", async () => {
    const first = await list("limit=5&sort=id:asc");
    expect(idsOf(first.data)).toEqual(ids.slice(0, 5));
    expect(first.hasMore).toBe(true);
    const second = await list(`limit=5&sort=id:asc&after=${ids[4]}`);
    expect(idsOf(second.data)).toEqual(ids.slice(5, 10));
    const third = await list(`limit=5&sort=id:asc&after=${ids[9]}`);
    expect(idsOf(third.data)).toEqual(ids.slice(10));
    expect(third.hasMore).toBe(false);
    const back = await list(`limit=5&sort=id:asc&before=${ids[10]}`);
    expect(idsOf(back.data)).toEqual(ids.slice(5, 10));
    expect(back.hasMore).toBe(true);
    const start = await list(`limit=5&sort=id:asc&before=${ids[5]}`);
    expect(start.hasMore).toBe(false);
  });

  it("uses after when both cursors are given, and refuses unknown cursors and bad limits", async () => {
    const both = await list(`limit=2&sort=id:asc&after=${ids[0]}&before=${ids[5]}`);
    expect(idsOf(both.data)).toEqual(ids.slice(1, 3));
    expect((await list("after=999999999")).status).toBe(400);
    for (const limit of ["0", "101", "abc"]) {
      const bad = await list(`limit=${limit}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: "invalid_limit", param: "limit" });
    }
    expect((await list("limit=100")).data).toHaveLength(12);
  });
});

describe("sort", () => {
  it("sorts by total as a decimal, ascending and descending", async () => {
    const ascending = await list("limit=100&sort=total:asc");
    const values = ascending.data.map((order) => Number(order.total));
    expect(values).toEqual([...values].sort((a, b) => a - b));
    const descending = await list("limit=100&sort=total:desc");
    expect(descending.data[0]?.total).toBe("1200.00");
  });

  it("refuses fields that are not sortable and malformed directions", async () => {
    expect((await list("sort=payment_status:asc")).status).toBe(400);
    expect((await list("sort=total:up")).status).toBe(400);
  });
});

describe("filters", () => {
  it("applies gt and lt together, as the seed's example total=gt:1,lt:500", async () => {
    const page = await list("limit=100&total=gt:1,lt:500");
    const values = page.data.map((order) => Number(order.total)).sort((a, b) => a - b);
    expect(values).toEqual([5, 15, 25.5, 30, 60, 80.9, 100, 250, 499.99]);
  });

  it("applies gte and lte inclusively", async () => {
    const page = await list("limit=100&total=gte:500,lte:1200");
    expect(page.data.map((order) => order.total).sort()).toEqual(["1200.00", "500.00", "750.00"]);
  });

  it("matches any of a comma list, and combines filters on several fields", async () => {
    const page = await list("limit=100&total=5.00,750,1200.00");
    expect(page.data).toHaveLength(3);
    const paidCheap = await list("limit=100&payment_status=paid&total=lt:100");
    expect(
      paidCheap.data.every((order) => order.payment_status === "paid" && Number(order.total) < 100),
    ).toBe(true);
    expect(paidCheap.data.length).toBeGreaterThan(0);
  });

  it("filters dates and nulls (unplaced orders have placed=null)", async () => {
    const unplaced = await list("limit=100&placed=null");
    expect(unplaced.data).toHaveLength(3);
    const placedAfter = await list("limit=100&placed=gt:2025-01-01T00:00:00.000Z");
    expect(placedAfter.data).toHaveLength(9);
  });

  it("refuses unknown filter fields and the seed's typo lt=5000", async () => {
    const unknown = await list("color=red");
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: "unknown_parameter", param: "color" });
    const typo = await call(simulator.url, token, "GET", "/v1/orders?total=gt:1000,lt%3D5000");
    expect(typo.status).toBe(400);
  });
});

describe("fields=", () => {
  it("returns only the requested properties, on lists and single objects", async () => {
    const page = await list("limit=3&fields=id,total,items");
    expect(page.data).toHaveLength(3);
    for (const order of page.data) expect(Object.keys(order).sort()).toEqual(["id", "total"]);
    const one = await call(simulator.url, token, "GET", `/v1/orders/${ids[0]}?fields=payment_status`);
    expect(one.body).toEqual({ payment_status: "pending" });
  });
});

describe("the same list implementation serves receipts and webhooks", () => {
  it("filters receipts and paginates webhooks", async () => {
    const webhooks = [1, 2, 3].map((n) =>
      simulator.createWebhook({ url: `http://127.0.0.1:9/hook${n}`, enabled_events: ["orders.created"] }),
    );
    const first = await call(simulator.url, token, "GET", "/v1/webhooks?limit=2&sort=id:asc");
    expect(idsOf(first.body.data as Record<string, unknown>[])).toEqual([webhooks[0]?.id, webhooks[1]?.id]);
    expect(first.body.has_more).toBe(true);
    const receipts = await call(simulator.url, token, "GET", "/v1/receipts?series=F001&sunat_acknowledged=1");
    expect(receipts.body).toEqual({ object: "list", data: [], has_more: false });
  });
});

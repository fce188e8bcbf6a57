import { afterAll, describe, expect, it } from "vitest";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../../infra/simulator/server";
import { AceleralaClient } from "../../../lib/acelerala/client";
import { bearerToken, call, facturaBody, sleep } from "./support";

// Where the seed is ambiguous, the simulator plays each reading, over HTTP, so the product can be tested under
// every one: how receipts are numbered, how fast lists see a new receipt, which way cursors page, and what a
// SUNAT exception looks like. Each reading gets a simulator of its own.

const started: Simulator[] = [];
async function simulatorWith(options: SimulatorOptions) {
  const simulator = await startSimulator({ sunatDelayMs: 0, seed: 3, ...options });
  started.push(simulator);
  const token = await bearerToken(simulator.url);
  const post = (body: unknown) => call(simulator.url, token, "POST", "/v1/receipts", body);
  const get = (path: string) => call(simulator.url, token, "GET", path);
  return { simulator, token, post, get };
}

afterAll(async () => {
  await Promise.all(started.map((simulator) => simulator.stop()));
});

describe("numbering", () => {
  it("explicit: honours the client's correlative and answers 409 on a repeat", async () => {
    const { post } = await simulatorWith({ numbering: "explicit" });
    expect((await post(facturaBody({ correlative: 5 }))).body.document_number).toBe("F001-5");
    expect((await post(facturaBody({ correlative: 5 }))).status).toBe(409);
  });

  it("auto: assigns the next correlative of the series, ignores the client's, never answers 409", async () => {
    const { post } = await simulatorWith({ numbering: "auto" });
    const first = await post(facturaBody({ correlative: 40 }));
    const second = await post(facturaBody({ correlative: 40 }));
    expect([first.status, second.status]).toEqual([201, 201]);
    expect([first.body.document_number, second.body.document_number]).toEqual(["F001-1", "F001-2"]);
  });

  it("repeat: stores a repeated number too, and SUNAT refuses the second with exception 1033", async () => {
    const { post, get } = await simulatorWith({ numbering: "repeat" });
    const first = await post(facturaBody({ correlative: 9, order_id: 1 }));
    const second = await post(facturaBody({ correlative: 9, order_id: 2 }));
    expect(second.status).toBe(201);
    expect(second.body.document_number).toBe("F001-9");
    expect((await get(`/v1/receipts/${first.body.id}`)).body).toMatchObject({
      sunat_code: "0",
      sunat_accepted: 1,
    });
    expect((await get(`/v1/receipts/${second.body.id}`)).body).toMatchObject({
      sunat_code: "1033",
      sunat_accepted: 0,
      sunat_acknowledged: 1,
    });
  });

  it("a store with receipts from before (F001-66) continues at F001-67, and order_id null receipts can be added", async () => {
    const { simulator, post, get } = await simulatorWith({
      numbering: "auto",
      existingReceipts: { F001: 66 },
    });
    const list = await get("/v1/receipts?series=F001&correlative=gt:65");
    expect(list.body.data).toEqual([expect.objectContaining({ document_number: "F001-66", order_id: null })]);
    expect((await post(facturaBody())).body.document_number).toBe("F001-67");
    simulator.addOutOfBandReceipt({ series: "F001" });
    expect((await post(facturaBody())).body.document_number).toBe("F001-69");
    const admin = await fetch(`${simulator.url}/_sim/receipts`, {
      method: "POST",
      body: JSON.stringify({ series: "B001", correlative: 51 }),
    });
    expect(admin.status).toBe(201);
    expect(await admin.json()).toMatchObject({ document_number: "B001-51", order_id: null, sunat_code: "0" });
  });
});

describe("lists", () => {
  it("shows a new receipt in lists only after the lag, and by id at once", async () => {
    const { post, get } = await simulatorWith({ listLagMs: 400 });
    const created = await post(facturaBody({ correlative: 3, order_id: 77 }));
    expect((await get(`/v1/receipts/${created.body.id}`)).status).toBe(200);
    expect((await get("/v1/receipts?order_id=77")).body.data).toEqual([]);
    await sleep(450);
    expect((await get("/v1/receipts?order_id=77")).body.data).toHaveLength(1);
  });

  it("sorts receipts only by the fields the seed lists (no correlative, no gross_total)", async () => {
    const { get } = await simulatorWith({});
    for (const field of ["correlative", "gross_total"]) {
      const response = await get(`/v1/receipts?sort=${field}:desc`);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: "invalid_sort", param: "sort" });
    }
    expect((await get("/v1/receipts?sort=unclaimed_total:desc")).status).toBe(200);
  });

  it("pages cursors either way, and the product's listing (id filters) finds every receipt under both", async () => {
    for (const cursor of ["list_order", "created_after"] as const) {
      const { simulator, post, get } = await simulatorWith({ cursor });
      const ids: number[] = [];
      for (let correlative = 1; correlative <= 25; correlative++)
        ids.push(Number((await post(facturaBody({ correlative, order_id: 5 }))).body.id));
      const firstPage = (await get("/v1/receipts?limit=10&sort=id:desc")).body.data as { id: number }[];
      const after = (await get(`/v1/receipts?limit=10&sort=id:desc&after=${firstPage.at(-1)?.id}`)).body
        .data as {
        id: number;
      }[];
      if (cursor === "list_order") expect(after.map((r) => r.id)).toEqual(ids.slice(5, 15).reverse());
      else expect(after.map((r) => r.id)).toEqual(ids.slice(16, 25).reverse()); // newer than the cursor
      const client = new AceleralaClient({
        baseUrl: simulator.url,
        credentials: { client_id: "demo-client", client_secret: "demo-secret" },
      });
      const found = await client.receiptsOfOrder(5);
      expect(found.map((r) => Number(r.id))).toEqual(ids);
    }
  });
});

describe("SUNAT", () => {
  it("answers an exception (0100, not accepted) and then accepts the document sent again", async () => {
    const { simulator, post, get } = await simulatorWith({ sunatDelayMs: 100 });
    simulator.setSunatPolicy({ forced: { "88": "exception" } });
    const created = await post(facturaBody({ correlative: 1, order_id: 88 }));
    expect(created.body).toMatchObject({ sunat_acknowledged: 0 });
    await sleep(150);
    expect((await get(`/v1/receipts/${created.body.id}`)).body).toMatchObject({
      sunat_acknowledged: 1,
      sunat_accepted: 0,
      sunat_code: "0100",
      cdr_url: null,
    });
    await sleep(150);
    expect((await get(`/v1/receipts/${created.body.id}`)).body).toMatchObject({
      sunat_accepted: 1,
      sunat_code: "0",
    });
  });

  it("stores a receipt and then answers 502 (error after commit)", async () => {
    const { simulator, post, get } = await simulatorWith({});
    simulator.setFaults([{ kind: "error_after_commit", routes: ["POST /v1/receipts"], count: 1 }]);
    const failed = await post(facturaBody({ correlative: 4, order_id: 9 }));
    expect(failed.status).toBe(502);
    expect((await get("/v1/receipts?order_id=9")).body.data).toEqual([
      expect.objectContaining({ document_number: "F001-4" }),
    ]);
    expect(simulator.getFaults().injected.error_after_commit).toBe(1);
  });
});

describe("XML", () => {
  it("refuses a receipt holding characters XML cannot carry, naming the field", async () => {
    const { post } = await simulatorWith({});
    const body = facturaBody({ correlative: 2 });
    (body.items as Record<string, unknown>[])[0] = {
      ...(body.items as Record<string, unknown>[])[0],
      name: "Polo \uFFFE",
    };
    const refused = await post(body);
    expect(refused.status).toBe(422);
    expect((refused.body.error as { errors: unknown[] }).errors).toContainEqual(
      expect.objectContaining({ param: "items.0.name", code: "invalid_characters" }),
    );
    const emoji = facturaBody({
      correlative: 3,
      customer_information: {
        name: "Kala 🌿 green",
        document_type: "ruc",
        document_type_code: "6",
        document_number: "20601373034",
      },
    });
    expect((await post(emoji)).status).toBe(201);
  });
});

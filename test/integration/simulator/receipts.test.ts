import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { bearerToken, boletaBody, call, facturaBody, sleep } from "./support";

let simulator: Simulator;
let token: string;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, sunatDelayMs: 0, seed: 11 });
});
beforeEach(async () => {
  simulator.reset();
  simulator.setSunatPolicy({ delayMs: 0 });
  token = await bearerToken(simulator.url);
});
afterAll(async () => {
  await simulator.stop();
});

const post = (body: unknown) => call(simulator.url, token, "POST", "/v1/receipts", body);
type FieldError = { param: string; code: string; message: string };
const errorsOf = (body: Record<string, unknown>) => (body.error as { errors: FieldError[] }).errors;

describe("POST /v1/receipts", () => {
  it("stores the seed's Factura with an explicit correlative and answers 201 with the receipt", async () => {
    const { status, body } = await post(facturaBody({ correlative: 12, order_id: 32203 }));
    expect(status).toBe(201);
    expect(body).toMatchObject({
      object: "receipt",
      store_id: 511,
      order_id: 32203,
      series: "F001",
      correlative: 12,
      document_number: "F001-12",
      gross_total: "40.00",
      sunat_acknowledged: 1,
      sunat_accepted: 1,
      sunat_code: "0",
      sunat_message: "La Factura numero F001-12, ha sido aceptada",
    });
    const fetched = await call(simulator.url, token, "GET", `/v1/receipts/${body.id}`);
    expect(fetched.body).toEqual(body);
  });

  it("numbers receipts without a correlative as the next one of their series", async () => {
    await post(facturaBody({ correlative: 41 }));
    const next = await post(facturaBody());
    expect(next.body.document_number).toBe("F001-42");
    const boleta = await post(boletaBody("59.00"));
    expect(boleta.body.document_number).toBe("B001-1");
  });

  it("refuses the same series and correlative twice with 409 duplicate_document_number and the existing id", async () => {
    const first = await post(facturaBody({ correlative: 7 }));
    const second = await post(facturaBody({ correlative: 7 }));
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      type: "conflict",
      code: "duplicate_document_number",
      existing_receipt_id: first.body.id,
    });
    const list = await call(simulator.url, token, "GET", "/v1/receipts?document_number=F001-7");
    expect(list.body.data).toHaveLength(1);
  });

  it("finds receipts by order_id, series and sunat_acknowledged", async () => {
    await post(facturaBody({ order_id: 1 }));
    await post(facturaBody({ order_id: 2 }));
    const byOrder = await call(simulator.url, token, "GET", "/v1/receipts?order_id=2");
    expect((byOrder.body.data as { order_id: number }[]).map((receipt) => receipt.order_id)).toEqual([2]);
  });
});

describe("SUNAT-rule refusals: 422 invalid_request_error naming each field and code", () => {
  it.each([
    ["series that does not match the type", { series: "B001" }, "series", "1001"],
    ["contingency series of letters", { series: "X001" }, "series", "1001"],
    ["correlative of 9 digits", { correlative: 123456789 }, "correlative", "1001"],
    ["correlative with leading zero", { correlative: "0012" }, "correlative", "1001"],
    [
      "factura to a DNI",
      { customer_information: { name: "Ana", document_type_code: "1", document_number: "48765432" } },
      "customer_information.document_type_code",
      "2800",
    ],
    [
      "RUC of 10 digits",
      { customer_information: { name: "X SAC", document_type: "ruc", document_number: "2060137303" } },
      "customer_information.document_number",
      "2017",
    ],
    ["missing gross_total", { gross_total: undefined }, "gross_total", "required"],
    ["amount with 3 decimals", { taxes_total: "6.105" }, "taxes_total", "invalid_format"],
    ["taxable total off by more than 1.00", { taxable_total: "35.00" }, "taxable_total", "3277"],
    ["total IGV off by more than 1.00", { sales_tax_total: "8.00" }, "sales_tax_total", "3291"],
    ["payable off by more than 1.00", { gross_total: "45.00" }, "gross_total", "3280"],
    ["tax-inclusive total off", { net_total: "40.00", gross_total: "46.10" }, "net_total", "3279"],
  ])("%s", async (_label, overrides, param, code) => {
    const { status, body } = await post(facturaBody(overrides));
    expect(status).toBe(422);
    expect(body.error).toMatchObject({ type: "invalid_request_error" });
    expect(errorsOf(body)).toContainEqual(expect.objectContaining({ param, code }));
  });

  it("checks line arithmetic: value (3271) and IGV (3103), naming the item", async () => {
    const body = facturaBody();
    const [item] = body.items as Record<string, unknown>[];
    const { status, body: answer } = await post({
      ...body,
      items: [
        { ...item, quantity: 2 },
        { ...item, sales_tax_total: "9.00" },
      ],
      taxable_total: "67.80",
      sales_tax_total: "12.20",
      net_total: "67.80",
      taxes_total: "12.20",
      gross_total: "80.00",
    });
    expect(status).toBe(422);
    const errors = errorsOf(answer);
    expect(errors).toContainEqual(expect.objectContaining({ param: "items[0].net_total", code: "3271" }));
    expect(errors).toContainEqual(
      expect.objectContaining({ param: "items[1].sales_tax_total", code: "3103" }),
    );
  });

  it("tolerates differences up to 1.00, as SUNAT does", async () => {
    const { status } = await post(
      facturaBody({ sales_tax_total: "6.90", taxes_total: "6.90", gross_total: "40.80" }),
    );
    expect(status).toBe(201);
  });

  it("subtracts global discounts of code 02 from the taxable total", async () => {
    const ok = await post(
      facturaBody({
        global_discounts: [{ code: "02", net_amount: "10.00" }],
        taxable_total: "23.90",
        sales_tax_total: "4.30",
        net_total: "23.90",
        taxes_total: "4.30",
        gross_total: "28.20",
      }),
    );
    expect(ok.status).toBe(201);
  });

  it("requires a document on a boleta over S/ 700.00 and a valid DNI", async () => {
    const anonymous = await post(boletaBody("700.01"));
    expect(anonymous.status).toBe(422);
    expect(errorsOf(anonymous.body)).toContainEqual(
      expect.objectContaining({ param: "customer_information.document_type_code", code: "2800" }),
    );
    expect((await post(boletaBody("700.00"))).status).toBe(201);
    const shortDni = await post(
      boletaBody("800.00", { name: "Ana", document_type: "dni", document_number: "4876543" }),
    );
    expect(errorsOf(shortDni.body)).toContainEqual(
      expect.objectContaining({ param: "customer_information.document_number", code: "2801" }),
    );
    const identified = await post(
      boletaBody("800.00", { name: "Ana", document_type: "dni", document_number: "48765432" }),
    );
    expect(identified.status).toBe(201);
  });

  it("accepts a RUC whose check digit is wrong, as SUNAT's XSL does (the product must catch it)", async () => {
    const { status } = await post(
      facturaBody({
        customer_information: { name: "X", document_type_code: "6", document_number: "20601373035" },
      }),
    );
    expect(status).toBe(201);
  });

  it("refuses a body that is not JSON with 400", async () => {
    const response = await fetch(`${simulator.url}/v1/receipts`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
  });
});

describe("SUNAT's asynchronous answer", () => {
  it("starts unacknowledged and is accepted after sunatDelayMs", async () => {
    simulator.setSunatPolicy({ delayMs: 150 });
    const created = await post(facturaBody({ correlative: 66 }));
    expect(created.body).toMatchObject({
      sunat_acknowledged: 0,
      sunat_accepted: 0,
      sunat_code: null,
      cdr_url: null,
    });
    await sleep(400);
    const later = await call(simulator.url, token, "GET", `/v1/receipts/${created.body.id}`);
    expect(later.body).toMatchObject({
      sunat_acknowledged: 1,
      sunat_accepted: 1,
      sunat_code: "0",
      sunat_message: "La Factura numero F001-66, ha sido aceptada",
    });
    expect(String(later.body.cdr_url)).toMatch(/\/files\/\d+\.zip$/);
  });

  it("reports forced rejections (number burnt) and observations per order", async () => {
    simulator.setSunatPolicy({
      forced: { "501": "rejected", "502": { outcome: "observations", code: "4287" } },
    });
    const rejected = await post(facturaBody({ order_id: 501, correlative: 3 }));
    expect(rejected.body).toMatchObject({ sunat_acknowledged: 1, sunat_accepted: 0, sunat_code: "2335" });
    expect(String(rejected.body.sunat_message)).toContain("rechazada");
    const observed = await post(facturaBody({ order_id: 502 }));
    expect(observed.body).toMatchObject({ sunat_acknowledged: 1, sunat_accepted: 1, sunat_code: "4287" });
    expect((await post(facturaBody({ order_id: 503, correlative: 3 }))).status).toBe(409);
  });

  it("follows seeded rates: with rejectRate 1 every receipt is rejected; no_answer leaves it pending", async () => {
    await call(simulator.url, null, "POST", "/_sim/sunat", { rejectRate: 1 });
    const rejected = await post(facturaBody());
    expect(Number(rejected.body.sunat_code)).toBeGreaterThanOrEqual(2000);
    expect(Number(rejected.body.sunat_code)).toBeLessThan(4000);
    await call(simulator.url, null, "POST", "/_sim/sunat", { rejectRate: 0, noAnswerRate: 1 });
    const pending = await post(facturaBody());
    expect(pending.body.sunat_acknowledged).toBe(0);
    const policy = await call(simulator.url, null, "GET", "/_sim/sunat");
    expect(policy.body).toMatchObject({ rejectRate: 0, noAnswerRate: 1 });
    expect((await call(simulator.url, null, "POST", "/_sim/sunat", { rejectRate: 2 })).status).toBe(422);
  });
});

describe("files", () => {
  it("serves the XML, PDF and CDR with their content types; no CDR before SUNAT answers", async () => {
    simulator.setSunatPolicy({ noAnswerRate: 1 });
    const pending = await post(facturaBody());
    expect((await fetch(`${simulator.url}/files/${pending.body.id}.zip`)).status).toBe(404);
    simulator.setSunatPolicy({ noAnswerRate: 0 });
    const { body } = await post(facturaBody());
    const xml = await fetch(String(body.xml_url));
    expect(xml.headers.get("content-type")).toBe("application/xml");
    expect(await xml.text()).toContain(`<cbc:ID>${body.document_number}</cbc:ID>`);
    const pdf = await fetch(String(body.pdf_url));
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
    const cdr = await fetch(String(body.cdr_url));
    expect(cdr.headers.get("content-type")).toBe("application/zip");
    const zip = Buffer.from(await cdr.arrayBuffer());
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.toString("latin1")).toContain("<cbc:ResponseCode>0</cbc:ResponseCode>");
  });
});

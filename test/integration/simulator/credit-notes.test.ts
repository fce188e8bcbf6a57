import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../../infra/simulator/server";
import { buildCreditNote, type CreditNoteRequest, parseStoreConfigs } from "../../../lib/receipt";
import { type ApiResponse, bearerToken, boletaBody, call, facturaBody, sleep } from "./support";

// Notas de crédito (07) in POST /v1/receipts, over HTTP: SUNAT's checks for notes (each with its code), the
// figures checked like a receipt's, the credited total, their own numbering per series under every numbering
// mode, and SUNAT's asynchronous answer. Valid note bodies come from the product's pure builder (the simulator
// itself never imports lib/receipt: it is the check of the product).

type FieldError = { param: string; code: string; message: string };

const [store] = parseStoreConfigs(JSON.parse(readFileSync("config/stores.json", "utf8")));
if (!store) throw new Error("config/stores.json has no store");
const SALE_DATE = "2025-03-10";

let simulator: Simulator;
let token: string;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, sunatDelayMs: 0, seed: 31 });
});
beforeEach(async () => {
  simulator.reset();
  simulator.setSunatPolicy({ delayMs: 0 });
  token = await bearerToken(simulator.url);
});
afterAll(async () => {
  await simulator.stop();
});

const post = (body: unknown, url = simulator.url, as = token) => call(url, as, "POST", "/v1/receipts", body);
const errorsOf = (body: Record<string, unknown>) => (body.error as { errors: FieldError[] }).errors;

/** The receipt as the API holds it, after a 201. */
function created(response: ApiResponse): Record<string, unknown> {
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** A credit note on `receipt` built by the product's builder (motive 01, the whole remainder, unless told). */
function noteOn(receipt: Record<string, unknown>, request: Partial<CreditNoteRequest> = {}) {
  const result = buildCreditNote(receipt, store as NonNullable<typeof store>, {
    motive: "01",
    scope: { kind: "remainder" },
    issueDate: "2025-03-12",
    ...request,
  });
  if (!result.ok) throw new Error(`the builder refused: ${JSON.stringify(result.problems)}`);
  return result.note as unknown as Record<string, unknown>;
}

/** The receipt as a product that wrongly believes SUNAT accepted it would see it (the builder checks that). */
const asIfAccepted = (receipt: Record<string, unknown>) => ({
  ...receipt,
  sunat_acknowledged: 1,
  sunat_accepted: 1,
  sunat_code: "0",
});

/** The seed's Factura (S/ 40.00) for `orderId`, accepted unless SUNAT is told otherwise. */
async function acceptedFactura(orderId = 700, correlative = 1) {
  return created(await post(facturaBody({ order_id: orderId, correlative, issue_date: SALE_DATE })));
}

describe("a note on an accepted receipt", () => {
  it("a full note (01) on a Factura: numbered in FC01 apart from the Facturas, and SUNAT accepts a Nota de Credito", async () => {
    const factura = await acceptedFactura();
    const note = created(await post(noteOn(factura, { orderId: 700 })));
    expect(note).toMatchObject({
      document_type_code: "07",
      series: "FC01",
      document_number: "FC01-1",
      order_id: 700,
      affected_document_type_code: "01",
      affected_document_number: "F001-1",
      note_motive_code: "01",
      note_motive_description: "Anulación de la operación",
      sunat_acknowledged: 1,
      sunat_accepted: 1,
      sunat_code: "0",
      sunat_message: "La Nota de Credito numero FC01-1, ha sido aceptada",
    });
    const listed = await call(
      simulator.url,
      token,
      "GET",
      "/v1/receipts?document_type_code=07&affected_document_number=F001-1",
    );
    expect((listed.body.data as { id: number }[]).map((receipt) => receipt.id)).toEqual([note.id]);
    const xml = await (await fetch(String(note.xml_url))).text();
    expect(xml).toContain("<CreditNote");
    expect(xml).toContain("<cbc:ReferenceID>F001-1</cbc:ReferenceID>");
    expect(xml).toContain("<cbc:ResponseCode>01</cbc:ResponseCode>");
  });

  it("a Boleta's notes go in BC01; partial notes (09) credit up to the Boleta and no further (4028)", async () => {
    const boleta = created(
      await post(boletaBody("59.00", undefined, { order_id: 710, issue_date: SALE_DATE })),
    );
    const first = created(
      await post(noteOn(boleta, { motive: "09", scope: { kind: "amount", amount: "20.00" } })),
    );
    expect(first.document_number).toBe("BC01-1");
    created(await post(noteOn(boleta, { motive: "09", scope: { kind: "amount", amount: "39.00" } })));
    // The builder does not know the earlier notes here; the simulator does.
    const over = await post(noteOn(boleta, { motive: "09", scope: { kind: "amount", amount: "0.01" } }));
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ param: "gross_total", code: "4028" });
    expect(String((over.body.error as { message: string }).message)).toContain("already credited 59.00");
  });

  it("notes SUNAT rejected do not count toward the credited total; notes it has not answered yet do", async () => {
    simulator.setSunatPolicy({ forced: { "700:07": "rejected" } });
    const factura = await acceptedFactura();
    expect(factura.sunat_accepted).toBe(1); // ORDER:07 forces the notes only
    const rejected = created(await post(noteOn(factura)));
    expect(rejected).toMatchObject({ sunat_accepted: 0, sunat_code: "2335" });
    expect(String(rejected.sunat_message)).toContain("La Nota de Credito numero FC01-1, ha sido rechazada");

    simulator.setSunatPolicy({ forced: { "700:07": "no_answer" } });
    const pending = created(await post(noteOn(factura)));
    expect(pending).toMatchObject({ document_number: "FC01-2", sunat_acknowledged: 0 });
    const over = await post(noteOn(factura, { motive: "09", scope: { kind: "amount", amount: "0.01" } }));
    expect(over.body.error).toMatchObject({ param: "gross_total", code: "4028" });
  });

  it("names the document without its leading zeros or with them, and credits one made outside the product", async () => {
    const factura = await acceptedFactura();
    created(
      await post({
        ...noteOn(factura, { motive: "09", scope: { kind: "amount", amount: "10.00" } }),
        affected_document_number: "F001-00000001",
      }),
    );
    const over = await post(noteOn(factura, { motive: "09", scope: { kind: "amount", amount: "30.01" } }));
    expect(over.body.error).toMatchObject({ code: "4028" }); // the zero-padded note counted for F001-1

    simulator.addOutOfBandReceipt({ series: "F002", correlative: 66, gross_total: "40.00" });
    const today = new Date().toISOString().slice(0, 10); // the day the outside receipt was issued
    const onOld = await post({ ...noteOn(factura), affected_document_number: "F002-66", issue_date: today });
    expect(created(onOld).affected_document_number).toBe("F002-66");
  });

  it("takes the Catálogo 09 text whatever its case and accents", async () => {
    const factura = await acceptedFactura();
    created(await post({ ...noteOn(factura), note_motive_description: "ANULACION DE LA OPERACION" }));
  });

  it("a forced outcome keyed by the order alone applies to its notes as well as to its receipt", async () => {
    simulator.setSunatPolicy({ forced: { "700": { outcome: "observations", code: "4287" } } });
    const factura = await acceptedFactura();
    expect(factura).toMatchObject({ sunat_accepted: 1, sunat_code: "4287" });
    const note = created(await post(noteOn(factura)));
    expect(note).toMatchObject({ sunat_accepted: 1, sunat_code: "4287" });
    expect(String(note.sunat_message)).toContain(
      "La Nota de Credito numero FC01-1, ha sido aceptada con observaciones",
    );
  });

  it("answers a note asynchronously, as a receipt", async () => {
    const factura = await acceptedFactura();
    simulator.setSunatPolicy({ delayMs: 120 });
    const note = created(await post(noteOn(factura)));
    expect(note).toMatchObject({ sunat_acknowledged: 0, sunat_code: null, cdr_url: null });
    await sleep(300);
    const later = await call(simulator.url, token, "GET", `/v1/receipts/${note.id}`);
    expect(later.body).toMatchObject({ sunat_acknowledged: 1, sunat_accepted: 1, sunat_code: "0" });
  });
});

describe("SUNAT's checks for notes: 422 naming the field and the code", () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ["a B series on a Factura", { series: "BC01" }, "affected_document_type_code", "2399"],
    [
      "a Boleta named from an F series",
      { affected_document_type_code: "03" },
      "affected_document_type_code",
      "2116",
    ],
    [
      "no affected document type",
      { affected_document_type_code: undefined },
      "affected_document_type_code",
      "2583",
    ],
    [
      "a contingency-series note on a type that is no sale",
      { series: "0001", affected_document_type_code: "08" },
      "affected_document_type_code",
      "2594",
    ],
    [
      "no affected document number",
      { affected_document_number: undefined },
      "affected_document_number",
      "2524",
    ],
    [
      "a correlative of 9 digits",
      { affected_document_number: "F001-123456789" },
      "affected_document_number",
      "2117",
    ],
    [
      "a Boleta's number as a Factura",
      { affected_document_number: "B001-1" },
      "affected_document_number",
      "2117",
    ],
    ["no hyphen", { affected_document_number: "F0011" }, "affected_document_number", "2117"],
    [
      "a Factura the store does not have",
      { affected_document_number: "F001-99" },
      "affected_document_number",
      "2119",
    ],
    ["no motive", { note_motive_code: undefined }, "note_motive_code", "2128"],
    ["two motives in a list", { note_motive_code: ["01", "06"] }, "note_motive_code", "3203"],
    ["two motives in one text", { note_motive_code: "01,06" }, "note_motive_code", "3203"],
    ["a motive not in Catálogo 09", { note_motive_code: "14" }, "note_motive_code", "2172"],
    ["a motive as a number", { note_motive_code: 1 }, "note_motive_code", "2172"],
    ["no description", { note_motive_description: undefined }, "note_motive_description", "2136"],
    [
      "two descriptions",
      { note_motive_description: ["Anulación de la operación", "Devolución total"] },
      "note_motive_description",
      "2413",
    ],
    ["a one-character description", { note_motive_description: "A" }, "note_motive_description", "2135"],
    [
      "a description on two lines",
      { note_motive_description: "Anulación de\nla operación" },
      "note_motive_description",
      "2135",
    ],
    [
      "a description of 501 characters",
      { note_motive_description: "x".repeat(501) },
      "note_motive_description",
      "2135",
    ],
    [
      "another motive's description",
      { note_motive_description: "Devolución total" },
      "note_motive_description",
      "invalid_format",
    ],
    ["a currency other than the Factura's", { currency_code: "USD" }, "currency_code", "3209"],
    ["dated before the Factura", { issue_date: "2025-03-09" }, "issue_date", "2885"],
    ["a series that is no F/B + 3", { series: "FC1" }, "series", "1001"],
    ["a series of another letter", { series: "XC01" }, "series", "1001"],
    ["a payable that does not add up", { gross_total: 45 }, "gross_total", "3280"],
    ["a total IGV off by more than 1.00", { sales_tax_total: 9 }, "sales_tax_total", "3291"],
    [
      "a Factura's note to a customer without RUC",
      { customer_information: { name: "Ana Pérez", document_type_code: "1", document_number: "48765432" } },
      "customer_information.document_type_code",
      "2800",
    ],
  ];

  it.each(cases)("%s", async (_label, overrides, param, code) => {
    const factura = await acceptedFactura();
    const body: Record<string, unknown> = { ...noteOn(factura), ...overrides };
    for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete body[name];
    const { status, body: answer } = await post(body);
    expect(status).toBe(422);
    expect(answer.error).toMatchObject({ type: "invalid_request_error" });
    expect(errorsOf(answer)).toContainEqual(expect.objectContaining({ param, code }));
    expect(simulator.allReceipts().filter((receipt) => receipt.document_type_code === "07")).toEqual([]);
  });

  it("refuses a note on a receipt SUNAT rejected (2121), and on one it has not accepted yet (2119)", async () => {
    simulator.setSunatPolicy({ forced: { "701": "rejected", "702": "no_answer" } });
    const rejected = created(
      await post(facturaBody({ order_id: 701, correlative: 2, issue_date: SALE_DATE })),
    );
    expect(rejected.sunat_code).toBe("2335");
    const onRejected = await post(noteOn(asIfAccepted(rejected)));
    expect(onRejected.status).toBe(422);
    expect(onRejected.body.error).toMatchObject({ param: "affected_document_number", code: "2121" });

    const pending = created(
      await post(facturaBody({ order_id: 702, correlative: 3, issue_date: SALE_DATE })),
    );
    const onPending = await post(noteOn(asIfAccepted(pending)));
    expect(onPending.body.error).toMatchObject({ param: "affected_document_number", code: "2119" });
    expect(String((onPending.body.error as { message: string }).message)).toContain("not accepted");
  });

  it("waits out an exception: refused while SUNAT's answer is 0100, accepted once the receipt is", async () => {
    simulator.setSunatPolicy({ forced: { "703": "exception" } });
    const factura = created(
      await post(facturaBody({ order_id: 703, correlative: 4, issue_date: SALE_DATE })),
    );
    expect(factura).toMatchObject({ sunat_code: "0100", sunat_accepted: 0 });
    expect((await post(noteOn(asIfAccepted(factura)))).body.error).toMatchObject({ code: "2119" });
    await sleep(120); // the simulator's Acelérala sends it again and SUNAT accepts it
    const accepted = await call(simulator.url, token, "GET", `/v1/receipts/${factura.id}`);
    expect(accepted.body).toMatchObject({ sunat_code: "0", sunat_accepted: 1 });
    created(await post(noteOn(accepted.body)));
  });

  it("names every broken rule of a note at once", async () => {
    const factura = await acceptedFactura();
    const { body } = await post({
      ...noteOn(factura),
      affected_document_type_code: undefined,
      affected_document_number: "F001-1",
      note_motive_code: "99",
      note_motive_description: "",
    });
    expect(errorsOf(body).map((error) => error.code)).toEqual(["2172", "2136", "2583"]);
  });
});

describe("a note's number under each numbering mode", () => {
  const started: Simulator[] = [];
  afterAll(async () => {
    await Promise.all(started.map((other) => other.stop()));
  });
  async function simulatorWith(options: SimulatorOptions) {
    const other = await startSimulator({ sunatDelayMs: 0, seed: 4, ...options });
    started.push(other);
    const otherToken = await bearerToken(other.url);
    const send = (body: unknown) => post(body, other.url, otherToken);
    const factura = created(
      await send(facturaBody({ order_id: 800, correlative: 1, issue_date: SALE_DATE })),
    );
    return { other, send, factura };
  }
  const partial = (amount: string, correlative?: number) => ({
    motive: "09",
    scope: { kind: "amount", amount } as const,
    ...(correlative === undefined ? {} : { correlative }),
  });

  it("explicit: the note's correlative is honoured in its series; a repeat is 409 before any credit check", async () => {
    const { send, factura } = await simulatorWith({ numbering: "explicit" });
    const first = created(await send(noteOn(factura, partial("30.00", 5))));
    expect(first.document_number).toBe("FC01-5");
    const repeat = await send(noteOn(factura, partial("30.00", 5)));
    expect(repeat.status).toBe(409);
    expect(repeat.body.error).toMatchObject({
      code: "duplicate_document_number",
      existing_receipt_id: first.id,
    });
    // Numbers are a document type's: a note may be numbered 1 in series F001, where Factura F001-1 is.
    const sameSeries = created(await send({ ...noteOn(factura, partial("10.00", 1)), series: "F001" }));
    expect(sameSeries.document_number).toBe("F001-1");
    expect(sameSeries.id).not.toBe(factura.id);
  });

  it("auto: notes are numbered in their own series, apart from the Facturas, the client's correlative ignored", async () => {
    const { send, factura } = await simulatorWith({ numbering: "auto", existingReceipts: { F001: 3 } });
    expect(factura.document_number).toBe("F001-4");
    const first = created(await send(noteOn(factura, partial("10.00", 40))));
    const second = created(await send(noteOn(factura, partial("10.00", 40))));
    expect([first.document_number, second.document_number]).toEqual(["FC01-1", "FC01-2"]);
    const inF001 = created(await send({ ...noteOn(factura, partial("10.00")), series: "F001" }));
    expect(inF001.document_number).toBe("F001-1");
    // A retry that lands twice is a second note: the credit check holds the line.
    expect((await send(noteOn(factura, partial("10.01")))).body.error).toMatchObject({ code: "4028" });
  });

  it("repeat: a repeated note number is stored and refused by SUNAT (1033), and credits nothing", async () => {
    const { other, send, factura } = await simulatorWith({ numbering: "repeat" });
    const first = created(await send(noteOn(factura, partial("10.00", 1))));
    // 10 + 35 would be over the Factura's 40: a repeat is refused for its number before anything else.
    const repeat = created(await send(noteOn(factura, partial("35.00", 1))));
    expect(repeat.document_number).toBe("FC01-1");
    expect(other.getReceipt(repeat.id as number)).toMatchObject({ sunat_code: "1033", sunat_accepted: 0 });
    expect(other.getReceipt(first.id as number)).toMatchObject({ sunat_code: "0" });
    created(await send(noteOn(factura, partial("30.00", 2)))); // 10 + 30 = the Factura's 40
    expect((await send(noteOn(factura, partial("0.01", 3)))).body.error).toMatchObject({ code: "4028" });
  });
});

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureReceiptsTable } from "../../../infra/local/receipts-table";
import { makeOrder } from "../../../infra/simulator/order-factory";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { createTargetReceiptStore, resolveTarget } from "../../../lib/cli/target";
import type { ReceiptStatusView } from "../../../lib/ops/receipt-view";
import type { OrderKey, ReceiptRecord } from "../../../lib/store/receipt-record";
import {
  type DocumentFacts,
  expectOf,
  type LandedReceipt,
  noteKey,
  type ReceiptStore,
} from "../../../lib/store/receipt-store";
import { maskDocument } from "../../../lib/worker/landed";
import { localClientConfig } from "../../support/local-stack";
import { cpe, createScratch, writeLocalEnv } from "./support";

// `cpe status` and `cpe receipts` against DynamoDB Local (the shared table of the global setup), on records
// written with ReceiptStore under a store id of this file only.
const scratch = createScratch();
const storeId = 60_000 + Math.floor(Math.random() * 9_000);
let envFile: string;
let store: ReceiptStore;
let destroy: () => void;

const CUSTOMER = { documentTypeCode: "6", documentNumber: "20552103816" };

function facts(series: string, grossTotal: string, currencyCode: string): DocumentFacts {
  return {
    documentTypeCode: series.startsWith("F") ? "01" : "03",
    currencyCode,
    grossTotal,
    issueDate: "2026-11-20",
    customerDocument: maskDocument(CUSTOMER.documentTypeCode, CUSTOMER.documentNumber),
  };
}

function reserve(key: OrderKey, series: string, grossTotal: string, currencyCode: string, at: string) {
  return store.reserve({
    key,
    expect: expectOf(undefined),
    series,
    facts: facts(series, grossTotal, currencyCode),
    now: new Date(at),
  });
}

function landed(record: ReceiptRecord, receiptId: number): LandedReceipt {
  return {
    ...facts(record.series ?? "", record.grossTotal ?? "", record.currencyCode ?? ""),
    receiptId,
    series: record.series ?? "",
    correlative: record.correlative ?? 0,
    sunatAnswer: null,
    xmlUrl: null,
    pdfUrl: null,
  };
}

beforeAll(async () => {
  envFile = writeLocalEnv(scratch.dir);
  const target = await resolveTarget(
    { "local-env": envFile },
    { stdout() {}, stderr() {}, env: {}, cwd: "/" },
    {
      needsQueues: false,
    },
  );
  ({ store, destroy } = createTargetReceiptStore(target));

  // 1001: Factura, submitted, then accepted by SUNAT (three transitions).
  const key1001 = { storeId, orderId: 1001 };
  const reserved1001 = await reserve(key1001, "F001", "1180.00", "PEN", "2026-11-20T15:00:00Z");
  await store.land(
    key1001,
    expectOf(reserved1001),
    landed(reserved1001, 9001),
    Date.parse("2026-11-20T15:02:00Z"),
    "API holds receipt 9001",
    new Date("2026-11-20T15:01:00Z"),
  );
  await store.recordSunatAnswer(
    key1001,
    "F001-1",
    "SUBMITTED",
    {
      outcome: "accepted",
      sunatCode: "0",
      sunatMessage: "La Factura numero F001-1, ha sido aceptada",
      xmlUrl: "http://127.0.0.1/r/9001.xml",
      pdfUrl: "http://127.0.0.1/r/9001.pdf",
      cdrUrl: "http://127.0.0.1/r/9001.zip",
    },
    new Date("2026-11-20T15:03:00Z"),
  );
  // 1002: Boleta in dollars, submitted, waiting for SUNAT.
  const key1002 = { storeId, orderId: 1002 };
  const reserved1002 = await reserve(key1002, "B001", "10.00", "USD", "2026-11-21T16:00:00Z");
  await store.land(
    key1002,
    expectOf(reserved1002),
    landed(reserved1002, 9002),
    Date.parse("2026-11-21T16:02:00Z"),
    "API holds receipt 9002",
    new Date("2026-11-21T16:01:00Z"),
  );
  // 1003: reserved, then the API refused the data.
  const key1003 = { storeId, orderId: 1003 };
  const reserved1003 = await reserve(key1003, "F001", "590.00", "PEN", "2026-11-22T17:00:00Z");
  await store.flag(
    key1003,
    expectOf(reserved1003),
    [
      {
        field: "customer_information.document_number",
        rule: "ruc_check_digit",
        message: "20552103817 no es un RUC válido (admin@agrolight.pe)",
      },
    ],
    "API refused F001-2",
    new Date("2026-11-22T17:01:00Z"),
  );
  await store.recordError(key1003, "API 503 Service Unavailable", new Date("2026-11-22T17:02:00Z"));
  // 1004: broke a rule before any number was reserved.
  await store.flag(
    { storeId, orderId: 1004 },
    expectOf(undefined),
    [{ field: "total", rule: "totals_add_up", message: "los totales no suman" }],
    "order refused",
    new Date("2026-11-23T18:00:00Z"),
  );
});

afterAll(() => {
  destroy();
  scratch.remove();
});

describe("cpe status", () => {
  it("shows the record with SUNAT's answer, the links and the whole history, customer masked", async () => {
    const result = await cpe(["status", "1001", "--store", String(storeId), "--local-env", envFile]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toMatch(/^Estado en API\/SUNAT: +ACEPTADO \(ACCEPTED\)$/m);
    expect(text).toMatch(/^Documento: +Factura F001-1 \(tipo 01\)$/m);
    expect(text).toMatch(/^Total: +S\/1,180\.00$/m);
    expect(text).toMatch(/^Id en Acelérala: +9001$/m);
    expect(text).toMatch(/^Código SUNAT: +0$/m);
    expect(text).toMatch(/^Descripción de la respuesta: +La Factura numero F001-1, ha sido aceptada$/m);
    expect(text).toMatch(/^ {2}CDR {2}http:\/\/127\.0\.0\.1\/r\/9001\.zip$/m);
    expect(text).toMatch(/^Cliente: +documento 6:…816$/m);
    expect(text).toMatch(/^Fecha de emisión: +2026-11-20$/m);
    const history = text.slice(text.indexOf("Historial:")).split("\n").slice(1, 4);
    expect(history).toEqual([
      expect.stringMatching(/^ {2}2026-11-20 10:00 {2}\(nuevo\) +→ RESERVED +number F001-1 reserved$/),
      expect.stringMatching(/^ {2}2026-11-20 10:01 {2}RESERVED +→ SUBMITTED +API holds receipt 9001$/),
      expect.stringMatching(/^ {2}2026-11-20 10:03 {2}SUBMITTED +→ ACCEPTED +SUNAT code 0$/),
    ]);
    expect(text).toContain("Notas de crédito: ninguna");
    expect(text).not.toContain("20552103816");
    expect(text).not.toContain("admin@agrolight.pe");
  });

  it("--json: problems, last error and history, without the request body or customer data", async () => {
    const result = await cpe([
      "status",
      "1003",
      "--store",
      String(storeId),
      "--json",
      "--local-env",
      envFile,
    ]);
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout) as ReceiptStatusView;
    expect(view).toMatchObject({
      state: "NEEDS_ATTENTION",
      stateLabel: "ATENCIÓN",
      document: "Factura F001-2",
      total: "S/590.00",
      lastError: "API 503 Service Unavailable",
      problems: [
        {
          field: "customer_information.document_number",
          rule: "ruc_check_digit",
          message: "2055*****17 no es un RUC válido (a***@agrolight.pe)",
        },
      ],
    });
    expect(view.history.map((step) => [step.from, step.to, step.why])).toEqual([
      ["NONE", "RESERVED", "number F001-2 reserved"],
      ["RESERVED", "NEEDS_ATTENTION", "API refused F001-2"],
    ]);
    expect(result.stdout).not.toContain("requestBody");
    expect(result.stdout).not.toContain("20552103816");
    expect(result.stdout).not.toContain("admin@agrolight.pe");
  });

  it("shows the numbers a reissue left burnt, in the text and in --json", async () => {
    // Its own store, so the listings below keep their four rows.
    const key = { storeId: storeId + 20_000, orderId: 1005 };
    const reserved = await reserve(key, "F001", "100.00", "PEN", "2026-11-24T15:00:00Z");
    const submitted = await store.land(
      key,
      expectOf(reserved),
      landed(reserved, 9005),
      Date.parse("2026-11-24T15:02:00Z"),
      "API holds receipt 9005",
      new Date("2026-11-24T15:01:00Z"),
    );
    await store.recordSunatAnswer(
      key,
      submitted.documentNumber ?? "",
      "SUBMITTED",
      {
        outcome: "rejected",
        sunatCode: "2017",
        sunatMessage: "El RUC del receptor no existe",
        cdrUrl: null,
        xmlUrl: null,
        pdfUrl: null,
      },
      new Date("2026-11-24T15:03:00Z"),
    );
    await store.markForReissue(key, "cpe resend", new Date("2026-11-24T16:00:00Z"));
    const args = ["status", "1005", "--store", String(key.storeId), "--local-env", envFile];

    const text = await cpe(args);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[lines.indexOf("Números rechazados por SUNAT (quemados):") + 1]).toBe(
      `  ${submitted.documentNumber}: comprobante 9005, SUNAT 2017; reenviado 2026-11-24 11:00`,
    );
    const json = await cpe([...args, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const view = JSON.parse(json.stdout) as ReceiptStatusView;
    expect(view.state).toBe("NEEDS_ATTENTION");
    expect(view.burntNumbers).toEqual([
      {
        documentNumber: submitted.documentNumber,
        receiptId: 9005,
        sunatCode: "2017",
        at: "2026-11-24T16:00:00.000Z",
      },
    ]);
  });

  it("exits 1 with a clear message when the order has no record", async () => {
    const result = await cpe(["status", "999999", "--store", String(storeId), "--local-env", envFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      new RegExp(`el pedido 999999 de la tienda ${storeId} no tiene registro de comprobante \\(tabla `),
    );
  });

  it("reports an unreachable local stack instead of a stack trace", async () => {
    const deadEnv = writeLocalEnv(scratch.dir, { AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:9" });
    const result = await cpe(["status", "1001", "--store", String(storeId), "--local-env", deadEnv]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cpe status: .*ECONNREFUSED.*pila local/);
  });
});

describe("cpe receipts", () => {
  // Every order of the store comes from Acelérala (here the simulator); the records from a table of this test.
  let simulator: Simulator;
  let listEnv: string;
  let listStore: ReceiptStore;
  let destroyListStore: () => void;
  const ids: number[] = [];
  const LIST_STORE = 511;

  beforeAll(async () => {
    simulator = await startSimulator({ sunatDelayMs: 0 });
    const tableName = `receipts-list-${process.pid}-${Date.now()}`;
    const dynamo = new DynamoDBClient(localClientConfig("dynamodb"));
    await ensureReceiptsTable(dynamo, tableName);
    dynamo.destroy();
    listEnv = writeLocalEnv(scratch.dir, {
      TABLE_NAME: tableName,
      ACELERALA_API_URL: simulator.url,
      ACELERALA_CREDENTIALS: JSON.stringify({
        "511": { client_id: "demo-client", client_secret: "demo-secret" },
      }),
    });
    const target = await resolveTarget(
      { "local-env": listEnv },
      { stdout() {}, stderr() {}, env: {}, cwd: "/" },
      { needsQueues: false },
    );
    ({ store: listStore, destroy: destroyListStore } = createTargetReceiptStore(target));
    // Five orders, oldest first: a Factura accepted with a credit note, a Boleta in dollars sent and waiting,
    // one the worker flagged before building anything (no total on its record), and two never sent (N/A).
    const kinds = [
      ["factura", "PEN"],
      ["boleta", "USD"],
      ["factura", "PEN"],
      ["boleta", "PEN"],
      ["factura", "PEN"],
    ] as const;
    for (const [index, [documentKind, currency]] of kinds.entries())
      ids.push(Number(simulator.createOrder(makeOrder(5_000 + index, {}, { documentKind, currency })).id));
    const [first, second, third] = ids as [number, number, number];
    const key1 = { storeId: LIST_STORE, orderId: first };
    const r1 = await listStore.reserve({
      key: key1,
      expect: expectOf(undefined),
      series: "F001",
      facts: facts("F001", "1180.00", "PEN"),
      now: new Date("2026-11-20T15:00:00Z"),
    });
    await listStore.land(
      key1,
      expectOf(r1),
      {
        ...landed(r1, 9101),
        sunatAnswer: {
          outcome: "accepted",
          sunatCode: "0",
          sunatMessage: "La Factura numero F001-1, ha sido aceptada",
          xmlUrl: "http://127.0.0.1/r/9101.xml",
          pdfUrl: "http://127.0.0.1/r/9101.pdf",
          cdrUrl: "http://127.0.0.1/r/9101.zip",
        },
      },
      Date.now(),
      "API holds receipt 9101",
      new Date("2026-11-20T15:01:00Z"),
    );
    const noteKeyOf = noteKey(key1, "refund-7");
    const noteFacts = {
      ...facts("FC01", "100.00", "PEN"),
      documentTypeCode: "07",
      noteMotive: "09",
      affectedDocumentNumber: "F001-1",
    };
    const n1 = await listStore.reserve({
      key: noteKeyOf,
      expect: expectOf(undefined),
      series: "FC01",
      facts: noteFacts,
      now: new Date("2026-11-21T15:00:00Z"),
    });
    await listStore.land(
      noteKeyOf,
      expectOf(n1),
      {
        ...noteFacts,
        receiptId: 9201,
        series: "FC01",
        correlative: n1.correlative ?? 1,
        sunatAnswer: {
          outcome: "accepted",
          sunatCode: "0",
          sunatMessage: "aceptada",
          xmlUrl: "http://127.0.0.1/n.xml",
          pdfUrl: null,
          cdrUrl: null,
        },
        xmlUrl: "http://127.0.0.1/n.xml",
        pdfUrl: null,
      },
      Date.now(),
      "API holds credit note 9201",
      new Date("2026-11-21T15:01:00Z"),
    );
    const key2 = { storeId: LIST_STORE, orderId: second };
    const r2 = await listStore.reserve({
      key: key2,
      expect: expectOf(undefined),
      series: "B001",
      facts: facts("B001", "10.00", "USD"),
      now: new Date(),
    });
    await listStore.land(
      key2,
      expectOf(r2),
      landed(r2, 9102),
      Date.now() + 60_000,
      "API holds receipt 9102",
      new Date(),
    );
    await listStore.flag(
      { storeId: LIST_STORE, orderId: third },
      expectOf(undefined),
      [{ field: "total", rule: "total_mismatch", message: "los totales no suman" }],
      "order refused",
      new Date(),
    );
  });

  afterAll(async () => {
    destroyListStore?.();
    await simulator?.stop();
  });

  async function list(...extra: string[]) {
    return cpe(["receipts", "--store", String(LIST_STORE), "--local-env", listEnv, ...extra]);
  }

  it("lists every order of the store newest first, N/A ones too, with totals, short links and notes, in 120 columns", async () => {
    const result = await list();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(120);
    expect(lines[0]).toMatch(
      /^Pedido +Fecha +Cliente +Ciudad +Estado +Tipo de documento +API\/SUNAT +Total +Enlaces$/,
    );
    const [first, second, third, fourth, fifth] = ids as [number, number, number, number, number];
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(`^#${fifth} +\\d{4}-\\d\\d-\\d\\d +\\S.* +Pagado +Factura +N/A +S/[\\d,.]+ +-$`),
      ),
      expect.stringMatching(new RegExp(`^#${fourth} .* Pagado +Boleta +N/A +S/[\\d,.]+ +-$`)),
      expect.stringMatching(new RegExp(`^#${third} .* Factura +ATENCIÓN +S/[\\d,.]+ +-$`)),
      expect.stringMatching(new RegExp(`^#${second} .* Boleta B001-1 +REGISTRADO +US\\$10\\.00 +-$`)),
      expect.stringMatching(new RegExp(`^#${first} .* Factura F001-1 +ACEPTADO +S/1,180\\.00 +XML PDF CDR$`)),
      expect.stringMatching(/^ +└ NC FC01-1 +ACEPTADO +S\/100\.00 +XML$/),
    ]);
    expect(result.stdout).not.toContain("http://");
  });

  it("filters by state in Spanish or English, finds one order with or without #, and pages; --json gives the rows", async () => {
    const [first, , third, fourth, fifth] = ids as [number, number, number, number, number];
    const accepted = JSON.parse((await list("--state", "aceptado", "--json")).stdout);
    expect(accepted).toEqual([
      expect.objectContaining({
        orderId: first,
        state: "ACCEPTED",
        stateLabel: "ACEPTADO",
        totalLabel: "S/1,180.00",
        sunatCode: "0",
        links: {
          xml: "http://127.0.0.1/r/9101.xml",
          pdf: "http://127.0.0.1/r/9101.pdf",
          cdr: "http://127.0.0.1/r/9101.zip",
        },
        creditNotes: [
          expect.objectContaining({ documentNumber: "FC01-1", state: "ACCEPTED", total: "S/100.00" }),
        ],
      }),
    ]);
    expect(
      JSON.parse((await list("--state", "NEEDS_ATTENTION", "--json")).stdout).map(
        (r: { orderId: number }) => r.orderId,
      ),
    ).toEqual([third]);
    const none = JSON.parse((await list("--state", "N/A", "--json")).stdout);
    expect(none.map((row: { orderId: number }) => row.orderId)).toEqual([fifth, fourth]);
    expect(none[0]).toMatchObject({ state: null, stateLabel: "N/A", documentNumber: null, issueDate: null });
    const one = JSON.parse((await list("--order", `#${third}`, "--json")).stdout);
    expect(one.map((row: { orderId: number }) => row.orderId)).toEqual([third]);
    const page = await list("--limit", "2");
    expect(page.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(page.stderr).toMatch(new RegExp(`añada --before ${fourth} para verlos`));
    const next = JSON.parse((await list("--limit", "2", "--before", String(fourth), "--json")).stdout);
    expect(next.map((row: { orderId: number }) => row.orderId)).toEqual([third, ids[1]]);
    expect(await list("--since", "2030-01-01")).toMatchObject({
      code: 0,
      stdout: "Ningún pedido coincide.\n",
    });
  });
});

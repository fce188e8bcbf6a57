import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTargetReceiptStore, resolveTarget } from "../../../lib/cli/target";
import type { ReceiptStatusView } from "../../../lib/ops/receipt-view";
import type { OrderKey, ReceiptRecord } from "../../../lib/store/receipt-record";
import {
  type DocumentFacts,
  expectOf,
  type LandedReceipt,
  type ReceiptStore,
} from "../../../lib/store/receipt-store";
import { maskDocument } from "../../../lib/worker/landed";
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
    expect(text).toContain("State:        ACCEPTED (ACEPTADO)");
    expect(text).toContain("Document:     Factura F001-1 (type 01)");
    expect(text).toContain("Total:        S/1,180.00");
    expect(text).toContain("Receipt id:   9001");
    expect(text).toContain("SUNAT:        0 — La Factura numero F001-1, ha sido aceptada");
    expect(text).toMatch(/^ {2}CDR {2}http:\/\/127\.0\.0\.1\/r\/9001\.zip$/m);
    expect(text).toContain("Customer:     document 6:…816");
    expect(text).toContain("Issue date:   2026-11-20");
    const history = text.slice(text.indexOf("History:")).trim().split("\n").slice(1);
    expect(history).toEqual([
      expect.stringMatching(/^ {2}2026-11-20T15:00:00\.000Z {2}\(new\) +→ RESERVED +number F001-1 reserved$/),
      expect.stringMatching(
        /^ {2}2026-11-20T15:01:00\.000Z {2}RESERVED +→ SUBMITTED +API holds receipt 9001$/,
      ),
      expect.stringMatching(/^ {2}2026-11-20T15:03:00\.000Z {2}SUBMITTED +→ ACCEPTED +SUNAT code 0$/),
    ]);
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
    expect(lines[lines.indexOf("Burnt numbers:") + 1]).toBe(
      `  ${submitted.documentNumber}  receipt 9005, SUNAT 2017; resent 2026-11-24T16:00:00.000Z`,
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
      new RegExp(`order 999999 of store ${storeId} has no receipt record \\(table `),
    );
  });

  it("reports an unreachable local stack instead of a stack trace", async () => {
    const deadEnv = writeLocalEnv(scratch.dir, { AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:9" });
    const result = await cpe(["status", "1001", "--store", String(storeId), "--local-env", deadEnv]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cpe status: .*ECONNREFUSED.*local stack/);
  });
});

describe("cpe receipts", () => {
  async function list(...extra: string[]) {
    return cpe(["receipts", "--store", String(storeId), "--local-env", envFile, ...extra]);
  }

  it("lists the store's receipts newest first with the plugin's columns", async () => {
    const result = await list();
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^Pedido +Fecha +Emisión +Tipo de documento +Estado en API\/SUNAT +Total +Enlaces$/,
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^#1004 +2026-11-23 13:00 +- +- +ATENCIÓN +- +-$/),
      expect.stringMatching(/^#1003 +2026-11-22 12:00 +2026-11-20 +Factura F001-2 +ATENCIÓN +S\/590\.00 +-$/),
      expect.stringMatching(
        /^#1002 +2026-11-21 11:00 +2026-11-20 +Boleta B001-1 +REGISTRADO +US\$10\.00 +-$/,
      ),
      expect.stringMatching(
        /^#1001 +2026-11-20 10:00 +2026-11-20 +Factura F001-1 +ACEPTADO +S\/1,180\.00 +XML http:\/\/127\.0\.0\.1\/r\/9001\.xml {2}PDF \S+ {2}CDR \S+$/,
      ),
    ]);
  });

  it("--state, --since and --limit filter; --json gives the rows", async () => {
    const accepted = JSON.parse((await list("--state", "accepted", "--json")).stdout);
    expect(accepted).toEqual([
      expect.objectContaining({ orderId: 1001, state: "ACCEPTED", status: "ACEPTADO", total: "S/1,180.00" }),
    ]);
    expect(accepted[0].links).toEqual({
      xml: "http://127.0.0.1/r/9001.xml",
      pdf: "http://127.0.0.1/r/9001.pdf",
      cdr: "http://127.0.0.1/r/9001.zip",
    });
    // 2026-11-22 means from midnight in Peru: 1003 (12:00 Peru) and 1004.
    const since = JSON.parse((await list("--since", "2026-11-22", "--json")).stdout);
    expect(since.map((row: { orderId: number }) => row.orderId)).toEqual([1004, 1003]);
    const limited = await list("--limit", "2");
    expect(limited.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(limited.stderr).toMatch(/showing the newest 2 of 4; use --limit for more/);
    const none = await list("--since", "2030-01-01");
    expect(none).toMatchObject({ code: 0, stdout: "No receipts match.\n" });
  });
});

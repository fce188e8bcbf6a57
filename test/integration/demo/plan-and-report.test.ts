import { describe, expect, it } from "vitest";
import { parseDemoArgs, parseRate } from "../../../infra/local/demo/args";
import { brokenOrderCount, EXPECTED_RULES, planDemoOrders } from "../../../infra/local/demo/plan";
import {
  demoPassed,
  formatDemoTable,
  type OrderObservation,
  type PlacedOrder,
  printableText,
  verdictOf,
} from "../../../infra/local/demo/report";
import { BROKEN_ORDER_KINDS } from "../../../infra/simulator/order-factory";
import { loadStores } from "../../../lib/config/stores";
import type { StoreConfig } from "../../../lib/receipt";
import { buildReceipt } from "../../../lib/receipt";
import type { ReceiptRecord } from "../../../lib/store/receipt-record";

// The demo's pure parts: options, the order plan (checked against the real receipt builder), verdicts and
// the table. They need no emulators; they live here because the demo is an integration tool.

const [firstStore] = await loadStores("config/stores.json");
if (!firstStore) throw new Error("config/stores.json has no store");
const store: StoreConfig = firstStore;

describe("parseDemoArgs", () => {
  it("has the documented defaults", () => {
    expect(parseDemoArgs([])).toEqual({
      help: false,
      options: { orders: 20, seed: 1, brokenRate: 0.1, observationsRate: 0.1, timeoutSeconds: 120 },
    });
  });

  it("reads every option, rates as shares or percentages", () => {
    const parsed = parseDemoArgs([
      "--orders",
      "50",
      "--seed",
      "9",
      "--broken-rate",
      "20%",
      "--observations-rate",
      "0.3",
      "--timeout",
      "30",
      "--attach",
      "--local-env",
      "x.json",
    ]);
    expect(parsed).toEqual({
      help: false,
      options: {
        orders: 50,
        seed: 9,
        brokenRate: 0.2,
        observationsRate: 0.3,
        timeoutSeconds: 30,
        attachEnvFile: "x.json",
      },
    });
    expect(parseDemoArgs(["--attach"])).toMatchObject({
      options: { attachEnvFile: ".cache/local-stack/env.json", timeoutSeconds: 300 },
    });
    expect(parseDemoArgs([])).toMatchObject({ options: { timeoutSeconds: 120 } });
  });

  it("refuses bad values naming the option", () => {
    expect(() => parseDemoArgs(["--orders", "0"])).toThrow(/--orders debe ser 1 o más/);
    expect(() => parseDemoArgs(["--orders", "many"])).toThrow(/--orders debe ser un número entero/);
    expect(() => parseDemoArgs(["--seed=-1"])).toThrow(/--seed must be a whole number/);
    expect(() => parseDemoArgs(["--timeout", "1.5"])).toThrow(/--timeout/);
    expect(() => parseDemoArgs(["--local-env", "x.json"])).toThrow(/only makes sense with --attach/);
    expect(() => parseDemoArgs(["--bogus"])).toThrow(/bogus/);
    expect(() => parseRate("--broken-rate", "150%")).toThrow(/at most 1/);
    expect(() => parseRate("--broken-rate", "-0.1")).toThrow(/share such as/);
  });
});

describe("planDemoOrders", () => {
  it("raises the broken share to one of each kind from six orders on, and honours 0", () => {
    expect(brokenOrderCount(50, 0.1)).toBe(6);
    expect(brokenOrderCount(100, 0.1)).toBe(10);
    expect(brokenOrderCount(5, 0.1)).toBe(1);
    expect(brokenOrderCount(50, 0)).toBe(0);
    expect(brokenOrderCount(3, 1)).toBe(3);
  });

  it("is deterministic per seed and mixes documents, currencies, discounts and shipping", () => {
    const plan = planDemoOrders({ orders: 50, seed: 4, brokenRate: 0.1, store });
    expect(planDemoOrders({ orders: 50, seed: 4, brokenRate: 0.1, store })).toEqual(plan);
    expect(planDemoOrders({ orders: 50, seed: 5, brokenRate: 0.1, store })).not.toEqual(plan);
    const valid = plan.filter((order) => order.kind === "valid").map((order) => order.body);
    expect(new Set(valid.map((order) => order.billing_details.receipt_type))).toEqual(
      new Set(["invoice", "ticket"]),
    );
    expect(new Set(valid.map((order) => order.currency_code))).toEqual(new Set(["PEN", "USD"]));
    expect(valid.some((order) => order.discount_applications.length > 0)).toBe(true);
    expect(valid.some((order) => order.shipping_total !== "0.00")).toBe(true);
    expect(new Set(plan.filter((o) => o.kind !== "valid").map((o) => o.kind))).toEqual(
      new Set(BROKEN_ORDER_KINDS),
    );
  });

  it("plans orders the receipt builder judges as expected: valid build, broken break exactly their rule", () => {
    for (const seed of [1, 2, 3]) {
      for (const planned of planDemoOrders({ orders: 60, seed, brokenRate: 0.2, store })) {
        const result = buildReceipt(planned.body, store, {});
        if (planned.kind === "valid") {
          expect(result.ok, `${planned.index} ${planned.description}`).toBe(true);
        } else {
          const expectedRule = EXPECTED_RULES[planned.kind];
          expect(result.ok).toBe(false);
          const rules = result.ok ? [] : result.problems.map((problem) => problem.rule);
          expect(rules).toContain(expectedRule);
          // totals_mismatch also breaks the total relation; nothing else should be reported.
          expect(rules.filter((rule) => rule !== expectedRule && rule !== "total_relation")).toEqual([]);
        }
      }
    }
  });
});

function observation(
  kind: PlacedOrder["kind"],
  record: Partial<ReceiptRecord> | undefined,
  receiptCount?: number,
): OrderObservation {
  const [planned] = planDemoOrders({ orders: 1, seed: 1, brokenRate: kind === "valid" ? 0 : 1, store });
  if (!planned) throw new Error("no plan");
  const order: PlacedOrder = {
    ...planned,
    kind,
    expected: kind === "valid" ? "ACCEPTED" : "NEEDS_ATTENTION",
    expectedRule: kind === "valid" ? undefined : EXPECTED_RULES[kind],
    orderId: 4321,
    storeId: 511,
  };
  const full = record && {
    storeId: 511,
    orderId: 4321,
    state: "RESERVED" as const,
    createdAt: "2026-11-21T17:00:00.000Z",
    updatedAt: "2026-11-21T17:00:00.000Z",
    history: [],
    ...record,
  };
  return { order, record: full, receiptCount };
}

describe("verdictOf", () => {
  it("waits for records that are missing or not final", () => {
    expect(verdictOf(observation("valid", undefined))).toEqual({ status: "pending" });
    expect(verdictOf(observation("valid", { state: "SUBMITTED" }))).toEqual({ status: "pending" });
    expect(demoPassed([observation("valid", { state: "SUBMITTED" })])).toBe(false);
  });

  it("passes ACCEPTED valid orders with one receipt and flagged broken ones with their rule", () => {
    expect(verdictOf(observation("valid", { state: "ACCEPTED", sunatCode: "0" }, 1))).toEqual({
      status: "ok",
    });
    const flagged = observation(
      "factura_without_ruc",
      {
        state: "NEEDS_ATTENTION",
        problems: [{ field: "billing_details.document_type", rule: "invoice_requires_ruc", message: "x" }],
      },
      0,
    );
    expect(verdictOf(flagged)).toEqual({ status: "ok" });
  });

  it("fails a valid order that is rejected, flagged or has two receipts", () => {
    expect(verdictOf(observation("valid", { state: "REJECTED", sunatCode: "2335" }))).toEqual({
      status: "wrong",
      why: "expected ACCEPTED, got REJECTED (SUNAT 2335)",
    });
    expect(
      verdictOf(
        observation("valid", {
          state: "NEEDS_ATTENTION",
          problems: [{ field: "total", rule: "total_mismatch", message: "m" }],
        }),
      ),
    ).toEqual({ status: "wrong", why: "expected ACCEPTED, got NEEDS_ATTENTION (total [total_mismatch])" });
    expect(verdictOf(observation("valid", { state: "ACCEPTED" }, 2))).toEqual({
      status: "wrong",
      why: "expected 1 receipt(s) in Acelérala, found 2",
    });
  });

  it("fails a broken order that was issued or flagged for another rule", () => {
    expect(verdictOf(observation("totals_mismatch", { state: "ACCEPTED" }))).toMatchObject({
      status: "wrong",
    });
    expect(
      verdictOf(
        observation("totals_mismatch", {
          state: "NEEDS_ATTENTION",
          problems: [{ field: "x", rule: "ruc_invalid", message: "m" }],
        }),
      ),
    ).toEqual({ status: "wrong", why: "expected rule total_mismatch, got ruc_invalid" });
  });
});

describe("the table and its text", () => {
  it("uses the cpe receipts columns and marks each row", () => {
    const table = formatDemoTable([
      observation(
        "valid",
        {
          state: "ACCEPTED",
          sunatCode: "4287",
          documentTypeCode: "03",
          documentNumber: "B001-7",
          currencyCode: "PEN",
          grossTotal: "1180",
          xmlUrl: "http://x/a.xml",
          cdrUrl: "http://x/a.zip",
        },
        1,
      ),
      observation("valid", undefined),
    ]);
    const [header, first, second] = table.split("\n");
    expect(header).toMatch(
      /^Pedido\s+Fecha\s+Tipo de documento\s+Estado en API\/SUNAT\s+Total\s+Enlaces\s+Caso\s+Detalle\s+OK$/,
    );
    expect(first).toMatch(
      /#4321\s+2026-11-21 12:00\s+Boleta B001-7\s+ACEPTADO\s+S\/1,180\.00\s+XML CDR\s+.*observación 4287\s+✓$/,
    );
    expect(second).toMatch(/N\/A.*esperando el webhook\s+…$/);
  });

  it("masks document numbers of any length and e-mails in free text", () => {
    expect(printableText("RUC 2060137303 de ana@example.com, DNI 48765432")).toBe(
      "RUC 20******03 de a***@example.com, DNI 48****32",
    );
  });
});

import { describe, expect, it } from "vitest";
import {
  findStoreConfig,
  OrderSchema,
  parseStoreConfigs,
  StoreConfigSchema,
  shouldIssue,
} from "../../../lib/receipt";
import { demoStore, fixtureOrder } from "./helpers";

const store = demoStore();
const order = (overrides: Record<string, unknown> = {}) =>
  OrderSchema.parse({ ...fixtureOrder("boleta-dni-discounts"), ...overrides });

describe("store configuration", () => {
  it("the demo store: 511, YUCA E.I.R.L. (RUC 20601009171), F001/B001, default issue policy", () => {
    expect(store).toMatchObject({
      store_id: 511,
      vendor_information: { name: "YUCA E.I.R.L.", document_number: "20601009171" },
      series: { invoice: "F001", ticket: "B001" },
      issue_policy: { require_placed: true, payment_statuses: ["paid"] },
    });
  });
  it("fills defaults for the optional parts", () => {
    const minimal = StoreConfigSchema.parse({
      store_id: 7,
      vendor_information: { name: "X SAC", document_number: "20601373034" },
      series: { invoice: "F002", ticket: "B002" },
      default_sunat_product_code: "53102000",
    });
    expect(minimal.issue_policy).toEqual({ require_placed: true, payment_statuses: ["paid"] });
    expect(minimal.icbper_skus).toEqual([]);
    expect(minimal.boleta_identity_thresholds.PEN).toBe("700.00");
  });
  it("refuses a vendor RUC with a wrong check digit, a bad series, duplicate store ids", () => {
    const base = { ...store };
    expect(() =>
      parseStoreConfigs([
        { ...base, vendor_information: { ...base.vendor_information, document_number: "20601009172" } },
      ]),
    ).toThrow(/RUC/);
    expect(() => parseStoreConfigs([{ ...base, series: { invoice: "B001", ticket: "B001" } }])).toThrow(
      /Factura/,
    );
    expect(() => parseStoreConfigs([base, base])).toThrow(/repetido/);
    expect(() => parseStoreConfigs([])).toThrow();
  });
  it("finds a store by numeric or string id", () => {
    expect(findStoreConfig([store], "511")).toBe(store);
    expect(findStoreConfig([store], 4)).toBeUndefined();
    expect(findStoreConfig([store], null)).toBeUndefined();
  });
});

describe("shouldIssue", () => {
  it("placed and paid: issue", () => {
    expect(shouldIssue(order(), store)).toEqual({ issue: true });
  });
  it("not paid: no, with the reason", () => {
    expect(shouldIssue(order({ payment_status: "pending" }), store)).toMatchObject({
      issue: false,
      rule: "payment_status",
    });
  });
  it("not placed (a cart): no", () => {
    expect(shouldIssue(order({ placed: null }), store)).toMatchObject({ issue: false, rule: "not_placed" });
  });
  it("cancelled: never, whatever the policy", () => {
    const lenient = {
      ...store,
      issue_policy: { require_placed: false, payment_statuses: ["paid", "pending"] },
    };
    expect(shouldIssue(order({ canceled: "2021-03-30T10:00:00Z" }), lenient)).toMatchObject({
      issue: false,
      rule: "canceled",
    });
    expect(shouldIssue(order({ fulfillment_details: { status: "canceled" } }), lenient)).toMatchObject({
      issue: false,
      rule: "canceled",
    });
  });
  it("follows the store's policy (e.g. authorized payments, carts allowed)", () => {
    const lenient = {
      ...store,
      issue_policy: { require_placed: false, payment_statuses: ["paid", "authorized"] },
    };
    expect(shouldIssue(order({ payment_status: "authorized", placed: null }), lenient)).toEqual({
      issue: true,
    });
  });
});

import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BROKEN_ORDER_KINDS,
  type FactoryOrder,
  isValidRuc,
  makeBrokenOrder,
  makeOrder,
  rucCheckDigit,
} from "../../../infra/simulator/order-factory";
import { createRandom } from "../../../infra/simulator/random";
import { type Simulator, startSimulator } from "../../../infra/simulator/server";
import { bearerToken, call } from "./support";

const MONEY = /^\d+\.\d{2}$/;

/** Every figure of the order, recomputed: null when it adds up, else the first mismatch. */
function firstMismatch(order: FactoryOrder): string | null {
  let linesTotal = new Decimal(0);
  for (const line of order.lines) {
    for (const amount of [line.price, line.subtotal, line.discounts_total, line.total]) {
      if (!MONEY.test(amount)) return `amount ${amount} is not a 2-decimal string`;
    }
    if (!new Decimal(line.price).times(line.quantity).equals(line.subtotal))
      return `line ${line.id} subtotal`;
    if (!new Decimal(line.subtotal).minus(line.discounts_total).equals(line.total))
      return `line ${line.id} total`;
    linesTotal = linesTotal.plus(line.total);
  }
  if (!linesTotal.equals(order.lines_total)) return "lines_total";
  if (!linesTotal.minus(order.global_discounts_total).equals(order.subtotal)) return "subtotal";
  if (!new Decimal(order.subtotal).plus(order.shipping_total).equals(order.total)) return "total";
  return null;
}

describe("makeOrder", () => {
  it("is deterministic for a seed and varies across seeds", () => {
    expect(makeOrder(123)).toEqual(makeOrder(123));
    expect(makeOrder(123)).not.toEqual(makeOrder(124));
    const streamA = createRandom(9);
    const streamB = createRandom(9);
    expect([makeOrder(streamA), makeOrder(streamA)]).toEqual([makeOrder(streamB), makeOrder(streamB)]);
  });

  it("produces 500 orders that add up to the cent, with the expected mix", () => {
    const random = createRandom(2025);
    const orders = Array.from({ length: 500 }, () => makeOrder(random));
    for (const order of orders) expect(firstMismatch(order)).toBeNull();

    const facturas = orders.filter((order) => order.billing_details.receipt_type === "invoice");
    const boletas = orders.filter((order) => order.billing_details.receipt_type === "ticket");
    expect(facturas.length).toBeGreaterThan(100);
    expect(boletas.length).toBeGreaterThan(250);
    for (const order of facturas) {
      expect(order.billing_details.document_type).toBe("ruc");
      expect(isValidRuc(order.billing_details.document_number)).toBe(true);
    }
    for (const order of boletas) {
      if (new Decimal(order.total).greaterThan(700))
        expect(order.billing_details.document_type).not.toBe("-");
      if (order.billing_details.document_type === "dni")
        expect(order.billing_details.document_number).toMatch(/^\d{8}$/);
    }
    expect(boletas.some((order) => order.billing_details.document_type === "-")).toBe(true);
    const usd = orders.filter((order) => order.currency_code === "USD").length;
    expect(usd).toBeGreaterThan(20);
    expect(usd).toBeLessThan(100);
    expect(orders.some((order) => order.discounts_total !== "0.00")).toBe(true);
    expect(orders.some((order) => order.lines.some((line) => line.discounts_total !== "0.00"))).toBe(true);
    expect(orders.some((order) => order.shipping_total !== "0.00")).toBe(true);
    expect(
      orders.every((order) => order.taxes_included && order.payment_status === "paid" && order.placed),
    ).toBe(true);
  });

  it("applies overrides and options", () => {
    const order = makeOrder(
      1,
      { payment_status: "pending", billing_details: { email: "x@example.com" } },
      {
        documentKind: "factura",
        currency: "USD",
        lineCount: 2,
      },
    );
    expect(order).toMatchObject({ payment_status: "pending", currency_code: "USD" });
    expect(order.lines).toHaveLength(2);
    expect(order.billing_details).toMatchObject({ email: "x@example.com", document_type: "ruc" });
  });
});

describe("RUC check digit", () => {
  it("matches the known valid RUCs and rejects altered ones", () => {
    expect(rucCheckDigit("2060137303")).toBe(4);
    expect(isValidRuc("20601373034")).toBe(true);
    expect(isValidRuc("20601009171")).toBe(true);
    expect(isValidRuc("20552103816")).toBe(true);
    expect(isValidRuc("20601373035")).toBe(false);
    expect(isValidRuc("30601373034")).toBe(false);
    expect(() => rucCheckDigit("123")).toThrow();
  });
});

describe("makeBrokenOrder", () => {
  it("breaks exactly the promised rule", () => {
    expect(firstMismatch(makeBrokenOrder("totals_mismatch", 3))).toBe("total");
    expect(firstMismatch(makeBrokenOrder("line_total_mismatch", 3))).toMatch(/^line \d+ total$/);
    const badDigit = makeBrokenOrder("factura_invalid_ruc_check_digit", 3);
    expect(badDigit.billing_details.document_number).toMatch(/^(10|20)\d{9}$/);
    expect(isValidRuc(badDigit.billing_details.document_number)).toBe(false);
    expect(firstMismatch(badDigit)).toBeNull();
    expect(makeBrokenOrder("factura_ruc_wrong_length", 3).billing_details.document_number).toMatch(
      /^\d{10}$/,
    );
    const noRuc = makeBrokenOrder("factura_without_ruc", 3);
    expect(noRuc.billing_details).toMatchObject({ receipt_type: "invoice", document_type: "dni" });
    const bigBoleta = makeBrokenOrder("boleta_over_700_without_document", 3);
    expect(firstMismatch(bigBoleta)).toBeNull();
    expect(new Decimal(bigBoleta.total).greaterThan(700)).toBe(true);
    expect(bigBoleta.billing_details).toMatchObject({ receipt_type: "ticket", document_type: "-" });
    for (const kind of BROKEN_ORDER_KINDS) expect(makeBrokenOrder(kind, 4)).toEqual(makeBrokenOrder(kind, 4));
  });
});

describe("the simulator stores factory orders as given, even when they do not add up", () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, sunatDelayMs: 0 });
  });
  afterAll(async () => {
    await simulator.stop();
  });

  it("keeps the figures and replaces only the simulator-owned fields", async () => {
    const token = await bearerToken(simulator.url);
    const broken = makeBrokenOrder("totals_mismatch", 10);
    const created = await call(simulator.url, token, "POST", "/v1/orders", broken);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: "order",
      store_id: 511,
      total: broken.total,
      lines: broken.lines,
      placed: broken.placed,
      payment_status: "paid",
    });
    expect(created.body.id).not.toBe(broken.id);
    const fetched = await call(simulator.url, token, "GET", `/v1/orders/${created.body.id}`);
    expect(fetched.body).toEqual(created.body);
    const invalid = await call(simulator.url, token, "POST", "/v1/orders", { payment_status: "maybe" });
    expect(invalid.status).toBe(422);
    const missing = await call(simulator.url, token, "GET", "/v1/orders/424242");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ type: "not_found" });
  });
});

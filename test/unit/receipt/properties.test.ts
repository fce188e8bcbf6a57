import Decimal from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { amountInWords, buildReceipt, icbperRate, type Receipt, ReceiptSchema } from "../../../lib/receipt";
import { demoStore } from "./helpers";
import { orderArbitrary } from "./order-arbitrary";

const D = Decimal.clone({ precision: 40 });
const store = demoStore();
const sumOf = (values: number[]) => values.reduce((acc, v) => acc.plus(new D(v)), new D(0));
const FREE = "15";

/** 1.18 × ½ cent: the tightest bound any 2-decimal split of a tax-inclusive amount can meet (see build-receipt.ts). */
const TAX_INCLUDED_LINE_BOUND = new D("0.0059");
const HALF_CENT = new D("0.005");

function checkReceipt(receipt: Receipt, total: string, taxesIncluded: boolean, year: number) {
  expect(ReceiptSchema.safeParse(receipt).success).toBe(true);
  const charged = receipt.items.filter((item) => item.sales_tax_code !== FREE);
  const free = receipt.items.filter((item) => item.sales_tax_code === FREE);

  // Σ items = document totals.
  expect(sumOf(charged.map((i) => i.net_total)).toNumber()).toBe(receipt.items_net_total);
  expect(new D(receipt.items_net_total).minus(receipt.global_discounts_net_total).toNumber()).toBe(
    receipt.taxable_total,
  );
  expect(
    sumOf(charged.map((i) => i.sales_tax_total))
      .minus(new D(receipt.global_discounts_gross_total).minus(receipt.global_discounts_net_total))
      .toNumber(),
  ).toBe(receipt.sales_tax_total);
  expect(
    sumOf(receipt.items.map((i) => i.plastic_tax_total ?? 0))
      .plus(receipt.sales_tax_total)
      .toNumber(),
  ).toBe(receipt.taxes_total);
  expect(sumOf(free.map((i) => i.free_total)).toNumber()).toBe(receipt.free_total);
  expect(receipt.net_total).toBe(receipt.taxable_total);

  // net + taxes = gross; the receipt equals the order's total (gross when prices include IGV, net otherwise).
  expect(new D(receipt.net_total).plus(receipt.taxes_total).toNumber()).toBe(receipt.gross_total);
  expect(taxesIncluded ? receipt.gross_total : receipt.net_total).toBe(new D(total).toNumber());

  // No negative base or tax.
  for (const figure of [receipt.taxable_total, receipt.sales_tax_total, receipt.gross_total]) {
    expect(figure).toBeGreaterThanOrEqual(0);
  }

  for (const item of charged) {
    expect(new D(item.net_total).plus(item.sales_tax_total).toNumber()).toBe(item.gross_total);
    // Line IGV vs 18 % of its base (SUNAT 3103).
    const drift = new D(item.sales_tax_total).minus(new D(item.net_total).times("0.18")).abs();
    expect(drift.lte(taxesIncluded ? TAX_INCLUDED_LINE_BOUND : HALF_CENT)).toBe(true);
    // Line value = quantity × unit value − discounts (SUNAT 3271), far inside ±1.00.
    const lineValue = new D(item.quantity).times(item.net_unit_price).minus(item.net_discounts_total);
    expect(lineValue.minus(item.net_total).abs().lte("0.01")).toBe(true);
    expect(item.net_discounts_total).toBeGreaterThanOrEqual(0);
    if (item.plastic_tax_total !== null) {
      expect(new D(item.quantity).times(icbperRate(year)).toNumber()).toBe(item.plastic_tax_total);
    }
  }
  for (const item of free) {
    expect(item.gross_total).toBe(0);
    expect(item.free_total).toBeGreaterThan(0);
  }
  // Document IGV vs 18 % of the taxable total (SUNAT 3291): each line and the discount drift ≤ 0.0059.
  const documentDrift = new D(receipt.sales_tax_total)
    .minus(new D(receipt.taxable_total).times("0.18"))
    .abs();
  expect(documentDrift.lte(TAX_INCLUDED_LINE_BOUND.times(receipt.items.length + 1))).toBe(true);
  expect(documentDrift.lt(1)).toBe(true);

  expect(receipt.legends[0]).toEqual({
    code: 1000,
    value: amountInWords(receipt.gross_total, receipt.currency_code),
  });
  expect(receipt.legends.some((legend) => legend.code === 1002)).toBe(free.length > 0);
}

describe("buildReceipt properties (random consistent orders)", () => {
  it("always adds up: Σ items = totals, net + taxes = gross = order total, line IGV ≈ 18 %", () => {
    fc.assert(
      fc.property(orderArbitrary, ({ order, total, taxesIncluded, year }) => {
        const result = buildReceipt(order, store);
        if (!result.ok) throw new Error(`refused a consistent order: ${JSON.stringify(result.problems)}`);
        checkReceipt(result.receipt, total, taxesIncluded, year);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses any order whose total is off by a cent or more, naming both figures", () => {
    fc.assert(
      fc.property(
        orderArbitrary,
        fc.integer({ min: -500, max: 500 }).filter((c) => c !== 0),
        ({ order, total }, offsetCents) => {
          const wrongTotal = new D(total).plus(new D(offsetCents).div(100));
          const result = buildReceipt({ ...order, total: wrongTotal.toFixed(2) }, store);
          expect(result.ok).toBe(false);
          if (result.ok) return;
          const mismatch = result.problems.find((p) => p.rule === "total_mismatch");
          expect(mismatch?.field).toBe("total");
          expect(mismatch?.message).toContain(new D(total).toFixed(2));
          expect(mismatch?.message).toContain(wrongTotal.toFixed(2));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is deterministic: the same order gives the same receipt", () => {
    fc.assert(
      fc.property(orderArbitrary, ({ order }) => {
        expect(buildReceipt(order, store)).toEqual(buildReceipt(structuredClone(order), store));
      }),
      { numRuns: 100 },
    );
  });
});

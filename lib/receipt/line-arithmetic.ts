import type Decimal from "decimal.js";
import { DISCOUNT_TYPE, TAX_CODE, type TaxAffectationCode, type UNIT } from "./catalogs";
import type { LineCredit } from "./credit-allocation";
import { cents, Money, toJsonNumber, unitValue, ZERO } from "./money";
import type { DocumentItem, ReceiptDiscount, ReceiptItem } from "./receipt-schema";
import { IGV_FACTOR, IGV_PERCENT, IGV_RATE } from "./taxes";

/**
 * The figures of one line of a sale receipt (Factura or Boleta).
 *
 * THE ARITHMETIC (why the receipt always equals what was charged)
 * With `taxes_included` true (Acelérala's norm) prices are IGV-inclusive:
 *   line gross G  = quantity × gross unit price − line discount          (exact: it is what was charged)
 *   line net      = round(G / 1.18, 2);   line IGV = G − line net          (so net + IGV = G exactly)
 *   net subtotal  = round(quantity × price / 1.18, 2); net discount = net subtotal − line net
 *   The order-level discount and the document totals are in document-totals.ts.
 * Per line |IGV − 18 % × net| ≤ 1.18 × ½ cent = 0.0059, the best any 2-decimal split can do (G = 0.23 has no
 * split within ½ cent: 0.19 + 0.04 is off by 0.0058, 0.20 + 0.03 by 0.006).
 *
 * With `taxes_included` false, prices are net (the seed: "si los precios de los ítems y los totales de la
 * Orden incluyen impuestos o no"): line net = quantity × price − discount (exact), line IGV =
 * round(net × 0.18, 2) (within ½ cent).
 *
 * ICBPER is charged inside a bag's price when prices include IGV: the IGV-inclusive part is what remains.
 */

/** One order line (or the shipping line) as checked by order-validation.ts, before it becomes an item. */
export interface SaleLine {
  /** Where the line came from in the order, for messages (`lines[2]`, `shipping_total`). */
  field: string;
  name: string;
  sku: string | null;
  sunatProductCode: string;
  unit: typeof UNIT.PRODUCT | typeof UNIT.SERVICE;
  quantity: Decimal;
  /** Unit price as the order gives it (gross if taxes_included, else net), including any ICBPER per bag. */
  price: Decimal;
  /** round(quantity × price, 2): what the order calls the line subtotal. */
  subtotal: Decimal;
  discount: Decimal;
  /** subtotal − discount: what the customer was charged for the line (taxes_included) or its net value. */
  total: Decimal;
  /** ICBPER per bag when the line is a plastic bag subject to it; null otherwise. */
  bagRate: Decimal | null;
  /** The shipping service line (excluded from the order discount's base). */
  isShipping: boolean;
}

/** An item's amounts as decimals, so totals are summed without re-reading the item's JSON numbers. */
export interface ItemAmounts {
  taxCode: TaxAffectationCode;
  net: Decimal;
  igv: Decimal;
  gross: Decimal;
  plastic: Decimal;
  free: Decimal;
}

/** The amounts of an item already in JSON form (an affected receipt's items). */
export function amountsOf(item: DocumentItem): ItemAmounts {
  return {
    taxCode: item.sales_tax_code,
    net: amountOf(item.net_total),
    igv: amountOf(item.sales_tax_total),
    gross: amountOf(item.gross_total),
    plastic: amountOf(item.plastic_tax_total ?? 0),
    free: amountOf(item.free_total),
  };
}

/** A sale line as its receipt item and the item's amounts. */
export interface SaleItem {
  item: ReceiptItem;
  amounts: ItemAmounts;
}

/** part / base × 100 with 5 decimals (informative: the amounts are authoritative). */
export function percentage(part: Decimal, base: Decimal): number {
  if (base.isZero()) return 0;
  return toJsonNumber(part.div(base).times(100).toDecimalPlaces(5));
}

/** A line whose charged total is zero: it goes out as a free line (Catálogo 07 `15`) at its reference value. */
export function isFreeSaleLine(line: SaleLine): boolean {
  return line.total.isZero();
}

/** The receipt item of a sale line. */
export function saleLineItem(line: SaleLine, taxesIncluded: boolean): SaleItem {
  const bagsTax = line.bagRate ? line.quantity.times(line.bagRate) : null;
  const base = {
    name: line.name,
    sunat_product_code: line.sunatProductCode,
    unit: line.unit,
    quantity: toJsonNumber(line.quantity),
    sales_tax_rate: IGV_PERCENT,
    sku: line.sku,
    plastic_tax_factor: line.bagRate ? toJsonNumber(line.bagRate) : null,
    plastic_tax_total: bagsTax ? toJsonNumber(bagsTax) : null,
  };

  if (isFreeSaleLine(line)) {
    // A free line (fully discounted): valued at its reference (normal) price, outside the taxable base and the
    // total; its IGV (borne by the seller) is reported in free_sales_tax_total.
    const freeTotal = taxesIncluded ? cents(line.subtotal.div(IGV_FACTOR)) : line.subtotal;
    const amounts = {
      taxCode: TAX_CODE.FREE_BONUS,
      net: ZERO,
      igv: ZERO,
      gross: ZERO,
      plastic: bagsTax ?? ZERO,
      free: freeTotal,
    };
    const item: ReceiptItem = {
      ...base,
      sales_tax_code: TAX_CODE.FREE_BONUS,
      net_unit_price: 0,
      net_subtotal: 0,
      net_discounts_total: 0,
      net_total: 0,
      taxable_total: 0,
      sales_tax_total: 0,
      gross_unit_price: 0,
      gross_subtotal: 0,
      gross_discounts_total: 0,
      gross_total: 0,
      free_unit_price: toJsonNumber(unitValue(freeTotal.div(line.quantity))),
      free_total: toJsonNumber(freeTotal),
      discounts: [],
    };
    return { item, amounts };
  }

  let netSubtotal: Decimal;
  let netTotal: Decimal;
  let salesTax: Decimal;
  let grossSubtotal: Decimal;
  let grossTotal: Decimal;
  if (taxesIncluded) {
    grossSubtotal = line.subtotal.minus(bagsTax ?? ZERO);
    grossTotal = line.total.minus(bagsTax ?? ZERO);
    netTotal = cents(grossTotal.div(IGV_FACTOR));
    salesTax = grossTotal.minus(netTotal);
    netSubtotal = cents(grossSubtotal.div(IGV_FACTOR));
  } else {
    netSubtotal = line.subtotal;
    netTotal = line.total;
    salesTax = cents(netTotal.times(IGV_RATE));
    grossTotal = netTotal.plus(salesTax);
    grossSubtotal = cents(netSubtotal.times(IGV_FACTOR));
  }
  const netDiscount = netSubtotal.minus(netTotal);
  const grossDiscount = grossSubtotal.minus(grossTotal);
  const discounts: ReceiptDiscount[] = line.discount.isZero()
    ? []
    : [
        {
          code: DISCOUNT_TYPE.LINE_AFFECTS_BASE,
          net_base: toJsonNumber(netSubtotal),
          gross_base: toJsonNumber(grossSubtotal),
          percentage: percentage(netDiscount, netSubtotal),
          net_amount: toJsonNumber(netDiscount),
          gross_amount: toJsonNumber(grossDiscount),
        },
      ];
  const item: ReceiptItem = {
    ...base,
    sales_tax_code: TAX_CODE.TAXED,
    net_unit_price: toJsonNumber(unitValue(netSubtotal.div(line.quantity))),
    net_subtotal: toJsonNumber(netSubtotal),
    net_discounts_total: toJsonNumber(netDiscount),
    net_total: toJsonNumber(netTotal),
    taxable_total: toJsonNumber(netTotal),
    sales_tax_total: toJsonNumber(salesTax),
    gross_unit_price: toJsonNumber(unitValue(grossSubtotal.div(line.quantity))),
    gross_subtotal: toJsonNumber(grossSubtotal),
    gross_discounts_total: toJsonNumber(grossDiscount),
    gross_total: toJsonNumber(grossTotal),
    free_unit_price: 0,
    free_total: 0,
    discounts,
  };
  const amounts = {
    taxCode: TAX_CODE.TAXED,
    net: netTotal,
    igv: salesTax,
    gross: grossTotal,
    plastic: bagsTax ?? ZERO,
    free: ZERO,
  };
  return { item, amounts };
}

/** Decimal of a JSON amount (exact: every amount we emit has at most 15 significant digits). */
export function amountOf(value: number): Decimal {
  return new Money(value);
}

/**
 * The item of a credit-note line: the affected receipt's item mirrored (name, product code, unit, SKU, Catálogo
 * 07 code, IGV rate, bag tax factor) with the credited figures. Line discounts are folded into the credited
 * value (a note credits what was charged), so subtotal = total and the unit values are the credited value over
 * the quantity. A note that only lowers the value (no goods returned) carries quantity 1.
 */
export function creditLineItem(credit: LineCredit): { item: DocumentItem; amounts: ItemAmounts } {
  const { line } = credit;
  const quantity = credit.quantity.isZero() ? new Money(1) : credit.quantity;
  const gross = credit.net.plus(credit.igv);
  const bagsCredited = !credit.plastic.isZero();
  const item: DocumentItem = {
    name: line.name,
    sunat_product_code: line.sunatProductCode,
    unit: line.unit,
    quantity: toJsonNumber(quantity),
    sales_tax_rate: toJsonNumber(line.salesTaxRate),
    sales_tax_code: line.taxCode,
    net_unit_price: toJsonNumber(unitValue(credit.net.div(quantity))),
    net_subtotal: toJsonNumber(credit.net),
    net_discounts_total: 0,
    net_total: toJsonNumber(credit.net),
    taxable_total: line.zeroTaxableTotal ? 0 : toJsonNumber(credit.net),
    sales_tax_total: toJsonNumber(credit.igv),
    gross_unit_price: toJsonNumber(unitValue(gross.div(quantity))),
    gross_subtotal: toJsonNumber(gross),
    gross_discounts_total: 0,
    gross_total: toJsonNumber(gross),
    free_unit_price: line.onerous ? 0 : toJsonNumber(unitValue(credit.free.div(quantity))),
    free_total: toJsonNumber(credit.free),
    plastic_tax_factor: bagsCredited && line.plasticFactor ? toJsonNumber(line.plasticFactor) : null,
    plastic_tax_total: bagsCredited ? toJsonNumber(credit.plastic) : null,
    sku: line.sku,
    discounts: [],
  };
  const amounts: ItemAmounts = {
    taxCode: line.taxCode,
    net: credit.net,
    igv: credit.igv,
    gross,
    plastic: credit.plastic,
    free: credit.free,
  };
  return { item, amounts };
}

import type Decimal from "decimal.js";
import { DISCOUNT_TYPE, TAX_AFFECTATION } from "./catalogs";
import { amountOf, percentage } from "./line-arithmetic";
import { cents, Money, sum, toJsonNumber, ZERO } from "./money";
import type { DocumentItem, ReceiptDiscount } from "./receipt-schema";
import { IGV_FACTOR, IGV_RATE } from "./taxes";

/**
 * A document's totals are sums of its items (Catálogo 07 decides which sum an item joins), less the global
 * discount. Nothing here rounds except the global discount's split and the free lines' IGV, so
 * gross_total = net_total + taxes_total holds by construction.
 */

/** The order-level discount (Catálogo 53 `02`, it reduces the taxable base): its net and IGV parts. */
export interface GlobalDiscount {
  net: Decimal;
  igv: Decimal;
  entry: ReceiptDiscount;
}

/** What a global discount applies to: Σ net, Σ IGV, Σ gross of the charged product lines. */
export interface DiscountBase {
  net: Decimal;
  igv: Decimal;
  gross: Decimal;
}

export interface DocumentTotals {
  /** Σ net of the charged (onerous) items, before global discounts. */
  itemsNet: Decimal;
  /** Gravado (IGV) base after global discounts. */
  taxable: Decimal;
  exempt: Decimal;
  unaffected: Decimal;
  salesTax: Decimal;
  plasticTax: Decimal;
  taxesTotal: Decimal;
  netTotal: Decimal;
  grossTotal: Decimal;
  globalDiscountNet: Decimal;
  globalDiscountGross: Decimal;
  free: Decimal;
  freeSalesTax: Decimal;
  hasFreeItems: boolean;
}

export function isOnerous(item: Pick<DocumentItem, "sales_tax_code">): boolean {
  return TAX_AFFECTATION[item.sales_tax_code].onerous;
}

export function discountBaseOf(items: readonly DocumentItem[]): DiscountBase {
  const charged = items.filter(isOnerous);
  const net = sum(charged.map((item) => amountOf(item.net_total)));
  const igv = sum(charged.map((item) => amountOf(item.sales_tax_total)));
  const gross = sum(charged.map((item) => amountOf(item.gross_total)));
  return { net, igv, gross };
}

/** The order-level discount as a Catálogo 53 `02` global discount, or null when there is none. */
export function globalDiscount(
  discount: Decimal,
  base: DiscountBase,
  taxesIncluded: boolean,
): GlobalDiscount | null {
  if (discount.isZero()) return null;
  let net: Decimal;
  let igv: Decimal;
  if (taxesIncluded) {
    // Treated like a negative line: D net = round(D / 1.18, 2), D IGV = D − D net. Clamped to the lines' own
    // figures so a (near) 100 % discount cannot leave a negative base or IGV; net + igv stays equal to D.
    net = cents(discount.div(IGV_FACTOR));
    igv = discount.minus(net);
    if (net.gt(base.net)) {
      net = base.net;
      igv = discount.minus(net);
    }
    if (igv.gt(base.igv)) {
      igv = base.igv;
      net = discount.minus(igv);
    }
  } else {
    // Net prices: the discount is net and exact; its IGV rounds like a line's, capped by the lines' IGV
    // (a 100 % discount must not leave a negative IGV from rounding).
    net = discount;
    igv = Money.min(cents(discount.times(IGV_RATE)), base.igv);
  }
  const grossBase = taxesIncluded ? base.gross : base.net.plus(base.igv);
  return {
    net,
    igv,
    entry: {
      code: DISCOUNT_TYPE.GLOBAL_AFFECTS_BASE,
      net_base: toJsonNumber(base.net),
      gross_base: toJsonNumber(grossBase),
      percentage: percentage(net, base.net),
      net_amount: toJsonNumber(net),
      gross_amount: toJsonNumber(net.plus(igv)),
    },
  };
}

/**
 * The document's totals from its items and its global discount (which applies to the gravado base, the only
 * one this product discounts).
 */
export function documentTotals(
  items: readonly DocumentItem[],
  discount: Pick<GlobalDiscount, "net" | "igv"> | null,
): DocumentTotals {
  const netOf = (category: string) =>
    sum(
      items
        .filter((item) => isOnerous(item) && TAX_AFFECTATION[item.sales_tax_code].category === category)
        .map((item) => amountOf(item.net_total)),
    );
  const charged = items.filter(isOnerous);
  const free = items.filter((item) => !isOnerous(item));
  const globalDiscountNet = discount?.net ?? ZERO;
  const globalDiscountIgv = discount?.igv ?? ZERO;

  const itemsNet = sum(charged.map((item) => amountOf(item.net_total)));
  const taxable = netOf("gravado").minus(globalDiscountNet);
  const exempt = netOf("exonerado");
  const unaffected = netOf("inafecto");
  const salesTax = sum(charged.map((item) => amountOf(item.sales_tax_total))).minus(globalDiscountIgv);
  const plasticTax = sum(items.map((item) => amountOf(item.plastic_tax_total ?? 0)));
  const taxesTotal = salesTax.plus(plasticTax);
  const netTotal = taxable.plus(exempt).plus(unaffected);
  const freeTotal = sum(free.map((item) => amountOf(item.free_total)));
  // Free transfers of gravado goods owe IGV (borne by the seller); exonerated or unaffected ones do not.
  const freeSalesTax = sum(
    free
      .filter((item) => TAX_AFFECTATION[item.sales_tax_code].category === "gravado")
      .map((item) => cents(amountOf(item.free_total).times(IGV_RATE))),
  );
  return {
    itemsNet,
    taxable,
    exempt,
    unaffected,
    salesTax,
    plasticTax,
    taxesTotal,
    netTotal,
    grossTotal: netTotal.plus(taxesTotal),
    globalDiscountNet,
    globalDiscountGross: globalDiscountNet.plus(globalDiscountIgv),
    free: freeTotal,
    freeSalesTax,
    hasFreeItems: free.length > 0,
  };
}

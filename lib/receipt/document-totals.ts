import type Decimal from "decimal.js";
import { DISCOUNT_TYPE, TAX_AFFECTATION, type TaxAffectationCode, type TaxCategory } from "./catalogs";
import { type ItemAmounts, percentage } from "./line-arithmetic";
import { cents, Money, toJsonNumber, ZERO } from "./money";
import type { ReceiptDiscount } from "./receipt-schema";
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

function isOnerous(taxCode: TaxAffectationCode): boolean {
  return TAX_AFFECTATION[taxCode].onerous;
}

/** What the order discount applies to: the charged (onerous) items among `items`. */
export function discountBaseOf(items: readonly ItemAmounts[]): DiscountBase {
  let net = ZERO;
  let igv = ZERO;
  let gross = ZERO;
  for (const item of items) {
    if (!isOnerous(item.taxCode)) continue;
    net = net.plus(item.net);
    igv = igv.plus(item.igv);
    gross = gross.plus(item.gross);
  }
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
  items: readonly ItemAmounts[],
  discount: Pick<GlobalDiscount, "net" | "igv"> | null,
): DocumentTotals {
  const net: Record<TaxCategory, Decimal> = {
    gravado: ZERO,
    exonerado: ZERO,
    inafecto: ZERO,
    exportacion: ZERO,
  };
  let itemsNet = ZERO;
  let itemsTax = ZERO;
  let plasticTax = ZERO;
  let free = ZERO;
  let freeSalesTax = ZERO;
  let hasFreeItems = false;
  for (const item of items) {
    const { category, onerous } = TAX_AFFECTATION[item.taxCode];
    plasticTax = plasticTax.plus(item.plastic);
    if (onerous) {
      net[category] = net[category].plus(item.net);
      itemsNet = itemsNet.plus(item.net);
      itemsTax = itemsTax.plus(item.igv);
    } else {
      hasFreeItems = true;
      free = free.plus(item.free);
      // Free transfers of gravado goods owe IGV (borne by the seller); exonerated or unaffected ones do not.
      if (category === "gravado") freeSalesTax = freeSalesTax.plus(cents(item.free.times(IGV_RATE)));
    }
  }
  const globalDiscountNet = discount?.net ?? ZERO;
  const globalDiscountIgv = discount?.igv ?? ZERO;
  const taxable = net.gravado.minus(globalDiscountNet);
  const salesTax = itemsTax.minus(globalDiscountIgv);
  const taxesTotal = salesTax.plus(plasticTax);
  const netTotal = taxable.plus(net.exonerado).plus(net.inafecto);
  return {
    itemsNet,
    taxable,
    exempt: net.exonerado,
    unaffected: net.inafecto,
    salesTax,
    plasticTax,
    taxesTotal,
    netTotal,
    grossTotal: netTotal.plus(taxesTotal),
    globalDiscountNet,
    globalDiscountGross: globalDiscountNet.plus(globalDiscountIgv),
    free,
    freeSalesTax,
    hasFreeItems,
  };
}

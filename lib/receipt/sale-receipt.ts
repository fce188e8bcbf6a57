import { DOCUMENT_TYPE, IDENTITY_DOCUMENT_CODES, UNIT } from "./catalogs";
import { assembleDocument } from "./document-assembly";
import { discountBaseOf, documentTotals, globalDiscount } from "./document-totals";
import { amountOf, type SaleLine, saleLineItem } from "./line-arithmetic";
import { exceedsAmountLimit, formatAmount, Money } from "./money";
import { OrderSchema } from "./order-schema";
import {
  boletaIdentityProblems,
  type CheckedSale,
  type SaleOptions,
  validateOrder,
} from "./order-validation";
import { type ReceiptProblem, schemaProblems } from "./problems";
import type { CustomerInformation, Receipt } from "./receipt-schema";
import type { StoreConfig } from "./store-config";
import { text } from "./text";

/**
 * The sale receipt builder (Factura 01 or Boleta 03): an Acelérala order + the store's configuration → the body
 * of `POST /v1/receipts`, or every rule the order breaks. Pure and deterministic: no I/O, no clock (the issue
 * date comes from the order or the caller), decimal arithmetic only (decimal.js, ROUND_HALF_UP).
 *
 * validateOrder (order-validation.ts) checks the order → saleLineItem (line-arithmetic.ts) computes each line →
 * globalDiscount and documentTotals (document-totals.ts) → assembleDocument (document-assembly.ts).
 *
 * Prices include IGV (`taxes_included`, Acelérala's norm): gross_total = Σ line gross − order discount +
 * shipping + ICBPER = the order's total, to the cent, by construction. Prices without IGV: net_total equals
 * the order's total and gross_total = net_total + taxes is what the customer owes.
 */

export type BuildReceiptOptions = SaleOptions;

export type BuildReceiptResult = { ok: true; receipt: Receipt } | { ok: false; problems: ReceiptProblem[] };

/** Customer name on a Boleta to an unidentified customer with no name. */
export const UNIDENTIFIED_CUSTOMER_NAME = "CLIENTES VARIOS";

/**
 * Build the receipt for `order` (the raw payload or an already parsed Order) issued by `store`.
 * `options.issueDate` (YYYY-MM-DD), when given, is the receipt's issue date and the year of its ICBPER rate;
 * without it the issue date is the order's `placed` (else `created`) in Peru time.
 */
export function buildReceipt(
  order: unknown,
  store: StoreConfig,
  options: BuildReceiptOptions = {},
): BuildReceiptResult {
  const parsed = OrderSchema.safeParse(order);
  if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error) };
  const checked = validateOrder(parsed.data, store, options);
  if (!checked.ok) return checked;
  return buildFromCheckedSale(checked.sale, store, options);
}

function refused(problem: ReceiptProblem): BuildReceiptResult {
  return { ok: false, problems: [problem] };
}

function buildFromCheckedSale(
  sale: CheckedSale,
  store: StoreConfig,
  options: BuildReceiptOptions,
): BuildReceiptResult {
  const { taxesIncluded, statedTotal, orderDiscount } = sale;
  const lines = [...sale.lines];
  const shipping = shippingLine(sale, store);
  if (shipping) lines.push(shipping);

  const saleItems = lines.map((line) => saleLineItem(line, taxesIncluded));
  const items = saleItems.map(({ item }) => item);
  const amounts = saleItems.map((saleItem) => saleItem.amounts);
  const base = discountBaseOf(amounts.filter((_, index) => !lines[index]?.isShipping));
  if (orderDiscount.gt(taxesIncluded ? base.gross : base.net)) {
    return refused({
      field: sale.orderDiscountField,
      rule: "order_discount_exceeds",
      message: `El descuento del pedido (${formatAmount(orderDiscount)}) es mayor que el valor de las líneas cobradas.`,
    });
  }
  const discount = globalDiscount(orderDiscount, base, taxesIncluded);
  const totals = documentTotals(amounts, discount);

  // Defence in depth: the construction guarantees this; never emit a receipt that differs from the order.
  const comparable = taxesIncluded ? totals.grossTotal : totals.taxable;
  if (!comparable.eq(statedTotal)) {
    return refused({
      field: "total",
      rule: "total_mismatch",
      message: `El comprobante sumaría ${formatAmount(comparable)} pero el total del pedido es ${formatAmount(statedTotal)}.`,
    });
  }

  // With taxes excluded the amount the customer owes is only known now (net + taxes).
  if (!taxesIncluded) {
    const identity = {
      isInvoice: sale.isInvoice,
      documentType: sale.documentType,
      hasName: sale.customerName !== null,
    };
    const identityProblems = boletaIdentityProblems(identity, totals.grossTotal, sale.currency, store);
    if (identityProblems.length > 0) return { ok: false, problems: identityProblems };
  }
  // The order's figures were checked against SUNAT's 12 integer digits; without IGV in the prices, the gross
  // figures are only known now.
  const grossFigures = [totals.grossTotal, ...items.map((item) => amountOf(item.gross_subtotal))];
  const tooLarge = grossFigures.find((figure) => exceedsAmountLimit(figure));
  if (tooLarge) {
    return refused({
      field: "total",
      rule: "amount_too_large",
      message: `El comprobante llevaría un importe de ${formatAmount(tooLarge)}, más del máximo que SUNAT admite (999,999,999,999.99).`,
    });
  }

  const receipt: Receipt = assembleDocument({
    orderId: sale.order.id,
    storeId: store.store_id,
    documentTypeCode: sale.isInvoice ? DOCUMENT_TYPE.FACTURA : DOCUMENT_TYPE.BOLETA,
    series: sale.series,
    ...(options.correlative !== undefined ? { correlative: options.correlative } : {}),
    issueDate: sale.issueDate,
    currency: sale.currency,
    totals,
    vendor: store.vendor_information,
    customer: customerInformation(sale),
    globalDiscounts: discount ? [discount.entry] : [],
    items,
  });
  return { ok: true, receipt };
}

/**
 * shipping_total less its discounts, as one ZZ service line (the discount shown as a line discount). Fully
 * discounted shipping is not charged and gets no line (it is not a free transfer of a good).
 */
function shippingLine(sale: CheckedSale, store: StoreConfig): SaleLine | null {
  const { shipping, shippingDiscount } = sale;
  if (!shipping.minus(shippingDiscount).gt(0)) return null;
  return {
    field: "shipping_total",
    name: store.shipping.name,
    sku: null,
    sunatProductCode: store.shipping.sunat_product_code,
    unit: UNIT.SERVICE,
    quantity: new Money(1),
    price: shipping,
    subtotal: shipping,
    discount: shippingDiscount,
    total: shipping.minus(shippingDiscount),
    bagRate: null,
    isShipping: true,
  };
}

function customerInformation(sale: CheckedSale): CustomerInformation {
  const billing = sale.order.billing_details;
  const documentType = sale.documentType;
  return {
    name: sale.customerName ?? UNIDENTIFIED_CUSTOMER_NAME,
    email: text(billing?.email),
    document_type: documentType,
    document_type_code: IDENTITY_DOCUMENT_CODES[documentType],
    document_number: documentType === "-" ? "-" : (sale.documentNumber ?? "-"),
    phone: text(billing?.phone),
    address1: text(billing?.address1),
    address2: text(billing?.address2),
    region: text(billing?.city),
    province: text(billing?.province),
    district: text(billing?.district),
    country: text(billing?.country),
    country_code: text(billing?.country_code),
    zip_code: text(billing?.zip_code),
  };
}

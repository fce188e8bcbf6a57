import type Decimal from "decimal.js";
import type { z } from "zod";
import { amountInWords, CURRENCY_NAMES, type CurrencyCode } from "./amount-in-words";
import {
  IDENTITY_DOCUMENT_CODES,
  type IdentityDocumentType,
  isIdentityDocumentType,
  isValidDni,
  isValidOtherDocument,
  isValidRuc,
} from "./identity";
import {
  cents,
  formatAmount,
  IGV_FACTOR,
  IGV_RATE,
  Money,
  sum,
  toJsonNumber,
  unitValue,
  ZERO,
} from "./money";
import { type Order, type OrderLine, OrderSchema } from "./order-schema";
import type {
  CustomerInformation,
  Receipt,
  ReceiptDiscount,
  ReceiptItem,
  ReceiptProblem,
} from "./receipt-schema";
import { INVOICE_SERIES, type StoreConfig, TICKET_SERIES } from "./store-config";

/**
 * buildReceipt: an Acelérala order + the store's configuration → the body of `POST /v1/receipts`, or the list
 * of rules the order breaks. Pure and deterministic: no I/O, no clock (the issue date comes from the order or
 * the caller), decimal arithmetic only (decimal.js, ROUND_HALF_UP).
 *
 * THE ARITHMETIC (why the receipt always equals what was charged)
 * With `taxes_included` true (Acelérala's norm) prices are IGV-inclusive:
 *   line gross G  = quantity × gross unit price − line discount          (exact: it is what was charged)
 *   line net      = round(G / 1.18, 2);   line IGV = G − line net          (so net + IGV = G exactly)
 *   net subtotal  = round(quantity × price / 1.18, 2); net discount = net subtotal − line net
 *   order discount D (on the subtotal) → ONE global discount, Catálogo 53 `02` (reduces the taxable base),
 *   treated like a negative line under the same rule: D net = round(D / 1.18, 2), D IGV = D − D net.
 *   Document totals are sums: taxable = Σ line net − D net; IGV = Σ line IGV − D IGV; ICBPER = Σ bags × rate.
 *   ⇒ gross_total = Σ G − D + shipping line + ICBPER = the order's total, to the cent, by construction.
 * Per line |IGV − 18 % × net| ≤ 1.18 × ½ cent = 0.0059, the best any 2-decimal split can do (G = 0.23 has no
 * split within ½ cent: 0.19 + 0.04 is off by 0.0058, 0.20 + 0.03 by 0.006). The document's IGV drifts from
 * 18 % of its base by at most 0.0059 per line plus one for the discount: SUNAT's tolerances (3271, 3103, 3277,
 * 3291, 3279, 3280: ±1.00 each) are never approached by realistic orders (it would take ~170 lines all
 * rounding the same way). D net / D IGV are clamped to the lines' own net / IGV so that a (near) 100 %
 * discount never produces a negative taxable base.
 *
 * With `taxes_included` false, prices and the order's totals are net (the seed: "si los precios de los ítems
 * y los totales de la Orden incluyen impuestos o no"): line net = quantity × price − discount (exact),
 * line IGV = round(net × 0.18, 2) (within ½ cent), D is net and its IGV = round(D × 0.18, 2); the receipt's
 * net_total equals the order's total and gross_total = net_total + taxes is what the customer owes.
 */

export interface BuildReceiptOptions {
  /** Fecha de emisión (YYYY-MM-DD). Default: the order's `placed` (else `created`) in Peru time (UTC−5). */
  issueDate?: string;
  /** The number reserved for this receipt; absent → the API assigns the next in the series. */
  correlative?: number;
}

export type BuildReceiptResult = { ok: true; receipt: Receipt } | { ok: false; problems: ReceiptProblem[] };

/** Catálogo 07 code for free lines: `15` Gravado – Bonificaciones (promotional gifts; the seller bears the IGV). */
export const FREE_LINE_SALES_TAX_CODE = "15";
export const LEGEND_TOTAL_IN_WORDS = 1000;
export const LEGEND_FREE_TRANSFER = 1002;
export const FREE_TRANSFER_TEXT = "TRANSFERENCIA GRATUITA DE UN BIEN Y/O SERVICIO PRESTADO GRATUITAMENTE";
/** Customer name on a Boleta to an unidentified customer with no name. */
export const UNIDENTIFIED_CUSTOMER_NAME = "CLIENTES VARIOS";
const MAX_CORRELATIVE = 99_999_999;

/** ICBPER per bag by issue year (Ley 30884): 0.10 in 2019 … 0.50 from 2023 on; no tax before 2019. */
export function icbperRate(year: number): Decimal {
  if (year < 2019) return ZERO;
  const byYear: Record<number, string> = { 2019: "0.10", 2020: "0.20", 2021: "0.30", 2022: "0.40" };
  return new Money(byYear[year] ?? "0.50");
}

const PERU_UTC_OFFSET_MS = -5 * 60 * 60 * 1000;

/** The calendar date in Peru (UTC−5, no daylight saving) of an ISO-8601 instant; undefined if unparseable. */
export function peruDate(isoInstant: string): string | undefined {
  const epochMs = Date.parse(isoInstant);
  if (Number.isNaN(epochMs)) return undefined;
  return new Date(epochMs + PERU_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  return new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

/** `lines.0.price` → `lines[0].price`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(pedido)" : out;
}

function schemaProblems(error: z.ZodError): ReceiptProblem[] {
  return error.issues.map((issue) => {
    const field = fieldPath(issue.path);
    const detail =
      issue.code === "invalid_type"
        ? `falta o no tiene el tipo esperado (${issue.expected})`
        : issue.code === "custom"
          ? issue.message
          : "no tiene un valor válido";
    return { field, rule: "schema", message: `El campo ${field} ${detail}.` };
  });
}

function text(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** One computed line before it becomes a receipt item. */
interface LineFigures {
  field: string;
  name: string;
  sku: string | null;
  sunatProductCode: string;
  unit: "NIU" | "ZZ";
  quantity: Decimal;
  /** Unit price as the order gives it (gross if taxes_included, else net), including any ICBPER per bag. */
  price: Decimal;
  /** round(quantity × price, 2): what the order calls the line subtotal. */
  subtotal: Decimal;
  discount: Decimal;
  /** subtotal − discount: what the customer was charged for the line (taxes_included) or its net value. */
  total: Decimal;
  bagRate: Decimal | null;
  /** Part of the line that belongs to the shipping cost (excluded from the global discount's base). */
  isShipping: boolean;
}

interface Totals {
  items: ReceiptItem[];
  /** Lines the order-level discount applies to (all charged product lines, not shipping): Σ net, Σ IGV, Σ gross. */
  discountBase: { net: Decimal; igv: Decimal; gross: Decimal };
  hasFreeLines: boolean;
}

function percentage(part: Decimal, base: Decimal): number {
  if (base.isZero()) return 0;
  return toJsonNumber(part.div(base).times(100).toDecimalPlaces(5));
}

function lineToItem(line: LineFigures, taxesIncluded: boolean): ReceiptItem {
  const bagsTax = line.bagRate ? line.quantity.times(line.bagRate) : null;
  const base = {
    name: line.name,
    sunat_product_code: line.sunatProductCode,
    unit: line.unit,
    quantity: toJsonNumber(line.quantity),
    sales_tax_rate: 18 as const,
    sku: line.sku,
    plastic_tax_factor: line.bagRate ? toJsonNumber(line.bagRate) : null,
    plastic_tax_total: bagsTax ? toJsonNumber(bagsTax) : null,
  };

  if (line.total.isZero()) {
    // A free line (fully discounted): Catálogo 07 `15`, valued at its reference (normal) price, outside the
    // taxable base and the total; its IGV (borne by the seller) is reported in free_sales_tax_total.
    const freeTotal = taxesIncluded ? cents(line.subtotal.div(IGV_FACTOR)) : line.subtotal;
    return {
      ...base,
      sales_tax_code: FREE_LINE_SALES_TAX_CODE,
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
  }

  let netSubtotal: Decimal;
  let netTotal: Decimal;
  let salesTax: Decimal;
  let grossSubtotal: Decimal;
  let grossTotal: Decimal;
  if (taxesIncluded) {
    // ICBPER is charged inside the bag's price; the IGV-inclusive part is what remains.
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
          code: "00",
          net_base: toJsonNumber(netSubtotal),
          gross_base: toJsonNumber(grossSubtotal),
          percentage: percentage(netDiscount, netSubtotal),
          net_amount: toJsonNumber(netDiscount),
          gross_amount: toJsonNumber(grossDiscount),
        },
      ];
  return {
    ...base,
    sales_tax_code: "10",
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
}

function d(value: number): Decimal {
  return new Money(value);
}

function itemsToTotals(lines: readonly LineFigures[], taxesIncluded: boolean): Totals {
  const items: ReceiptItem[] = [];
  let net = ZERO;
  let igv = ZERO;
  let gross = ZERO;
  let hasFreeLines = false;
  for (const line of lines) {
    const item = lineToItem(line, taxesIncluded);
    items.push(item);
    if (item.sales_tax_code === FREE_LINE_SALES_TAX_CODE) hasFreeLines = true;
    else if (!line.isShipping) {
      net = net.plus(d(item.net_total));
      igv = igv.plus(d(item.sales_tax_total));
      gross = gross.plus(d(item.gross_total));
    }
  }
  return { items, discountBase: { net, igv, gross }, hasFreeLines };
}

/** The order-level discount as a Catálogo 53 `02` global discount, or null when there is none. */
function globalDiscount(
  discount: Decimal,
  base: Totals["discountBase"],
  taxesIncluded: boolean,
): { net: Decimal; igv: Decimal; entry: ReceiptDiscount } | null {
  if (discount.isZero()) return null;
  let net: Decimal;
  let igv: Decimal;
  if (taxesIncluded) {
    net = cents(discount.div(IGV_FACTOR));
    igv = discount.minus(net);
    // Clamp to the lines' own figures so a (near) 100 % discount cannot leave a negative base or IGV; the
    // sum net + igv stays equal to the discount.
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
      code: "02",
      net_base: toJsonNumber(base.net),
      gross_base: toJsonNumber(grossBase),
      percentage: percentage(net, base.net),
      net_amount: toJsonNumber(net),
      gross_amount: toJsonNumber(net.plus(igv)),
    },
  };
}

/** The order-level figures the receipt is built from, with where each came from (for messages). */
interface OrderFigures {
  orderDiscount: Decimal;
  shipping: Decimal;
  shippingDiscount: Decimal;
}

function sumApplications(order: Order, target: string): Decimal | null {
  const matching = (order.discount_applications ?? []).filter(
    (application) => application.target === target && application.total_allocated != null,
  );
  if (matching.length === 0) return null;
  return sum(matching.map((application) => new Money(application.total_allocated ?? 0)));
}

function orderFigures(order: Order): OrderFigures {
  // Order-level (subtotal) discounts: `global_discounts_total` (named in the seed's text) wins, then the
  // order's `discounts_total` (what the seed's example carries: 100.00, only the subtotal discount), then
  // the sum of the discount applications that target the subtotal.
  const orderDiscount =
    order.global_discounts_total ?? order.discounts_total ?? sumApplications(order, "subtotal") ?? ZERO;
  const shippingDiscount = order.shipping_discounts_total ?? sumApplications(order, "shipping") ?? ZERO;
  return {
    orderDiscount: new Money(orderDiscount),
    shipping: new Money(order.shipping_total ?? 0),
    shippingDiscount: new Money(shippingDiscount),
  };
}

function customerName(order: Order, isInvoice: boolean): string | null {
  const billing = order.billing_details;
  const company = text(billing?.company);
  const person = [text(billing?.first_name), text(billing?.last_name)].filter(Boolean).join(" ") || null;
  return isInvoice ? (company ?? person) : (person ?? company);
}

/**
 * Build the receipt for `order` (the raw payload or an already parsed Order) issued by `store`.
 * Returns `{ ok: true, receipt }` or `{ ok: false, problems }` with every rule the order breaks.
 */
export function buildReceipt(
  order: unknown,
  store: StoreConfig,
  options: BuildReceiptOptions = {},
): BuildReceiptResult {
  const parsed = OrderSchema.safeParse(order);
  if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error) };
  return buildFromOrder(parsed.data, store, options);
}

function buildFromOrder(order: Order, store: StoreConfig, options: BuildReceiptOptions): BuildReceiptResult {
  const problems: ReceiptProblem[] = [];
  const problem = (field: string, rule: string, message: string) => problems.push({ field, rule, message });

  // --- Store and order identity -------------------------------------------------------------------------
  if (order.store_id != null && String(order.store_id) !== String(store.store_id)) {
    problem(
      "store_id",
      "store_mismatch",
      `El pedido es de la tienda ${order.store_id} y la configuración es de la tienda ${store.store_id}.`,
    );
  }
  const currency = order.currency_code;
  if (!Object.hasOwn(CURRENCY_NAMES, currency)) {
    problem("currency_code", "currency", `La moneda ${currency} no está soportada (solo PEN y USD).`);
  }
  const taxesIncluded = order.taxes_included ?? true;

  // --- Issue date -------------------------------------------------------------------------------------------
  let issueDate: string | undefined;
  if (options.issueDate !== undefined) {
    issueDate = isCalendarDate(options.issueDate) ? options.issueDate : undefined;
    if (!issueDate)
      problem("issue_date", "issue_date", "La fecha de emisión debe tener el formato AAAA-MM-DD.");
  } else {
    const source = text(order.placed) ?? text(order.created);
    issueDate = source ? peruDate(source) : undefined;
    if (!issueDate) {
      problem(
        source ? (text(order.placed) ? "placed" : "created") : "placed",
        "issue_date",
        "El pedido no tiene una fecha válida (placed o created) de la que tomar la fecha de emisión.",
      );
    }
  }
  const bagRate = icbperRate(issueDate ? Number(issueDate.slice(0, 4)) : 2023);

  // --- Document type and customer --------------------------------------------------------------------------
  const billing = order.billing_details;
  const rawDocumentType = text(billing?.document_type)?.toLowerCase() ?? "-";
  const documentNumber = text(billing?.document_number);
  const documentType: IdentityDocumentType | null = isIdentityDocumentType(rawDocumentType)
    ? rawDocumentType
    : null;
  if (!documentType) {
    problem(
      "billing_details.document_type",
      "identity_document_type",
      `El tipo de documento "${rawDocumentType}" no existe en el Catálogo 06 (ruc, dni, -, ce, passport, cdi, nd, dnind, tin, in, tam).`,
    );
  }
  const receiptType = text(billing?.receipt_type)?.toLowerCase() ?? null;
  let isInvoice: boolean;
  if (receiptType === "invoice") isInvoice = true;
  else if (receiptType === "ticket") isInvoice = false;
  else {
    if (receiptType !== null) {
      problem(
        "billing_details.receipt_type",
        "receipt_type",
        `El tipo de comprobante "${receiptType}" no es válido: use "invoice" (Factura) o "ticket" (Boleta).`,
      );
    }
    isInvoice = documentType === "ruc";
  }

  if (isInvoice && documentType !== null && documentType !== "ruc") {
    problem(
      "billing_details.document_type",
      "invoice_requires_ruc",
      "Una Factura solo puede emitirse a un cliente con RUC; el cliente tiene otro tipo de documento. Emita una Boleta o pida el RUC.",
    );
  }
  if (documentType && documentType !== "-") {
    if (!documentNumber) {
      problem(
        "billing_details.document_number",
        "document_number_required",
        "El cliente tiene tipo de documento pero no número de documento.",
      );
    } else if (documentType === "ruc" && !isValidRuc(documentNumber)) {
      problem(
        "billing_details.document_number",
        "ruc_invalid",
        "El RUC del cliente no es válido: debe tener 11 dígitos, empezar con 10, 15, 17 o 20 y tener un dígito verificador correcto.",
      );
    } else if (documentType === "dni" && !isValidDni(documentNumber)) {
      problem(
        "billing_details.document_number",
        "dni_invalid",
        "El DNI del cliente debe tener exactamente 8 dígitos.",
      );
    } else if (documentType !== "ruc" && documentType !== "dni" && !isValidOtherDocument(documentNumber)) {
      problem(
        "billing_details.document_number",
        "document_number_invalid",
        "El número de documento del cliente debe tener de 1 a 15 letras, dígitos o guiones.",
      );
    }
  }
  const name = customerName(order, isInvoice);
  if (isInvoice && !name) {
    problem(
      "billing_details.company",
      "customer_name_required",
      "Una Factura necesita la razón social del cliente (company) o su nombre.",
    );
  }

  // --- Series and number --------------------------------------------------------------------------------------
  const series = isInvoice ? store.series.invoice : store.series.ticket;
  if (!(isInvoice ? INVOICE_SERIES : TICKET_SERIES).test(series)) {
    problem(
      isInvoice ? "series.invoice" : "series.ticket",
      "series_format",
      isInvoice
        ? `La serie de Factura "${series}" no es válida: F seguida de 3 letras o dígitos (F001), o 4 dígitos en contingencia.`
        : `La serie de Boleta "${series}" no es válida: B seguida de 3 letras o dígitos (B001), o 4 dígitos en contingencia.`,
    );
  }
  if (
    options.correlative !== undefined &&
    !(
      Number.isInteger(options.correlative) &&
      options.correlative >= 1 &&
      options.correlative <= MAX_CORRELATIVE
    )
  ) {
    problem("correlative", "correlative_format", "El correlativo debe ser un entero de 1 a 99999999.");
  }

  // --- Lines ---------------------------------------------------------------------------------------------------
  if (order.lines.length === 0)
    problem("lines", "no_lines", "El pedido no tiene líneas: no hay nada que facturar.");
  const lines: LineFigures[] = [];
  const bagSkus = new Set(store.icbper_skus);
  for (const [index, line] of order.lines.entries()) {
    lines.push(checkLine(line, index, bagSkus, bagRate, taxesIncluded, store, problem));
  }

  // --- Order-level figures and the documented relations ----------------------------------------------------------
  const { orderDiscount, shipping, shippingDiscount } = orderFigures(order);
  const negativeChecks: [string, Decimal][] = [
    [order.global_discounts_total != null ? "global_discounts_total" : "discounts_total", orderDiscount],
    ["shipping_total", shipping],
    ["shipping_discounts_total", shippingDiscount],
  ];
  for (const [field, value] of negativeChecks) {
    if (value.isNegative())
      problem(
        field,
        "amount_negative",
        `El importe ${field} no puede ser negativo (${formatAmount(value)}).`,
      );
  }
  if (shippingDiscount.gt(shipping)) {
    problem(
      "shipping_discounts_total",
      "shipping_discount_exceeds",
      `El descuento de envío (${formatAmount(shippingDiscount)}) es mayor que el costo de envío (${formatAmount(shipping)}).`,
    );
  }

  const computedLinesTotal = sum(lines.map((line) => line.total));
  const statedTotal = new Money(order.total);
  {
    if (order.lines_total != null && !new Money(order.lines_total).eq(computedLinesTotal)) {
      problem(
        "lines_total",
        "lines_total_sum",
        `lines_total es ${formatAmount(order.lines_total)} pero la suma de los totales de las líneas es ${formatAmount(computedLinesTotal)}.`,
      );
    }
    const linesTotalForSubtotal =
      order.lines_total != null ? new Money(order.lines_total) : computedLinesTotal;
    if (order.subtotal != null) {
      const expectedSubtotal = linesTotalForSubtotal.minus(orderDiscount);
      if (!new Money(order.subtotal).eq(expectedSubtotal)) {
        problem(
          "subtotal",
          "subtotal_relation",
          `subtotal es ${formatAmount(order.subtotal)} pero lines_total (${formatAmount(linesTotalForSubtotal)}) menos los descuentos del pedido (${formatAmount(orderDiscount)}) da ${formatAmount(expectedSubtotal)}.`,
        );
      }
      const expectedTotal = new Money(order.subtotal).plus(shipping).minus(shippingDiscount);
      if (!statedTotal.eq(expectedTotal)) {
        problem(
          "total",
          "total_relation",
          `total es ${formatAmount(statedTotal)} pero subtotal (${formatAmount(order.subtotal)}) más envío (${formatAmount(shipping)}) menos descuentos de envío (${formatAmount(shippingDiscount)}) da ${formatAmount(expectedTotal)}.`,
        );
      }
    }
    const chargeable = computedLinesTotal.minus(orderDiscount).plus(shipping).minus(shippingDiscount);
    if (!statedTotal.eq(chargeable)) {
      problem(
        "total",
        "total_mismatch",
        `Las líneas, descuentos y envío del pedido suman ${formatAmount(chargeable)} pero su total es ${formatAmount(statedTotal)}: el comprobante no puede diferir de lo cobrado.`,
      );
    }
  }

  if (taxesIncluded) {
    const identityProblem = boletaIdentityProblem(isInvoice, documentType, statedTotal, currency, store);
    if (identityProblem) problems.push(identityProblem);
  }

  if (problems.length > 0) return { ok: false, problems };

  // --- Shipping as a service line ----------------------------------------------------------------------------------
  // shipping_total less its discounts, as one ZZ line (the discount shown as a line discount). Fully discounted
  // shipping is not charged and gets no line (it is not a free transfer of a good).
  if (shipping.minus(shippingDiscount).gt(0)) {
    lines.push({
      field: "shipping_total",
      name: store.shipping.name,
      sku: null,
      sunatProductCode: store.shipping.sunat_product_code,
      unit: "ZZ",
      quantity: new Money(1),
      price: shipping,
      subtotal: shipping,
      discount: shippingDiscount,
      total: shipping.minus(shippingDiscount),
      bagRate: null,
      isShipping: true,
    });
  }

  // --- Items, global discount, document totals ----------------------------------------------------------------------
  const totals = itemsToTotals(lines, taxesIncluded);
  if (orderDiscount.gt(taxesIncluded ? totals.discountBase.gross : totals.discountBase.net)) {
    return {
      ok: false,
      problems: [
        {
          field: order.global_discounts_total != null ? "global_discounts_total" : "discounts_total",
          rule: "order_discount_exceeds",
          message: `El descuento del pedido (${formatAmount(orderDiscount)}) es mayor que el valor de las líneas cobradas.`,
        },
      ],
    };
  }
  const discount = globalDiscount(orderDiscount, totals.discountBase, taxesIncluded);
  const chargedItems = totals.items.filter((item) => item.sales_tax_code !== FREE_LINE_SALES_TAX_CODE);
  const freeItems = totals.items.filter((item) => item.sales_tax_code === FREE_LINE_SALES_TAX_CODE);
  const itemsNet = sum(chargedItems.map((item) => d(item.net_total)));
  const itemsTax = sum(chargedItems.map((item) => d(item.sales_tax_total)));
  const plasticTax = sum(totals.items.map((item) => d(item.plastic_tax_total ?? 0)));
  const discountNet = discount?.net ?? ZERO;
  const discountTax = discount?.igv ?? ZERO;
  const taxable = itemsNet.minus(discountNet);
  const salesTax = itemsTax.minus(discountTax);
  const taxesTotal = salesTax.plus(plasticTax);
  const grossTotal = taxable.plus(taxesTotal);
  const freeTotal = sum(freeItems.map((item) => d(item.free_total)));
  const freeSalesTax = sum(freeItems.map((item) => cents(d(item.free_total).times(IGV_RATE))));

  // Defence in depth: the construction above guarantees this; never emit a receipt that differs from the order.
  const comparable = taxesIncluded ? grossTotal : taxable;
  if (!comparable.eq(statedTotal)) {
    return {
      ok: false,
      problems: [
        {
          field: "total",
          rule: "total_mismatch",
          message: `El comprobante sumaría ${formatAmount(comparable)} pero el total del pedido es ${formatAmount(statedTotal)}.`,
        },
      ],
    };
  }

  // With taxes excluded the amount the customer owes is only known now (net + taxes).
  if (!taxesIncluded) {
    const identityProblem = boletaIdentityProblem(isInvoice, documentType, grossTotal, currency, store);
    if (identityProblem) return { ok: false, problems: [identityProblem] };
  }

  const customerDocumentType = documentType ?? "-";
  const customer: CustomerInformation = {
    name: name ?? UNIDENTIFIED_CUSTOMER_NAME,
    email: text(billing?.email),
    document_type: customerDocumentType,
    document_type_code: IDENTITY_DOCUMENT_CODES[customerDocumentType],
    document_number: customerDocumentType === "-" ? "-" : (documentNumber ?? "-"),
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

  const legends: Receipt["legends"] = [
    { code: LEGEND_TOTAL_IN_WORDS, value: amountInWords(grossTotal, currency) },
  ];
  if (freeItems.length > 0) legends.push({ code: LEGEND_FREE_TRANSFER, value: FREE_TRANSFER_TEXT });

  const receipt: Receipt = {
    order_id: order.id,
    store_id: store.store_id,
    document_type_code: isInvoice ? "01" : "03",
    series,
    ...(options.correlative !== undefined ? { correlative: options.correlative } : {}),
    issue_date: issueDate as string,
    currency_code: currency as CurrencyCode,
    operation_code: "0101",
    advances_total: 0,
    global_discounts_net_total: toJsonNumber(discountNet),
    global_discounts_gross_total: toJsonNumber(discountNet.plus(discountTax)),
    other_charges_total: 0,
    items_net_total: toJsonNumber(itemsNet),
    taxable_total: toJsonNumber(taxable),
    exempt_total: 0,
    unaffected_total: 0,
    sales_tax_total: toJsonNumber(salesTax),
    free_sales_tax_total: toJsonNumber(freeSalesTax),
    free_total: toJsonNumber(freeTotal),
    // No advances, exempt or unaffected lines: net_total is the taxable base after global discounts, so that
    // gross_total = net_total + taxes_total as the seed defines it.
    net_total: toJsonNumber(taxable),
    taxes_total: toJsonNumber(taxesTotal),
    gross_total: toJsonNumber(grossTotal),
    legends,
    vendor_information: store.vendor_information,
    customer_information: customer,
    global_discounts: discount ? [discount.entry] : [],
    items: totals.items,
    advances: [],
    detraction: null,
  };
  return { ok: true, receipt };
}

/** A Boleta above the store's threshold (legally S/ 700.00) must identify the customer. */
function boletaIdentityProblem(
  isInvoice: boolean,
  documentType: IdentityDocumentType | null,
  amountCharged: Decimal,
  currency: string,
  store: StoreConfig,
): ReceiptProblem | null {
  if (isInvoice || (documentType !== "-" && documentType !== null)) return null;
  const configured = store.boleta_identity_thresholds[currency as CurrencyCode];
  if (configured === undefined || !amountCharged.gt(configured)) return null;
  return {
    field: "billing_details.document_type",
    rule: "boleta_identity_required",
    message: `Una Boleta por más de ${currency === "PEN" ? "S/" : currency} ${formatAmount(configured)} (esta es de ${formatAmount(amountCharged)}) debe identificar al cliente con DNI u otro documento.`,
  };
}

function checkLine(
  line: OrderLine,
  index: number,
  bagSkus: ReadonlySet<string>,
  bagRate: Decimal,
  taxesIncluded: boolean,
  store: StoreConfig,
  problem: (field: string, rule: string, message: string) => void,
): LineFigures {
  const field = `lines[${index}]`;
  const report = (suffix: string, rule: string, message: string) =>
    problem(`${field}${suffix}`, rule, message);
  const label = text(line.name) ?? text(line.sku) ?? `línea ${index + 1}`;
  const quantity = new Money(line.quantity);
  const price = new Money(line.price);
  if (quantity.lte(0))
    report(".quantity", "quantity_positive", `La cantidad de "${label}" debe ser mayor que cero.`);
  if (price.isNegative())
    report(".price", "price_negative", `El precio de "${label}" no puede ser negativo.`);
  const allocations = line.discount_allocations ?? [];
  const allocated = allocations.length > 0 ? sum(allocations.map((a) => new Money(a.amount))) : null;
  const discount = new Money(line.discounts_total ?? allocated ?? 0);
  if (discount.isNegative()) {
    report(".discounts_total", "discount_negative", `El descuento de "${label}" no puede ser negativo.`);
  }
  if (allocated !== null && line.discounts_total != null && !allocated.eq(discount)) {
    report(
      ".discounts_total",
      "line_discount_allocations",
      `El descuento de "${label}" es ${formatAmount(discount)} pero sus asignaciones (discount_allocations) suman ${formatAmount(allocated)}.`,
    );
  }
  const subtotal = cents(quantity.times(price));
  if (line.subtotal != null && !new Money(line.subtotal).eq(subtotal)) {
    report(
      ".subtotal",
      "line_subtotal",
      `El subtotal de "${label}" es ${formatAmount(line.subtotal)} pero precio × cantidad da ${formatAmount(subtotal)}.`,
    );
  }
  if (discount.gt(subtotal)) {
    report(
      ".discounts_total",
      "line_discount_exceeds",
      `El descuento de "${label}" (${formatAmount(discount)}) es mayor que su subtotal (${formatAmount(subtotal)}).`,
    );
  }
  const total = subtotal.minus(discount);
  if (line.total != null && !new Money(line.total).eq(total)) {
    report(
      ".total",
      "line_total",
      `El total de "${label}" es ${formatAmount(line.total)} pero subtotal menos descuento da ${formatAmount(total)}.`,
    );
  }
  const name = text(line.name) ?? text(line.sku);
  if (!name)
    report(".name", "line_name", `La línea ${index + 1} no tiene nombre ni SKU para el comprobante.`);
  if (total.isZero() && subtotal.isZero() && quantity.gt(0)) {
    report(
      ".price",
      "free_line_reference_value",
      `"${label}" vale 0.00 (precio × cantidad): una entrega gratuita necesita su precio normal como valor referencial (use un descuento del 100 %).`,
    );
  }
  const sku = text(line.sku);
  const isBag = sku !== null && bagSkus.has(sku) && bagRate.gt(0);
  if (isBag) {
    if (!quantity.isInteger()) {
      report(
        ".quantity",
        "icbper_bag_quantity",
        `La cantidad de bolsas de "${label}" debe ser un número entero.`,
      );
    } else if (taxesIncluded && total.lt(quantity.times(bagRate))) {
      report(
        ".price",
        "icbper_not_charged",
        `"${label}" es una bolsa plástica: lo cobrado (${formatAmount(total)}) no cubre el ICBPER de ${formatAmount(quantity.times(bagRate))} (${quantity.toString()} × ${formatAmount(bagRate)}).`,
      );
    }
  }
  // Figures are returned even when the line breaks a rule, so the order-level relations are still checked
  // (every failing relation is reported); no receipt is built while any problem exists.
  return {
    field,
    name: name ?? label,
    sku,
    sunatProductCode: text(line.sunat_product_code) ?? store.default_sunat_product_code,
    unit: "NIU",
    quantity,
    price,
    subtotal,
    discount,
    total,
    bagRate: isBag ? bagRate : null,
    isShipping: false,
  };
}

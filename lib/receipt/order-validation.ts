import type Decimal from "decimal.js";
import { CURRENCY_NAMES, type CurrencyCode } from "./amount-in-words";
import { type IdentityDocumentType, UNIT } from "./catalogs";
import { isCalendarDate, peruDate } from "./dates";
import { isIdentityDocumentType, isValidDni, isValidOtherDocument, isValidRuc } from "./identity";
import type { SaleLine } from "./line-arithmetic";
import { cents, exceedsAmountLimit, formatAmount, Money, sum, UNIT_VALUE_DECIMALS, ZERO } from "./money";
import type { Order, OrderLine } from "./order-schema";
import { Problems, type ReceiptProblem } from "./problems";
import { INVOICE_SERIES, type StoreConfig, TICKET_SERIES } from "./store-config";
import { icbperRate } from "./taxes";
import {
  CUSTOMER_NAME_MAX,
  CUSTOMER_NAME_MIN,
  characterCount,
  normaliseName,
  shortenDescription,
  text,
} from "./text";

/**
 * Validation of an order before it becomes a sale receipt: every rule the order (or the store's configuration)
 * breaks, each with its field, and — when none is broken — the checked figures the builder works from.
 * Figures are computed even for a line that breaks a rule, so the order-level relations are still checked and
 * every failing relation is reported at once.
 */

export interface SaleOptions {
  /** Fecha de emisión (YYYY-MM-DD). Default: the order's `placed` (else `created`) in Peru time (UTC−5). */
  issueDate?: string;
  /** The number reserved for this receipt; absent → the API assigns the next in the series. */
  correlative?: number;
}

/** An order that passed validation, in the terms the sale builder needs. */
export interface CheckedSale {
  order: Order;
  isInvoice: boolean;
  series: string;
  issueDate: string;
  currency: CurrencyCode;
  taxesIncluded: boolean;
  /** The customer's Catálogo 06 document ("-" when none) and its number. */
  documentType: IdentityDocumentType;
  documentNumber: string | null;
  /** The name as it goes on the receipt (whitespace normalised), or null for an unidentified Boleta. */
  customerName: string | null;
  lines: SaleLine[];
  orderDiscount: Decimal;
  /** The order field the order discount was read from (for messages). */
  orderDiscountField: string;
  shipping: Decimal;
  shippingDiscount: Decimal;
  /** The order's `total`: what the customer was charged. */
  statedTotal: Decimal;
}

export type OrderValidation = { ok: true; sale: CheckedSale } | { ok: false; problems: ReceiptProblem[] };

const MAX_CORRELATIVE = 99_999_999;
/** SUNAT 2025: quantities have up to 12 integer digits (the amounts' limit) and 10 decimals. */
const QUANTITY_INTEGER_DIGITS = 12;

export function validateOrder(order: Order, store: StoreConfig, options: SaleOptions): OrderValidation {
  const problems = new Problems();
  const problem = problems.add.bind(problems);

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
  const issueDate = checkIssueDate(order, options, problems);
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
  const isInvoice = checkReceiptType(order, documentType, problems);
  if (isInvoice && documentType !== null && documentType !== "ruc") {
    problem(
      "billing_details.document_type",
      "invoice_requires_ruc",
      "Una Factura solo puede emitirse a un cliente con RUC; el cliente tiene otro tipo de documento. Emita una Boleta o pida el RUC.",
    );
  }
  checkDocumentNumber(documentType, documentNumber, problems);
  const name = customerName(order, isInvoice);
  if (isInvoice && !name) {
    problem(
      "billing_details.company",
      "customer_name_required",
      "Una Factura necesita la razón social del cliente (company) o su nombre.",
    );
  }
  if (name) {
    const length = characterCount(name.value);
    if (length < CUSTOMER_NAME_MIN || length > CUSTOMER_NAME_MAX) {
      problem(
        name.field,
        "customer_name_length",
        `El nombre o razón social del cliente debe tener de ${CUSTOMER_NAME_MIN} a ${CUSTOMER_NAME_MAX} caracteres (tiene ${length}).`,
      );
    }
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
  if (options.correlative !== undefined && !isCorrelative(options.correlative)) {
    problem("correlative", "correlative_format", "El correlativo debe ser un entero de 1 a 99999999.");
  }

  // --- Lines ---------------------------------------------------------------------------------------------------
  if (order.lines.length === 0)
    problem("lines", "no_lines", "El pedido no tiene líneas: no hay nada que facturar.");
  const bagSkus = new Set(store.icbper_skus);
  const lines = order.lines.map((line, index) =>
    checkLine(line, index, { bagSkus, bagRate, taxesIncluded, store }, problems),
  );

  // --- Order-level figures and the documented relations ----------------------------------------------------------
  const { orderDiscount, orderDiscountField, shipping, shippingDiscount } = orderFigures(order);
  const negativeChecks: [string, Decimal][] = [
    [orderDiscountField, orderDiscount],
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
  if (exceedsAmountLimit(shipping)) amountTooLarge("shipping_total", shipping, problems);
  const statedTotal = new Money(order.total);
  if (exceedsAmountLimit(statedTotal)) amountTooLarge("total", statedTotal, problems);
  checkOrderRelations(order, lines, { orderDiscount, shipping, shippingDiscount, statedTotal }, problems);

  if (taxesIncluded) {
    // An unknown document type identifies no one: it counts as "-" here (and is reported above).
    const identity = { isInvoice, documentType: documentType ?? "-", hasName: name !== null };
    problems.list.push(...boletaIdentityProblems(identity, statedTotal, currency, store));
  }

  if (problems.any || !issueDate || !documentType) return { ok: false, problems: problems.list };
  return {
    ok: true,
    sale: {
      order,
      isInvoice,
      series,
      issueDate,
      currency: currency as CurrencyCode,
      taxesIncluded,
      documentType,
      documentNumber,
      customerName: name?.value ?? null,
      lines,
      orderDiscount,
      orderDiscountField,
      shipping,
      shippingDiscount,
      statedTotal,
    },
  };
}

export function isCorrelative(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_CORRELATIVE;
}

function checkIssueDate(order: Order, options: SaleOptions, problems: Problems): string | undefined {
  if (options.issueDate !== undefined) {
    if (isCalendarDate(options.issueDate)) return options.issueDate;
    problems.add("issue_date", "issue_date", "La fecha de emisión debe tener el formato AAAA-MM-DD.");
    return undefined;
  }
  const placed = text(order.placed);
  const source = placed ?? text(order.created);
  const issueDate = source ? peruDate(source) : undefined;
  if (!issueDate) {
    problems.add(
      source && !placed ? "created" : "placed",
      "issue_date",
      "El pedido no tiene una fecha válida (placed o created) de la que tomar la fecha de emisión.",
    );
  }
  return issueDate;
}

/** Factura or Boleta: `receipt_type` decides; absent, a RUC customer gets a Factura. */
function checkReceiptType(order: Order, documentType: IdentityDocumentType | null, problems: Problems) {
  const receiptType = text(order.billing_details?.receipt_type)?.toLowerCase() ?? null;
  if (receiptType === "invoice") return true;
  if (receiptType === "ticket") return false;
  if (receiptType !== null) {
    problems.add(
      "billing_details.receipt_type",
      "receipt_type",
      `El tipo de comprobante "${receiptType}" no es válido: use "invoice" (Factura) o "ticket" (Boleta).`,
    );
  }
  return documentType === "ruc";
}

function checkDocumentNumber(
  documentType: IdentityDocumentType | null,
  documentNumber: string | null,
  problems: Problems,
): void {
  if (!documentType || documentType === "-") return;
  const field = "billing_details.document_number";
  if (!documentNumber) {
    problems.add(
      field,
      "document_number_required",
      "El cliente tiene tipo de documento pero no número de documento.",
    );
  } else if (documentType === "ruc" && !isValidRuc(documentNumber)) {
    problems.add(
      field,
      "ruc_invalid",
      "El RUC del cliente no es válido: debe tener 11 dígitos, empezar con 10, 15, 17 o 20 y tener un dígito verificador correcto.",
    );
  } else if (documentType === "dni" && !isValidDni(documentNumber)) {
    problems.add(field, "dni_invalid", "El DNI del cliente debe tener exactamente 8 dígitos.");
  } else if (documentType !== "ruc" && documentType !== "dni" && !isValidOtherDocument(documentNumber)) {
    problems.add(
      field,
      "document_number_invalid",
      "El número de documento del cliente debe tener de 1 a 15 letras, dígitos o guiones.",
    );
  }
}

/** The customer's name for the receipt and the billing field it came from; whitespace runs become one space. */
function customerName(order: Order, isInvoice: boolean): { value: string; field: string } | null {
  const billing = order.billing_details;
  const company = text(billing?.company);
  const person = [text(billing?.first_name), text(billing?.last_name)].filter(Boolean).join(" ") || null;
  const fromCompany = company ? { value: normaliseName(company), field: "billing_details.company" } : null;
  const fromPerson = person ? { value: normaliseName(person), field: "billing_details.first_name" } : null;
  return isInvoice ? (fromCompany ?? fromPerson) : (fromPerson ?? fromCompany);
}

/**
 * A Boleta above the store's threshold (legally S/ 700.00) must identify the customer: a document other than
 * "-" and the customer's name (without both it would go out to "CLIENTES VARIOS").
 */
export function boletaIdentityProblems(
  customer: { isInvoice: boolean; documentType: IdentityDocumentType; hasName: boolean },
  amountCharged: Decimal,
  currency: string,
  store: StoreConfig,
): ReceiptProblem[] {
  if (customer.isInvoice) return [];
  const configured = store.boleta_identity_thresholds[currency as CurrencyCode];
  if (configured === undefined || !amountCharged.gt(configured)) return [];
  const limit = `${currency === "PEN" ? "S/" : currency} ${formatAmount(configured)}`;
  const problems: ReceiptProblem[] = [];
  if (customer.documentType === "-") {
    problems.push({
      field: "billing_details.document_type",
      rule: "boleta_identity_required",
      message: `Una Boleta por más de ${limit} (esta es de ${formatAmount(amountCharged)}) debe identificar al cliente con DNI u otro documento.`,
    });
  }
  if (!customer.hasName) {
    problems.push({
      field: "billing_details.first_name",
      rule: "boleta_name_required",
      message: `Una Boleta por más de ${limit} (esta es de ${formatAmount(amountCharged)}) debe llevar el nombre del cliente (first_name / last_name).`,
    });
  }
  return problems;
}

function amountTooLarge(field: string, value: Decimal, problems: Problems): void {
  problems.add(
    field,
    "amount_too_large",
    `El importe ${field} (${formatAmount(value)}) excede el máximo que SUNAT admite en un comprobante (999,999,999,999.99).`,
  );
}

/** The order-level figures the receipt is built from, with the field each came from (for messages). */
function orderFigures(order: Order) {
  // Order-level (subtotal) discounts: `global_discounts_total` (named in the seed's text) wins, then the
  // order's `discounts_total` (what the seed's example carries: 100.00, only the subtotal discount), then
  // the sum of the discount applications that target the subtotal.
  const orderDiscount =
    order.global_discounts_total ?? order.discounts_total ?? sumApplications(order, "subtotal") ?? ZERO;
  const shippingDiscount = order.shipping_discounts_total ?? sumApplications(order, "shipping") ?? ZERO;
  return {
    orderDiscount: new Money(orderDiscount),
    orderDiscountField: order.global_discounts_total != null ? "global_discounts_total" : "discounts_total",
    shipping: new Money(order.shipping_total ?? 0),
    shippingDiscount: new Money(shippingDiscount),
  };
}

function sumApplications(order: Order, target: string): Decimal | null {
  const matching = (order.discount_applications ?? []).filter(
    (application) => application.target === target && application.total_allocated != null,
  );
  if (matching.length === 0) return null;
  return sum(matching.map((application) => new Money(application.total_allocated ?? 0)));
}

/**
 * The relations the seed documents between the order's figures. `lines_total` is read either way the seed
 * gives it: its text says Σ line totals, its own example carries Σ line subtotals (before line discounts).
 * Either is accepted; the receipt is determined by the lines and the total, so `subtotal` and `total` are
 * checked against the lines themselves.
 */
function checkOrderRelations(
  order: Order,
  lines: readonly SaleLine[],
  figures: { orderDiscount: Decimal; shipping: Decimal; shippingDiscount: Decimal; statedTotal: Decimal },
  problems: Problems,
): void {
  const { orderDiscount, shipping, shippingDiscount, statedTotal } = figures;
  const linesTotal = sum(lines.map((line) => line.total));
  if (order.lines_total != null) {
    const stated = new Money(order.lines_total);
    const linesSubtotal = sum(lines.map((line) => line.subtotal));
    if (!stated.eq(linesTotal) && !stated.eq(linesSubtotal)) {
      problems.add(
        "lines_total",
        "lines_total_sum",
        `lines_total es ${formatAmount(stated)} pero la suma de los totales de las líneas es ${formatAmount(linesTotal)} (y la de sus subtotales, ${formatAmount(linesSubtotal)}).`,
      );
    }
  }
  if (order.subtotal != null) {
    const subtotal = new Money(order.subtotal);
    const expectedSubtotal = linesTotal.minus(orderDiscount);
    if (!subtotal.eq(expectedSubtotal)) {
      problems.add(
        "subtotal",
        "subtotal_relation",
        `subtotal es ${formatAmount(subtotal)} pero la suma de los totales de las líneas (${formatAmount(linesTotal)}) menos los descuentos del pedido (${formatAmount(orderDiscount)}) da ${formatAmount(expectedSubtotal)}.`,
      );
    }
    const expectedTotal = subtotal.plus(shipping).minus(shippingDiscount);
    if (!statedTotal.eq(expectedTotal)) {
      problems.add(
        "total",
        "total_relation",
        `total es ${formatAmount(statedTotal)} pero subtotal (${formatAmount(subtotal)}) más envío (${formatAmount(shipping)}) menos descuentos de envío (${formatAmount(shippingDiscount)}) da ${formatAmount(expectedTotal)}.`,
      );
    }
  }
  const chargeable = linesTotal.minus(orderDiscount).plus(shipping).minus(shippingDiscount);
  if (!statedTotal.eq(chargeable)) {
    problems.add(
      "total",
      "total_mismatch",
      `Las líneas, descuentos y envío del pedido suman ${formatAmount(chargeable)} pero su total es ${formatAmount(statedTotal)}: el comprobante no puede diferir de lo cobrado.`,
    );
  }
}

interface LineContext {
  bagSkus: ReadonlySet<string>;
  bagRate: Decimal;
  taxesIncluded: boolean;
  store: StoreConfig;
}

function checkLine(line: OrderLine, index: number, context: LineContext, problems: Problems): SaleLine {
  const field = `lines[${index}]`;
  const report = (suffix: string, rule: string, message: string) =>
    problems.add(`${field}${suffix}`, rule, message);
  const label = text(line.name) ?? text(line.sku) ?? `línea ${index + 1}`;
  const quantity = new Money(line.quantity);
  const price = new Money(line.price);
  if (quantity.lte(0))
    report(".quantity", "quantity_positive", `La cantidad de "${label}" debe ser mayor que cero.`);
  if (quantity.decimalPlaces() > UNIT_VALUE_DECIMALS || exceedsAmountLimit(quantity)) {
    report(
      ".quantity",
      "quantity_format",
      `La cantidad de "${label}" (${quantity.toFixed()}) admite hasta ${QUANTITY_INTEGER_DIGITS} dígitos enteros y ${UNIT_VALUE_DECIMALS} decimales.`,
    );
  }
  if (price.isNegative())
    report(".price", "price_negative", `El precio de "${label}" no puede ser negativo.`);
  if (exceedsAmountLimit(price)) amountTooLarge(`${field}.price`, price, problems);
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
  if (exceedsAmountLimit(subtotal)) amountTooLarge(`${field}.subtotal`, subtotal, problems);
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
  const { bagRate, taxesIncluded } = context;
  const isBag = sku !== null && context.bagSkus.has(sku) && bagRate.gt(0);
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
  return {
    field,
    // SUNAT 2027: at most 250 characters; a longer name is shortened (see text.ts), never refused.
    name: shortenDescription(name ?? label),
    sku,
    sunatProductCode: text(line.sunat_product_code) ?? context.store.default_sunat_product_code,
    unit: UNIT.PRODUCT,
    quantity,
    price,
    subtotal,
    discount,
    total,
    bagRate: isBag ? bagRate : null,
    isShipping: false,
  };
}

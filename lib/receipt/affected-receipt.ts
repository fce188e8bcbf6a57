import type Decimal from "decimal.js";
import * as z from "zod/mini";
import "../zod-messages";
import { CURRENCY_NAMES, type CurrencyCode } from "./amount-in-words";
import {
  CREDITABLE_TAX_CODES,
  type CreditableTaxCode,
  DOCUMENT_TYPE,
  IDENTITY_DOCUMENT_CODES,
  type IdentityDocumentCode,
  type IdentityDocumentType,
  OPERATION_TYPE,
  type SaleDocumentTypeCode,
  TAX_AFFECTATION,
  TAX_CODE,
  type TaxCategory,
  UNIT,
} from "./catalogs";
import { peruDate } from "./dates";
import { isIdentityDocumentType } from "./identity";
import { formatAmount, Money, sum, ZERO } from "./money";
import { DecimalSchema, IdSchema, TextSchema } from "./order-schema";
import { type Problems, schemaProblems } from "./problems";
import type { CustomerInformation } from "./receipt-schema";
import type { StoreConfig } from "./store-config";
import { text } from "./text";

/**
 * The sale receipt a credit note modifies, as it was issued: the body this product POSTed (with its reserved
 * series and correlative) or Acelérala's receipt object (`GET /v1/receipts/{id}`, with `document_number`,
 * `created`, SUNAT's flags and fields we do not read). Read liberally (amounts as numbers or strings, product
 * codes as numbers, unknown fields kept), then checked strictly: a note is only built on a receipt whose
 * figures add up, because the note's figures are drawn from them.
 * zod/mini: the worker bundles this module (issue 15).
 */

const OptionalAmount = z.nullish(DecimalSchema);
const OptionalText = z.nullish(TextSchema);
const OptionalId = z.nullish(IdSchema);
const RequiredText = z.string().check(z.minLength(1));
const Flag = z.nullish(z.union([z.boolean(), z.number()]));

const AffectedItemSchema = z.looseObject({
  name: RequiredText,
  sunat_product_code: TextSchema,
  unit: RequiredText,
  quantity: DecimalSchema,
  sales_tax_rate: OptionalAmount,
  /** Catálogo 07; the seed: "por defecto 10". */
  sales_tax_code: z._default(TextSchema, TAX_CODE.TAXED),
  net_total: DecimalSchema,
  taxable_total: OptionalAmount,
  sales_tax_total: OptionalAmount,
  gross_total: OptionalAmount,
  free_unit_price: OptionalAmount,
  free_total: OptionalAmount,
  plastic_tax_factor: OptionalAmount,
  plastic_tax_total: OptionalAmount,
  sku: OptionalText,
});

const AffectedCustomerSchema = z.looseObject({
  name: TextSchema,
  email: OptionalText,
  document_type: OptionalText,
  document_type_code: OptionalText,
  document_number: OptionalText,
  phone: OptionalText,
  address1: OptionalText,
  address2: OptionalText,
  region: OptionalText,
  province: OptionalText,
  district: OptionalText,
  country: OptionalText,
  country_code: OptionalText,
  zip_code: OptionalText,
});

const AffectedReceiptSchema = z.looseObject({
  order_id: OptionalId,
  store_id: OptionalId,
  document_type_code: TextSchema,
  series: OptionalText,
  correlative: OptionalId,
  document_number: OptionalText,
  issue_date: OptionalText,
  created: OptionalText,
  currency_code: TextSchema,
  operation_code: OptionalText,
  advances_total: OptionalAmount,
  other_charges_total: OptionalAmount,
  taxable_total: OptionalAmount,
  exempt_total: OptionalAmount,
  unaffected_total: OptionalAmount,
  sales_tax_total: OptionalAmount,
  gross_total: DecimalSchema,
  sunat_accepted: Flag,
  sunat_revoked: Flag,
  vendor_information: z.nullish(z.looseObject({ document_number: OptionalText })),
  customer_information: AffectedCustomerSchema,
  items: z.array(AffectedItemSchema).check(z.minLength(1)),
});

/** One item of the affected receipt, with what a note may credit on it. */
export interface AffectedLine {
  index: number;
  name: string;
  sunatProductCode: string;
  unit: string;
  sku: string | null;
  taxCode: CreditableTaxCode;
  category: TaxCategory;
  onerous: boolean;
  salesTaxRate: Decimal;
  /** The item reported a taxable_total of zero although it has a value (mirrored on the note's items). */
  zeroTaxableTotal: boolean;
  quantity: Decimal;
  plasticFactor: Decimal | null;
  /** The line's value after its share of the receipt's global discount: what notes may credit in all. */
  creditable: { net: Decimal; igv: Decimal; plastic: Decimal; free: Decimal };
}

export interface AffectedReceipt {
  documentType: SaleDocumentTypeCode;
  documentNumber: string;
  /** The receipt's issue date (YYYY-MM-DD), when it carries one. */
  issueDate: string | null;
  currency: CurrencyCode;
  orderId: number | string | null;
  customer: CustomerInformation;
  grossTotal: Decimal;
  lines: AffectedLine[];
}

/** SUNAT 2117: a Factura's number is F + 3 (or 4 contingency digits) - 1 to 8 digits without leading zeros. */
const AFFECTED_NUMBER: Record<SaleDocumentTypeCode, RegExp> = {
  [DOCUMENT_TYPE.FACTURA]: /^(F[A-Z0-9]{3}|\d{1,4})-[1-9]\d{0,7}$/,
  [DOCUMENT_TYPE.BOLETA]: /^(B[A-Z0-9]{3}|\d{1,4})-[1-9]\d{0,7}$/,
};

const FIELD = "receipt";

function isTruthyFlag(flag: boolean | number | null | undefined): boolean {
  return flag === true || flag === 1;
}

function isFalseFlag(flag: boolean | number | null | undefined): boolean {
  return flag === false || flag === 0;
}

/**
 * Read and check the affected receipt. Problems go to `problems` (fields prefixed `receipt.`); the result is
 * null when the receipt cannot be credited at all.
 */
export function readAffectedReceipt(
  input: unknown,
  store: StoreConfig,
  documentNumberOverride: string | undefined,
  problems: Problems,
): AffectedReceipt | null {
  const parsed = AffectedReceiptSchema.safeParse(input);
  if (!parsed.success) {
    problems.list.push(...schemaProblems(parsed.error, FIELD, FIELD));
    return null;
  }
  const receipt = parsed.data;
  const problemsBefore = problems.list.length;
  const field = (name: string) => `${FIELD}.${name}`;

  const documentType = receipt.document_type_code;
  if (documentType !== DOCUMENT_TYPE.FACTURA && documentType !== DOCUMENT_TYPE.BOLETA) {
    problems.add(
      field("document_type_code"),
      "affected_document_type",
      `Solo se emiten notas de crédito sobre Facturas (01) y Boletas (03); el comprobante es de tipo ${documentType}.`,
    );
    return null;
  }
  if (isFalseFlag(receipt.sunat_accepted)) {
    problems.add(
      field("sunat_accepted"),
      "receipt_not_accepted",
      "El comprobante no fue aceptado por SUNAT: no se le puede emitir una nota de crédito.",
    );
  }
  if (isTruthyFlag(receipt.sunat_revoked)) {
    problems.add(
      field("sunat_revoked"),
      "receipt_revoked",
      "El comprobante fue dado de baja (comunicación de baja): no se le puede emitir una nota de crédito.",
    );
  }
  if (receipt.store_id != null && String(receipt.store_id) !== String(store.store_id)) {
    problems.add(
      field("store_id"),
      "store_mismatch",
      `El comprobante es de la tienda ${receipt.store_id} y la configuración es de la tienda ${store.store_id}.`,
    );
  }
  const vendorRuc = text(receipt.vendor_information?.document_number);
  if (vendorRuc && vendorRuc !== store.vendor_information.document_number) {
    problems.add(
      field("vendor_information.document_number"),
      "vendor_mismatch",
      "El comprobante fue emitido por otro RUC que el de la tienda: la nota debe emitirla el mismo emisor.",
    );
  }
  const currency = receipt.currency_code.trim().toUpperCase();
  if (!Object.hasOwn(CURRENCY_NAMES, currency)) {
    problems.add(
      field("currency_code"),
      "currency",
      `La moneda ${currency} no está soportada (solo PEN y USD).`,
    );
  }
  const operation = text(receipt.operation_code) ?? OPERATION_TYPE.INTERNAL_SALE;
  if (operation !== OPERATION_TYPE.INTERNAL_SALE) {
    problems.add(
      field("operation_code"),
      "operation_not_supported",
      `El comprobante es de una operación ${operation}: solo se emiten notas sobre ventas internas (0101).`,
    );
  }
  for (const name of ["advances_total", "other_charges_total"] as const) {
    if (!new Money(receipt[name] ?? 0).isZero()) {
      problems.add(
        field(name),
        "charges_not_supported",
        `El comprobante tiene ${name} distinto de cero: este producto no emite notas sobre anticipos ni otros cargos.`,
      );
    }
  }

  const documentNumber = affectedNumber(receipt, documentNumberOverride);
  if (!documentNumber) {
    problems.add(
      field("document_number"),
      "affected_document_number_unknown",
      "No se conoce la serie y el número del comprobante (document_number, o series y correlative).",
    );
  } else if (!AFFECTED_NUMBER[documentType].test(documentNumber)) {
    problems.add(
      field("document_number"),
      "affected_document_number_format",
      `La serie y número del comprobante afectado no tienen el formato de SUNAT (2117): ${documentType === DOCUMENT_TYPE.FACTURA ? "F" : "B"} + 3 caracteres, un guion y de 1 a 8 dígitos sin ceros a la izquierda.`,
    );
  }
  const issueDate =
    text(receipt.issue_date) ?? (receipt.created ? (peruDate(receipt.created) ?? null) : null);

  const customer = mirroredCustomer(receipt.customer_information, problems);
  const lines = receipt.items.map((item, index) => readLine(item, index, problems));
  if (problems.list.length > problemsBefore || !documentNumber || !customer) return null;
  const readLines = lines.filter((line): line is ReadLine => line !== null);

  const grossTotal = new Money(receipt.gross_total);
  const creditable = creditableLines(readLines, receipt, store, grossTotal, problems);
  if (!creditable) return null;
  return {
    documentType,
    documentNumber,
    issueDate,
    currency: currency as CurrencyCode,
    orderId: receipt.order_id ?? null,
    customer,
    grossTotal,
    lines: creditable,
  };
}

type AffectedReceiptInput = z.output<typeof AffectedReceiptSchema>;
type AffectedItemInput = z.output<typeof AffectedItemSchema>;

function affectedNumber(receipt: AffectedReceiptInput, override: string | undefined): string | null {
  if (override !== undefined) return override.trim();
  const stated = text(receipt.document_number);
  if (stated) return stated;
  const series = text(receipt.series);
  return series && receipt.correlative != null ? `${series}-${receipt.correlative}` : null;
}

/** The receipt's customer, as the note must carry it (the same person or company). */
function mirroredCustomer(
  customer: z.output<typeof AffectedCustomerSchema>,
  problems: Problems,
): CustomerInformation | null {
  const statedType = text(customer.document_type)?.toLowerCase() ?? null;
  const statedCode = text(customer.document_type_code)?.toUpperCase() ?? null;
  const fromCode =
    Object.entries(IDENTITY_DOCUMENT_CODES).find(([, code]) => code === statedCode)?.[0] ?? null;
  // The code wins when both are present, as the seed says of the receipt's own fields.
  const documentType = (fromCode ??
    (statedType && isIdentityDocumentType(statedType) ? statedType : null)) as IdentityDocumentType | null;
  if (!documentType) {
    problems.add(
      `${FIELD}.customer_information.document_type_code`,
      "identity_document_type",
      "El cliente del comprobante no tiene un tipo de documento del Catálogo 06.",
    );
    return null;
  }
  const code: IdentityDocumentCode = IDENTITY_DOCUMENT_CODES[documentType];
  const nullable = (value: string | null | undefined) => text(value);
  return {
    name: customer.name.trim(),
    email: nullable(customer.email),
    document_type: documentType,
    document_type_code: code,
    document_number: text(customer.document_number) ?? "-",
    phone: nullable(customer.phone),
    address1: nullable(customer.address1),
    address2: nullable(customer.address2),
    region: nullable(customer.region),
    province: nullable(customer.province),
    district: nullable(customer.district),
    country: nullable(customer.country),
    country_code: nullable(customer.country_code),
    zip_code: nullable(customer.zip_code),
  };
}

type ReadLine = Omit<AffectedLine, "creditable"> & {
  net: Decimal;
  igv: Decimal;
  plastic: Decimal;
  free: Decimal;
};

function isCreditableTaxCode(code: string): code is CreditableTaxCode {
  return (CREDITABLE_TAX_CODES as readonly string[]).includes(code);
}

function readLine(item: AffectedItemInput, index: number, problems: Problems): ReadLine | null {
  const field = `${FIELD}.items[${index}]`;
  const taxCode = item.sales_tax_code.trim();
  if (!isCreditableTaxCode(taxCode)) {
    problems.add(
      `${field}.sales_tax_code`,
      "tax_code_not_supported",
      `El ítem ${index + 1} tiene afectación ${taxCode}: este producto emite notas sobre ítems gravados (10), exonerados (20), inafectos (30) y sus transferencias gratuitas.`,
    );
    return null;
  }
  const { category, onerous } = TAX_AFFECTATION[taxCode];
  const quantity = new Money(item.quantity);
  const net = new Money(item.net_total);
  const igv = new Money(item.sales_tax_total ?? 0);
  const plastic = new Money(item.plastic_tax_total ?? 0);
  const free = new Money(item.free_total ?? 0);
  // The factor is the tax per bag; a receipt that gives only the total still says it (total / bags).
  const plasticFactor =
    item.plastic_tax_factor != null
      ? new Money(item.plastic_tax_factor)
      : plastic.isZero()
        ? null
        : plastic.div(quantity);
  const amounts = [quantity, net, igv, plastic, free];
  if (amounts.some((amount) => amount.isNegative()) || !quantity.gt(0)) {
    problems.add(
      field,
      "receipt_line_inconsistent",
      `El ítem ${index + 1} tiene cantidades o importes negativos o cero.`,
    );
    return null;
  }
  if ([net, igv, plastic, free].some((amount) => amount.decimalPlaces() > 2)) {
    problems.add(
      field,
      "receipt_line_inconsistent",
      `El ítem ${index + 1} tiene importes con más de 2 decimales.`,
    );
    return null;
  }
  if (onerous) {
    // The gross may or may not include the bags' ICBPER: either reading adds up.
    const gross = item.gross_total != null ? new Money(item.gross_total) : net.plus(igv);
    if (!gross.eq(net.plus(igv)) && !gross.eq(net.plus(igv).plus(plastic))) {
      problems.add(
        field,
        "receipt_line_inconsistent",
        `El ítem ${index + 1}: valor (${formatAmount(net)}) más IGV (${formatAmount(igv)}) no da su total (${formatAmount(gross)}).`,
      );
      return null;
    }
    if (category !== "gravado" && !igv.isZero()) {
      problems.add(field, "receipt_line_inconsistent", `El ítem ${index + 1} es ${category} pero lleva IGV.`);
      return null;
    }
  } else if (!net.isZero() || !igv.isZero()) {
    problems.add(
      field,
      "receipt_line_inconsistent",
      `El ítem ${index + 1} es gratuito pero tiene valor de venta.`,
    );
    return null;
  }
  if (plasticFactor && !plastic.eq(quantity.times(plasticFactor))) {
    problems.add(
      field,
      "receipt_line_inconsistent",
      `El ítem ${index + 1}: su ICBPER (${formatAmount(plastic)}) no es bolsas × tasa.`,
    );
    return null;
  }
  const taxable = item.taxable_total != null ? new Money(item.taxable_total) : null;
  return {
    index,
    name: item.name.trim(),
    sunatProductCode: item.sunat_product_code.trim(),
    unit: item.unit.trim(),
    sku: text(item.sku),
    taxCode,
    category,
    onerous,
    salesTaxRate: new Money(item.sales_tax_rate ?? (category === "gravado" ? 18 : 0)),
    zeroTaxableTotal: (taxable?.isZero() ?? false) && !net.isZero(),
    quantity,
    plasticFactor: plastic.isZero() ? null : plasticFactor,
    net,
    igv,
    plastic,
    free,
  };
}

/**
 * What notes may credit on each line: the line's value less its share of the receipt's global discount. The
 * discount of each Catálogo 07 family (its lines' Σ net less the family's total; the IGV's likewise) is spread
 * over the family's lines in proportion to their net (and IGV), with the cents reconciled exactly, so the
 * lines' creditable values add up to the receipt's totals. The store's shipping line is left out of the
 * spread when other lines can take it, as the sale builder leaves it out of the order discount's base.
 */
function creditableLines(
  lines: readonly ReadLine[],
  receipt: AffectedReceiptInput,
  store: StoreConfig,
  grossTotal: Decimal,
  problems: Problems,
): AffectedLine[] | null {
  const families: { category: TaxCategory; stated: Decimal.Value | null | undefined }[] = [
    { category: "gravado", stated: receipt.taxable_total },
    { category: "exonerado", stated: receipt.exempt_total },
    { category: "inafecto", stated: receipt.unaffected_total },
  ];
  const creditableNet = new Map<number, Decimal>();
  const creditableIgv = new Map<number, Decimal>();
  for (const line of lines) {
    creditableNet.set(line.index, line.net);
    creditableIgv.set(line.index, line.igv);
  }
  const isShipping = (line: ReadLine) =>
    line.unit === UNIT.SERVICE && line.sku === null && line.name === store.shipping.name;

  for (const { category, stated } of families) {
    const family = lines.filter((line) => line.onerous && line.category === category);
    const familyNet = sum(family.map((line) => line.net));
    const total = stated != null ? new Money(stated) : familyNet;
    const netDiscount = familyNet.minus(total);
    const familyIgv = sum(family.map((line) => line.igv));
    const igvDiscount =
      category === "gravado" ? familyIgv.minus(new Money(receipt.sales_tax_total ?? familyIgv)) : ZERO;
    if (
      netDiscount.isNegative() ||
      igvDiscount.isNegative() ||
      netDiscount.gt(familyNet) ||
      igvDiscount.gt(familyIgv)
    ) {
      problems.add(
        `${FIELD}.${category === "gravado" ? "taxable_total" : category === "exonerado" ? "exempt_total" : "unaffected_total"}`,
        "receipt_totals_inconsistent",
        `Los totales del comprobante no corresponden a sus ítems (${category}: ítems ${formatAmount(familyNet)}, total ${formatAmount(total)}).`,
      );
      return null;
    }
    if (netDiscount.isZero() && igvDiscount.isZero()) continue;
    const products = family.filter((line) => !isShipping(line));
    const productsCanTakeIt =
      sum(products.map((line) => line.net)).gte(netDiscount) &&
      sum(products.map((line) => line.igv)).gte(igvDiscount);
    const base = products.length > 0 && productsCanTakeIt ? products : family;
    const netShares = spreadInCents(
      netDiscount,
      base.map((line) => line.net),
    );
    const igvShares = spreadInCents(
      igvDiscount,
      base.map((line) => line.igv),
    );
    base.forEach((line, position) => {
      creditableNet.set(line.index, line.net.minus(netShares[position] ?? ZERO));
      creditableIgv.set(line.index, line.igv.minus(igvShares[position] ?? ZERO));
    });
  }

  const result = lines.map(
    ({ net: _net, igv: _igv, plastic, free, ...line }): AffectedLine => ({
      ...line,
      creditable: {
        net: creditableNet.get(line.index) ?? ZERO,
        igv: creditableIgv.get(line.index) ?? ZERO,
        plastic,
        free,
      },
    }),
  );
  const linesGross = sum(
    result.map(({ creditable }) => creditable.net.plus(creditable.igv).plus(creditable.plastic)),
  );
  if (!linesGross.eq(grossTotal)) {
    problems.add(
      `${FIELD}.gross_total`,
      "receipt_totals_inconsistent",
      `El total del comprobante (${formatAmount(grossTotal)}) no es la suma de sus ítems menos descuentos globales más ICBPER (${formatAmount(linesGross)}).`,
    );
    return null;
  }
  return result;
}

/**
 * `amount` (a cent multiple) split over `weights` in proportion, in whole cents, the shares adding up to
 * `amount` exactly (largest remainder: each share is its exact part rounded down, and the cents left go to
 * the largest fractions, the earlier line first on a tie). No share exceeds its weight when amount ≤ Σ weights.
 */
export function spreadInCents(amount: Decimal, weights: readonly Decimal[]): Decimal[] {
  const total = sum(weights);
  if (total.isZero()) return weights.map(() => ZERO);
  const amountCents = amount.times(100);
  const exact = weights.map((weight) => amountCents.times(weight).div(total));
  const floors = exact.map((share) => share.floor());
  let left = amountCents.minus(sum(floors)).toNumber();
  const order = exact
    .map((share, index) => ({ index, fraction: share.minus(floors[index] ?? ZERO) }))
    .filter(({ fraction }) => fraction.gt(0))
    .sort((a, b) => b.fraction.comparedTo(a.fraction) || a.index - b.index);
  const shares = floors.slice();
  for (const { index } of order) {
    if (left <= 0) break;
    shares[index] = (shares[index] ?? ZERO).plus(1);
    left -= 1;
  }
  return shares.map((share) => share.div(100));
}

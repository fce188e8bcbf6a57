import * as z from "zod/mini";
import "../zod-messages";
import {
  CREDIT_NOTE_MOTIVE,
  CREDITABLE_TAX_CODES,
  DISCOUNT_TYPE,
  DOCUMENT_TYPE,
  IDENTITY_DOCUMENT_CODES,
  OPERATION_TYPE,
  TAX_CODE,
  UNIT,
} from "./catalogs";
import { VendorInformationSchema } from "./store-config";
import { IGV_PERCENT } from "./taxes";

/**
 * The receipt we ask Acelérala to issue (`POST /v1/receipts`), with the field names of the seed's receipt
 * object (the accepted Factura F777-36862 near the end of 002_…). Amounts are JSON numbers with at most 2
 * decimals (unit values up to 10), exactly as the seed's example carries them; they are computed with
 * decimal arithmetic and never exceed 15 significant digits, so a JSON parser reads back the exact decimal.
 * zod/mini: the worker bundles this module (issue 15).
 */

const Amount = z.number();
const NullableAmount = z.nullable(Amount);
const RequiredText = z.string().check(z.minLength(1));
const NullableText = z.nullable(z.string());

/** The keys of a catalogue, as the non-empty tuple z.enum wants. */
function keysOf<K extends string>(catalogue: Record<K, unknown>): [K, ...K[]] {
  return Object.keys(catalogue) as [K, ...K[]];
}

/** Catálogo 53: `00` line discount that affects the line's base; `02` global discount that affects the base. */
export const ReceiptDiscountSchema = z.object({
  code: z.enum([DISCOUNT_TYPE.LINE_AFFECTS_BASE, DISCOUNT_TYPE.GLOBAL_AFFECTS_BASE]),
  /** The net (pre-IGV) amount the discount applied to. */
  net_base: Amount,
  /** The gross (IGV-inclusive) amount the discount applied to. */
  gross_base: Amount,
  /** net_amount / net_base × 100, 5 decimals (informative; the amounts are authoritative). */
  percentage: Amount,
  net_amount: Amount,
  gross_amount: Amount,
});

/**
 * An item as a document carries it. Sale receipts write the narrower ReceiptItemSchema; a credit note mirrors
 * the affected receipt's items, whose unit and Catálogo 07 code may be any the API accepted.
 */
export const DocumentItemSchema = z.object({
  name: RequiredText,
  sunat_product_code: RequiredText,
  /** Catálogo 03 unit: NIU product, ZZ service, … */
  unit: RequiredText,
  quantity: Amount,
  sales_tax_rate: Amount,
  /** Catálogo 07 (the families a credit note can mirror). */
  sales_tax_code: z.enum(CREDITABLE_TAX_CODES),
  net_unit_price: Amount,
  net_subtotal: Amount,
  net_discounts_total: Amount,
  net_total: Amount,
  taxable_total: Amount,
  sales_tax_total: Amount,
  gross_unit_price: Amount,
  gross_subtotal: Amount,
  gross_discounts_total: Amount,
  gross_total: Amount,
  free_unit_price: Amount,
  free_total: Amount,
  plastic_tax_factor: NullableAmount,
  plastic_tax_total: NullableAmount,
  sku: NullableText,
  discounts: z.array(ReceiptDiscountSchema),
});

export const ReceiptItemSchema = z.extend(DocumentItemSchema, {
  /** NIU: product; ZZ: service (the shipping line). */
  unit: z.enum([UNIT.PRODUCT, UNIT.SERVICE]),
  sales_tax_rate: z.literal(IGV_PERCENT),
  /** Catálogo 07: `10` gravado (onerosa); `15` gravado – bonificaciones (free lines). */
  sales_tax_code: z.enum([TAX_CODE.TAXED, TAX_CODE.FREE_BONUS]),
});

export const LegendSchema = z.object({
  /** Catálogo 52: 1000 total in words; 1002 free transfer. A number, as in the seed's example. */
  code: z.number().check(z.int()),
  value: z.string().check(z.minLength(1), z.maxLength(200)),
});

export const CustomerInformationSchema = z.object({
  name: RequiredText,
  email: NullableText,
  document_type: z.enum(keysOf(IDENTITY_DOCUMENT_CODES)),
  document_type_code: z.enum(IDENTITY_DOCUMENT_CODES),
  document_number: RequiredText,
  phone: NullableText,
  address1: NullableText,
  address2: NullableText,
  region: NullableText,
  province: NullableText,
  district: NullableText,
  country: NullableText,
  country_code: NullableText,
  zip_code: NullableText,
});

export const ReceiptSchema = z.object({
  order_id: z.union([z.number(), z.string()]),
  store_id: z.number().check(z.int()),
  /** Catálogo 01: `01` Factura, `03` Boleta de venta. */
  document_type_code: z.enum([DOCUMENT_TYPE.FACTURA, DOCUMENT_TYPE.BOLETA]),
  series: z.string(),
  /** Present when the caller reserved the number; absent → Acelérala assigns the next one. */
  correlative: z.optional(z.number().check(z.int(), z.positive())),
  /** Fecha de emisión, YYYY-MM-DD in Peru time (UTC−5). Not in the seed's example: see sale-receipt.ts. */
  issue_date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  currency_code: z.enum(["PEN", "USD"]),
  /** Catálogo 51: 0101 venta interna. */
  operation_code: z.literal(OPERATION_TYPE.INTERNAL_SALE),
  advances_total: Amount,
  global_discounts_net_total: Amount,
  global_discounts_gross_total: Amount,
  other_charges_total: Amount,
  items_net_total: Amount,
  taxable_total: Amount,
  exempt_total: Amount,
  unaffected_total: Amount,
  sales_tax_total: Amount,
  free_sales_tax_total: Amount,
  free_total: Amount,
  net_total: Amount,
  taxes_total: Amount,
  gross_total: Amount,
  legends: z.array(LegendSchema).check(z.minLength(1)),
  vendor_information: VendorInformationSchema,
  customer_information: CustomerInformationSchema,
  global_discounts: z.array(ReceiptDiscountSchema),
  items: z.array(ReceiptItemSchema).check(z.minLength(1)),
  advances: z.array(z.never()),
  detraction: z.null(),
});

/**
 * A Nota de crédito (07), the body of `POST /v1/receipts` with the seed's note fields. Its items mirror the
 * affected receipt's (any Catálogo 07 family a note can carry).
 */
export const CreditNoteSchema = z.extend(ReceiptSchema, {
  document_type_code: z.literal(DOCUMENT_TYPE.NOTA_DE_CREDITO),
  /** Catálogo 01 of the receipt the note modifies. */
  affected_document_type_code: z.enum([DOCUMENT_TYPE.FACTURA, DOCUMENT_TYPE.BOLETA]),
  /** SERIES-NUMBER of the receipt the note modifies (SUNAT 2117). */
  affected_document_number: z.string().check(z.regex(/^([FB][A-Z0-9]{3}|\d{1,4})-[1-9]\d{0,7}$/)),
  /** Catálogo 09. */
  note_motive_code: z.enum(keysOf(CREDIT_NOTE_MOTIVE)),
  note_motive_description: z.string().check(z.minLength(1), z.maxLength(500)),
  items: z.array(DocumentItemSchema).check(z.minLength(1)),
});

export type Receipt = z.output<typeof ReceiptSchema>;
export type ReceiptItem = z.output<typeof ReceiptItemSchema>;
export type DocumentItem = z.output<typeof DocumentItemSchema>;
export type ReceiptDiscount = z.output<typeof ReceiptDiscountSchema>;
export type CustomerInformation = z.output<typeof CustomerInformationSchema>;
export type CreditNote = z.output<typeof CreditNoteSchema>;

import * as z from "zod";
import { Money } from "./money";

/**
 * The Acelérala order, as the API reference (seed 002_…) documents it and as real payloads look: amounts
 * come as strings ("100.00") or numbers (100.00), phones and zip codes as numbers, optional fields as null,
 * and objects carry fields we do not know (and the seed's own typos, e.g. `desctiption`). Every object is
 * loose (unknown fields are kept, never refused) and every amount is normalised to a plain decimal string, so
 * nothing downstream ever sees a binary float.
 *
 * The schema checks shape only. Business rules (negative prices, totals that do not add up, identity
 * documents, …) are checked by `buildReceipt`, which names the field and the rule in the merchant's terms.
 */

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** An amount or quantity: "100.00", 100, 100.5 → "100.00", "100", "100.5" (exact decimal text). */
export const DecimalSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const text =
    typeof value === "number" ? (Number.isFinite(value) ? new Money(value).toFixed() : "") : value.trim();
  if (!DECIMAL_TEXT.test(text)) {
    ctx.addIssue({ code: "custom", message: "se esperaba un número decimal, p. ej. 100.00" });
    return z.NEVER;
  }
  return text;
});

/** Text that real payloads sometimes send as a number (phone 991231231, zip_code 15035). */
export const TextSchema = z.union([z.string(), z.number()]).transform((value) => String(value));
const OptionalText = TextSchema.nullish();
const OptionalAmount = DecimalSchema.nullish();
/** An identifier the API sends as a number or a string. */
export const IdSchema = z.union([z.number(), z.string()]);

export const BillingDetailsSchema = z.looseObject({
  first_name: OptionalText,
  last_name: OptionalText,
  company: OptionalText,
  email: OptionalText,
  /** "invoice" (Factura) or "ticket" (Boleta); absent → decided by the customer's document type. */
  receipt_type: OptionalText,
  /** Seed words: dni, ce, passport, -, ruc, cdi, nd, dnind, tin, in, tam. */
  document_type: OptionalText,
  document_number: OptionalText,
  phone: OptionalText,
  address1: OptionalText,
  address2: OptionalText,
  city: OptionalText,
  province: OptionalText,
  district: OptionalText,
  country: OptionalText,
  country_code: OptionalText,
  zip_code: OptionalText,
});

export const DiscountAllocationSchema = z.looseObject({
  discount_id: IdSchema.nullish(),
  amount: DecimalSchema,
});

export const OrderLineSchema = z.looseObject({
  id: IdSchema.nullish(),
  object: OptionalText,
  product_id: IdSchema.nullish(),
  alternative_id: IdSchema.nullish(),
  name: OptionalText,
  sku: OptionalText,
  sunat_product_code: OptionalText,
  quantity: DecimalSchema,
  /** Unit price; tax-inclusive when the order's `taxes_included` is true. */
  price: DecimalSchema,
  /** price × quantity, when the payload carries it. */
  subtotal: OptionalAmount,
  discounts_total: OptionalAmount,
  discount_allocations: z.array(DiscountAllocationSchema).nullish(),
  /** subtotal − discounts_total, when the payload carries it. */
  total: OptionalAmount,
});

export const DiscountApplicationSchema = z.looseObject({
  id: IdSchema.nullish(),
  discount_id: IdSchema.nullish(),
  name: OptionalText,
  label: OptionalText,
  description: OptionalText,
  /** The seed's spelling. */
  desctiption: OptionalText,
  value: OptionalAmount,
  value_type: OptionalText,
  /** subtotal | products | categories | shipping. */
  target: OptionalText,
  allocation_trigger: OptionalText,
  total_allocated: OptionalAmount,
});

export const OrderSchema = z.looseObject({
  id: IdSchema,
  object: OptionalText,
  store_id: IdSchema.nullish(),
  currency_code: z.string().transform((code) => code.trim().toUpperCase()),
  payment_status: OptionalText,
  billing_details: BillingDetailsSchema.nullish(),
  shipping_address: z.looseObject({}).nullish(),
  lines: z.array(OrderLineSchema),
  discount_applications: z.array(DiscountApplicationSchema).nullish(),
  /** Order-level (not line) discounts: the seed's example carries them here (100.00 on the subtotal). */
  discounts_total: OptionalAmount,
  /** The seed's text names the same figure `global_discounts_total`; it wins when both are present. */
  global_discounts_total: OptionalAmount,
  /** Discounts on the shipping cost (the seed describes the figure but shows no field name). */
  shipping_discounts_total: OptionalAmount,
  /** Absent → true: Acelérala prices include IGV unless the order says otherwise. */
  taxes_included: z.boolean().nullish(),
  lines_total: OptionalAmount,
  subtotal: OptionalAmount,
  shipping_total: OptionalAmount,
  total: DecimalSchema,
  note: OptionalText,
  created: OptionalText,
  modified: OptionalText,
  placed: OptionalText,
  fulfilled: OptionalText,
  canceled: OptionalText,
  fulfillment_details: z.looseObject({ status: OptionalText }).nullish(),
});

export type Order = z.output<typeof OrderSchema>;
export type OrderInput = z.input<typeof OrderSchema>;
export type OrderLine = z.output<typeof OrderLineSchema>;
export type BillingDetails = z.output<typeof BillingDetailsSchema>;

import * as z from "zod/mini";
import "../zod-messages";
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
 * zod/mini: the worker bundles this module (issue 15).
 */

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** An amount or quantity: "100.00", 100, 100.5 → "100.00", "100", "100.5" (exact decimal text). */
export const DecimalSchema = z.pipe(
  z.union([z.number(), z.string()]),
  z.transform((value: number | string, context) => {
    const text =
      typeof value === "number" ? (Number.isFinite(value) ? new Money(value).toFixed() : "") : value.trim();
    if (!DECIMAL_TEXT.test(text)) {
      context.issues.push({
        code: "custom",
        message: "se esperaba un número decimal, p. ej. 100.00",
        input: value,
      });
      return z.NEVER;
    }
    return text;
  }),
);

/** Text that real payloads sometimes send as a number (phone 991231231, zip_code 15035). */
export const TextSchema = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((value: string | number) => String(value)),
);
const OptionalText = z.nullish(TextSchema);
const OptionalAmount = z.nullish(DecimalSchema);
/** An identifier the API sends as a number or a string. */
export const IdSchema = z.union([z.number(), z.string()]);
const OptionalId = z.nullish(IdSchema);

/** " pen " → "PEN". */
const CurrencyCodeSchema = z.pipe(
  z.string(),
  z.transform((code: string) => code.trim().toUpperCase()),
);

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
  discount_id: OptionalId,
  amount: DecimalSchema,
});

export const OrderLineSchema = z.looseObject({
  id: OptionalId,
  object: OptionalText,
  product_id: OptionalId,
  alternative_id: OptionalId,
  name: OptionalText,
  sku: OptionalText,
  sunat_product_code: OptionalText,
  quantity: DecimalSchema,
  /** Unit price; tax-inclusive when the order's `taxes_included` is true. */
  price: DecimalSchema,
  /** price × quantity, when the payload carries it. */
  subtotal: OptionalAmount,
  discounts_total: OptionalAmount,
  discount_allocations: z.nullish(z.array(DiscountAllocationSchema)),
  /** subtotal − discounts_total, when the payload carries it. */
  total: OptionalAmount,
});

export const DiscountApplicationSchema = z.looseObject({
  id: OptionalId,
  discount_id: OptionalId,
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
  store_id: OptionalId,
  currency_code: CurrencyCodeSchema,
  payment_status: OptionalText,
  billing_details: z.nullish(BillingDetailsSchema),
  shipping_address: z.nullish(z.looseObject({})),
  lines: z.array(OrderLineSchema),
  discount_applications: z.nullish(z.array(DiscountApplicationSchema)),
  /** Order-level (not line) discounts: the seed's example carries them here (100.00 on the subtotal). */
  discounts_total: OptionalAmount,
  /** The seed's text names the same figure `global_discounts_total`; it wins when both are present. */
  global_discounts_total: OptionalAmount,
  /** Discounts on the shipping cost (the seed describes the figure but shows no field name). */
  shipping_discounts_total: OptionalAmount,
  /** Absent → true: Acelérala prices include IGV unless the order says otherwise. */
  taxes_included: z.nullish(z.boolean()),
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
  fulfillment_details: z.nullish(z.looseObject({ status: OptionalText })),
});

export type Order = z.output<typeof OrderSchema>;
export type OrderInput = z.input<typeof OrderSchema>;
export type OrderLine = z.output<typeof OrderLineSchema>;
export type BillingDetails = z.output<typeof BillingDetailsSchema>;

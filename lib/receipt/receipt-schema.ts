import * as z from "zod";
import { VendorInformationSchema } from "./store-config";

/**
 * The receipt we ask Acelérala to issue (`POST /v1/receipts`), with the field names of the seed's receipt
 * object (the accepted Factura F777-36862 near the end of 002_…). Amounts are JSON numbers with at most 2
 * decimals (unit values up to 10), exactly as the seed's example carries them; they are computed with
 * decimal arithmetic and never exceed 15 significant digits, so a JSON parser reads back the exact decimal.
 */

const Amount = z.number();

/** Catálogo 53: `00` line discount that affects the line's base; `02` global discount that affects the base. */
export const ReceiptDiscountSchema = z.object({
  code: z.enum(["00", "02"]),
  /** The net (pre-IGV) amount the discount applied to. */
  net_base: Amount,
  /** The gross (IGV-inclusive) amount the discount applied to. */
  gross_base: Amount,
  /** net_amount / net_base × 100, 5 decimals (informative; the amounts are authoritative). */
  percentage: Amount,
  net_amount: Amount,
  gross_amount: Amount,
});

export const ReceiptItemSchema = z.object({
  name: z.string().min(1),
  sunat_product_code: z.string().min(1),
  /** NIU: product; ZZ: service (the shipping line). */
  unit: z.enum(["NIU", "ZZ"]),
  quantity: Amount,
  sales_tax_rate: z.literal(18),
  /** Catálogo 07: `10` gravado (onerosa); `15` gravado – bonificaciones (free lines). */
  sales_tax_code: z.enum(["10", "15"]),
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
  plastic_tax_factor: Amount.nullable(),
  plastic_tax_total: Amount.nullable(),
  sku: z.string().nullable(),
  discounts: z.array(ReceiptDiscountSchema),
});

export const LegendSchema = z.object({
  /** Catálogo 52: 1000 total in words; 1002 free transfer. A number, as in the seed's example. */
  code: z.number().int(),
  value: z.string().min(1).max(200),
});

export const CustomerInformationSchema = z.object({
  name: z.string().min(1),
  email: z.string().nullable(),
  document_type: z.enum(["ruc", "dni", "-", "ce", "passport", "cdi", "nd", "dnind", "tin", "in", "tam"]),
  document_type_code: z.enum(["6", "1", "-", "4", "7", "A", "0", "B", "C", "D", "E"]),
  document_number: z.string().min(1),
  phone: z.string().nullable(),
  address1: z.string().nullable(),
  address2: z.string().nullable(),
  region: z.string().nullable(),
  province: z.string().nullable(),
  district: z.string().nullable(),
  country: z.string().nullable(),
  country_code: z.string().nullable(),
  zip_code: z.string().nullable(),
});

export const ReceiptSchema = z.object({
  order_id: z.union([z.number(), z.string()]),
  store_id: z.number().int(),
  /** Catálogo 01: `01` Factura, `03` Boleta de venta. */
  document_type_code: z.enum(["01", "03"]),
  series: z.string(),
  /** Present when the caller reserved the number; absent → Acelérala assigns the next one. */
  correlative: z.number().int().positive().optional(),
  /** Fecha de emisión, YYYY-MM-DD in Peru time (UTC−5). Not in the seed's example: see build-receipt.ts. */
  issue_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  currency_code: z.enum(["PEN", "USD"]),
  /** Catálogo 51: 0101 venta interna. */
  operation_code: z.literal("0101"),
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
  legends: z.array(LegendSchema).min(1),
  vendor_information: VendorInformationSchema,
  customer_information: CustomerInformationSchema,
  global_discounts: z.array(ReceiptDiscountSchema),
  items: z.array(ReceiptItemSchema).min(1),
  advances: z.array(z.never()),
  detraction: z.null(),
});

export type Receipt = z.output<typeof ReceiptSchema>;
export type ReceiptItem = z.output<typeof ReceiptItemSchema>;
export type ReceiptDiscount = z.output<typeof ReceiptDiscountSchema>;
export type CustomerInformation = z.output<typeof CustomerInformationSchema>;

/** A rule the order breaks: which field, which rule, and a message the merchant understands (Spanish). */
export interface ReceiptProblem {
  /** Path in the order (`lines[0].price`, `billing_details.document_number`, `total`) or the store (`series`). */
  field: string;
  /** Stable identifier of the rule, for code and dashboards (`invoice_requires_ruc`, `total_mismatch`, …). */
  rule: string;
  message: string;
}

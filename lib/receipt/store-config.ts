import * as z from "zod/mini";
import "../zod-messages";
import { isValidRuc } from "./identity";

/**
 * Per-store configuration: who issues the receipts (the vendor), with which series, and the choices the
 * order does not carry. Stores are configured in a JSON file holding an ARRAY of these (config/stores.json,
 * or the file named by STORES_CONFIG_PATH); reading the file is the caller's job, this module is pure.
 * zod/mini: the worker bundles this module (issue 15).
 */

/** Factura series: F + 3 alphanumerics; Boleta: B + 3; contingency: 4 digits (SUNAT, Catálogo 01 notes). */
export const INVOICE_SERIES = /^(F[A-Z0-9]{3}|\d{4})$/;
export const TICKET_SERIES = /^(B[A-Z0-9]{3}|\d{4})$/;

/** The series of credit notes when the store names none. */
export const DEFAULT_CREDIT_SERIES = { invoice: "FC01", ticket: "BC01" } as const;

const AmountText = z
  .string()
  .check(z.regex(/^\d+(\.\d{1,2})?$/, "importe con hasta 2 decimales, p. ej. 700.00"));
const NullableText = z._default(z.nullish(z.string()), null);
const RequiredText = z.string().check(z.minLength(1));
/** A series that must match `pattern`, else `message`. */
const seriesText = (pattern: RegExp, message: string) => z.string().check(z.regex(pattern, message));
/** Days a receipt may be late: 0 to 30, 3 by default. */
const DaysLate = z._default(z.number().check(z.int(), z.gte(0), z.lte(30)), 3);

/** The issuer, in the seed receipt's `vendor_information` shape. */
export const VendorInformationSchema = z.looseObject({
  /** Razón social as registered with SUNAT. */
  name: RequiredText,
  /** Nombre comercial. */
  brand: NullableText,
  document_number: z
    .string()
    .check(
      z.refine(isValidRuc, { message: "RUC del emisor inválido (11 dígitos, prefijo y dígito verificador)" }),
    ),
  email_recipients: NullableText,
  address1: NullableText,
  address2: NullableText,
  region: NullableText,
  province: NullableText,
  district: NullableText,
  country: NullableText,
  country_code: NullableText,
  ubigeo: NullableText,
});

/** When an order gets its receipt. Default: placed and fully paid. Cancelled orders never do. */
export const IssuePolicySchema = z.object({
  require_placed: z._default(z.boolean(), true),
  payment_statuses: z._default(z.array(RequiredText).check(z.minLength(1)), ["paid"]),
});

/**
 * How late a receipt may still carry the sale's date. SUNAT takes a Factura (and its notes) on its issue date
 * or up to 3 calendar days after it (Resolución de Superintendencia N.° 000003-2023/SUNAT); for Boletas, public
 * sources give 3 (individual sending, daily summaries since RS 000193-2020/SUNAT) or 7 days: the stricter 3 is
 * the default. Past the window, the receipt is dated today (Peru), and its history says so.
 */
export const IssueDatePolicySchema = z.object({
  max_days_late: z._default(z.object({ invoice: DaysLate, ticket: DaysLate }), { invoice: 3, ticket: 3 }),
});

export const StoreConfigSchema = z.object({
  store_id: z.number().check(z.int(), z.positive()),
  vendor_information: VendorInformationSchema,
  series: z.object({
    /** Factura (01). */
    invoice: seriesText(INVOICE_SERIES, "serie de Factura: F + 3 alfanuméricos, o 4 dígitos (contingencia)"),
    /** Boleta de venta (03). */
    ticket: seriesText(TICKET_SERIES, "serie de Boleta: B + 3 alfanuméricos, o 4 dígitos (contingencia)"),
    /** Notas de crédito on a Factura: an F series too (SUNAT 2116). */
    credit_invoice: z._default(
      seriesText(
        INVOICE_SERIES,
        "serie de notas de Factura: F + 3 alfanuméricos, o 4 dígitos (contingencia)",
      ),
      DEFAULT_CREDIT_SERIES.invoice,
    ),
    /** Notas de crédito on a Boleta: a B series too (SUNAT 2399). */
    credit_ticket: z._default(
      seriesText(TICKET_SERIES, "serie de notas de Boleta: B + 3 alfanuméricos, o 4 dígitos (contingencia)"),
      DEFAULT_CREDIT_SERIES.ticket,
    ),
  }),
  /** SUNAT product code (catálogo de productos / UNSPSC) for lines that carry none. */
  default_sunat_product_code: RequiredText,
  /** The service line that carries the shipping cost (unit ZZ). */
  shipping: z._default(
    z.object({
      name: z._default(RequiredText, "Servicio de envío"),
      /** UNSPSC 78102203: servicios de envío, recogida o entrega de correo/paquetes. */
      sunat_product_code: z._default(RequiredText, "78102203"),
    }),
    { name: "Servicio de envío", sunat_product_code: "78102203" },
  ),
  /** SKUs of the plastic bags subject to ICBPER; the line's quantity is the number of bags. */
  icbper_skus: z._default(z.array(RequiredText), []),
  issue_policy: z._default(IssuePolicySchema, { require_placed: true, payment_statuses: ["paid"] }),
  issue_date: z._default(IssueDatePolicySchema, { max_days_late: { invoice: 3, ticket: 3 } }),
  /**
   * A Boleta above this total must identify the customer. The legal threshold is S/ 700.00; for USD the
   * store sets the equivalent it wants to apply (default 175.00, i.e. S/ 700 at an exchange rate of 4.00,
   * which errs on the side of asking for the document).
   */
  boleta_identity_thresholds: z._default(
    z.object({ PEN: z._default(AmountText, "700.00"), USD: z._default(AmountText, "175.00") }),
    { PEN: "700.00", USD: "175.00" },
  ),
});

export type StoreConfig = z.output<typeof StoreConfigSchema>;
export type StoreConfigInput = z.input<typeof StoreConfigSchema>;
export type VendorInformation = z.output<typeof VendorInformationSchema>;
export type IssuePolicy = z.output<typeof IssuePolicySchema>;
export type IssueDatePolicy = z.output<typeof IssueDatePolicySchema>;

/** The stores file: an array of store configurations with distinct store_id. */
export const StoreConfigListSchema = z.array(StoreConfigSchema).check(
  z.minLength(1),
  z.superRefine((stores: StoreConfig[], ctx) => {
    const seen = new Set<number>();
    for (const [index, store] of stores.entries()) {
      if (seen.has(store.store_id)) {
        ctx.addIssue({
          code: "custom",
          path: [index, "store_id"],
          message: `store_id ${store.store_id} repetido`,
        });
      }
      seen.add(store.store_id);
    }
  }),
);

/** Parse the stores file's content (already JSON-parsed); throws a ZodError naming the bad field. */
export function parseStoreConfigs(value: unknown): StoreConfig[] {
  return StoreConfigListSchema.parse(value);
}

/** The store whose store_id matches (numbers and numeric strings compare equal). */
export function findStoreConfig(
  stores: readonly StoreConfig[],
  storeId: number | string | null | undefined,
): StoreConfig | undefined {
  if (storeId === null || storeId === undefined) return undefined;
  return stores.find((store) => String(store.store_id) === String(storeId));
}

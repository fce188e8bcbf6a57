import * as z from "zod/mini";
import "../zod-messages";

/**
 * Minimal response schemas: only the fields this system reads are checked; everything else passes through
 * untouched (loose objects), so the receipt builder can validate an order with its own, stricter schema.
 * zod/mini: the worker and the poller bundle this module (issue 15).
 */

/** Acelérala ids are integers in the reference; a string id is tolerated rather than refused. */
export const AceleralaIdSchema = z.union([
  z.number().check(z.int(), z.nonnegative()),
  z.string().check(z.minLength(1)),
]);
export type AceleralaId = z.infer<typeof AceleralaIdSchema>;

/** 0/1 flags in the reference (`sunat_acknowledged: 1`); booleans tolerated; exposed as booleans. */
const flag = z.pipe(
  z.union([z.literal(0), z.literal(1), z.boolean()]),
  z.transform((value: 0 | 1 | boolean) => value === true || value === 1),
);

const OptionalText = z.nullish(z.string());
const TextOrNumber = z.nullish(z.union([z.string(), z.number()]));

export const TokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.string().check(z.regex(/^bearer$/i, "token_type must be Bearer")),
  expires_in: z.number().check(z.positive()),
  scope: z.optional(z.string()),
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

const ErrorDetailSchema = z.looseObject({
  param: OptionalText,
  code: OptionalText,
  message: OptionalText,
});

export const ErrorResponseSchema = z.object({
  error: z.looseObject({
    type: z.optional(z.string()),
    code: OptionalText,
    message: OptionalText,
    param: OptionalText,
    errors: z.optional(z.array(ErrorDetailSchema)),
    existing_receipt_id: z.nullish(AceleralaIdSchema),
  }),
});

export function listSchema<Item extends z.ZodMiniType>(item: Item) {
  return z.object({
    object: z.optional(z.literal("list")),
    data: z.array(item),
    has_more: z.boolean(),
  });
}
export type AceleralaList<Item> = { data: Item[]; has_more: boolean };

export const OrderSchema = z.looseObject({
  id: AceleralaIdSchema,
  object: z.optional(z.literal("order")),
  store_id: z.optional(AceleralaIdSchema),
  payment_status: z.string(),
});
export type AceleralaOrder = z.infer<typeof OrderSchema>;

/** A correlative as a positive integer, or as its digits ("36862" → 36862). */
const CorrelativeSchema = z.union([
  z.number().check(z.int(), z.positive()),
  z.pipe(z.string().check(z.regex(/^[1-9]\d{0,7}$/)), z.transform(Number)),
]);

const ReceiptCustomerSchema = z.looseObject({
  document_type_code: TextOrNumber,
  document_number: TextOrNumber,
});

export const ReceiptSchema = z.looseObject({
  id: AceleralaIdSchema,
  object: z.optional(z.literal("receipt")),
  order_id: z.nullish(AceleralaIdSchema),
  store_id: z.optional(AceleralaIdSchema),
  series: z.string().check(z.minLength(1)),
  correlative: CorrelativeSchema,
  document_number: z.string().check(z.minLength(1)),
  /** The fields the worker compares with the order (what landed must be what the customer paid). */
  document_type_code: OptionalText,
  currency_code: OptionalText,
  gross_total: z.nullish(z.union([z.number(), z.string()])),
  customer_information: z.nullish(ReceiptCustomerSchema),
  affected_document_number: OptionalText,
  note_motive_code: TextOrNumber,
  sunat_acknowledged: flag,
  sunat_accepted: z.nullish(flag),
  sunat_code: OptionalText,
  sunat_message: OptionalText,
  xml_url: OptionalText,
  pdf_url: OptionalText,
  cdr_url: OptionalText,
});
export type AceleralaReceipt = z.infer<typeof ReceiptSchema>;

/** A payment transaction (the seed's "transacción"): a sale or a refund of an order. */
export const TransactionSchema = z.looseObject({
  id: AceleralaIdSchema,
  order_id: z.nullish(AceleralaIdSchema),
  type: z.string(),
  amount: z.union([z.number(), z.string()]),
  currency_code: z.string(),
});
export type AceleralaTransaction = z.infer<typeof TransactionSchema>;

export const WebhookSchema = z.looseObject({
  id: AceleralaIdSchema,
  url: z.string(),
  description: OptionalText,
  enabled_events: z.array(z.string()),
  active: z.optional(flag),
});
export type AceleralaWebhook = z.infer<typeof WebhookSchema>;

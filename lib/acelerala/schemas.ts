import * as z from "zod";

/**
 * Minimal response schemas: only the fields this system reads are checked; everything else passes through
 * untouched (loose objects), so the receipt builder can validate an order with its own, stricter schema.
 */

/** Acelérala ids are integers in the reference; a string id is tolerated rather than refused. */
export const AceleralaIdSchema = z.union([z.number().int().nonnegative(), z.string().min(1)]);
export type AceleralaId = z.infer<typeof AceleralaIdSchema>;

/** 0/1 flags in the reference (`sunat_acknowledged: 1`); booleans tolerated; exposed as booleans. */
const flag = z
  .union([z.literal(0), z.literal(1), z.boolean()])
  .transform((value) => value === true || value === 1);

export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, "token_type must be Bearer"),
  expires_in: z.number().positive(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

export const ErrorResponseSchema = z.object({
  error: z.looseObject({
    type: z.string().optional(),
    code: z.string().nullish(),
    message: z.string().nullish(),
    param: z.string().nullish(),
    errors: z
      .array(
        z.looseObject({
          param: z.string().nullish(),
          code: z.string().nullish(),
          message: z.string().nullish(),
        }),
      )
      .optional(),
    existing_receipt_id: AceleralaIdSchema.nullish(),
  }),
});

export function listSchema<Item extends z.ZodType>(item: Item) {
  return z.object({
    object: z.literal("list").optional(),
    data: z.array(item),
    has_more: z.boolean(),
  });
}
export type AceleralaList<Item> = { data: Item[]; has_more: boolean };

export const OrderSchema = z.looseObject({
  id: AceleralaIdSchema,
  object: z.literal("order").optional(),
  store_id: AceleralaIdSchema.optional(),
  payment_status: z.string(),
});
export type AceleralaOrder = z.infer<typeof OrderSchema>;

export const ReceiptSchema = z.looseObject({
  id: AceleralaIdSchema,
  object: z.literal("receipt").optional(),
  order_id: AceleralaIdSchema.nullish(),
  store_id: AceleralaIdSchema.optional(),
  series: z.string().min(1),
  correlative: z.union([
    z.number().int().positive(),
    z
      .string()
      .regex(/^[1-9]\d{0,7}$/)
      .transform(Number),
  ]),
  document_number: z.string().min(1),
  /** The fields the worker compares with the order (what landed must be what the customer paid). */
  document_type_code: z.string().nullish(),
  currency_code: z.string().nullish(),
  gross_total: z.union([z.number(), z.string()]).nullish(),
  customer_information: z
    .looseObject({
      document_type_code: z.union([z.string(), z.number()]).nullish(),
      document_number: z.union([z.string(), z.number()]).nullish(),
    })
    .nullish(),
  affected_document_number: z.string().nullish(),
  note_motive_code: z.union([z.string(), z.number()]).nullish(),
  sunat_acknowledged: flag,
  sunat_accepted: flag.nullish(),
  sunat_code: z.string().nullish(),
  sunat_message: z.string().nullish(),
  xml_url: z.string().nullish(),
  pdf_url: z.string().nullish(),
  cdr_url: z.string().nullish(),
});
export type AceleralaReceipt = z.infer<typeof ReceiptSchema>;

/** A payment transaction (the seed's "transacción"): a sale or a refund of an order. */
export const TransactionSchema = z.looseObject({
  id: AceleralaIdSchema,
  order_id: AceleralaIdSchema.nullish(),
  type: z.string(),
  amount: z.union([z.number(), z.string()]),
  currency_code: z.string(),
});
export type AceleralaTransaction = z.infer<typeof TransactionSchema>;

export const WebhookSchema = z.looseObject({
  id: AceleralaIdSchema,
  url: z.string(),
  description: z.string().nullish(),
  enabled_events: z.array(z.string()),
  active: flag.optional(),
});
export type AceleralaWebhook = z.infer<typeof WebhookSchema>;

import * as z from "zod";

/**
 * Our webhook event envelope (the seed defines none):
 * `{ "id": "evt_…", "type": "orders.updated.placed", "created": ISO-8601, "store_id": 511, "data": { "object": <order> } }`.
 * The order inside is only a hint: the worker re-reads it from the API. So the envelope checks what routing
 * needs (event id, type, store, order id) and lets the rest of the order through untouched.
 */

export const ORDER_EVENT_TYPES = [
  "orders.created",
  "orders.created.placed",
  "orders.updated",
  "orders.updated.placed",
  "orders.updated.canceled",
] as const;
/** The events a store subscribes the receiver to: an order placed, updated while placed, or cancelled. */
export const SUBSCRIBED_ORDER_EVENTS = [
  "orders.created.placed",
  "orders.updated.placed",
  "orders.updated.canceled",
] as const;

export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

export function isOrderEventType(type: string): type is OrderEventType {
  return (ORDER_EVENT_TYPES as readonly string[]).includes(type);
}

const EnvelopeBaseSchema = z.looseObject({
  id: z.string().min(1, "must be a non-empty string").max(255),
  type: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)*$/, "must be a dotted event name such as orders.updated.placed"),
  created: z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time" }),
  store_id: z.number().int().positive(),
  data: z.object({ object: z.looseObject({}) }),
});

export const OrderEventEnvelopeSchema = EnvelopeBaseSchema.extend({
  type: z.enum(ORDER_EVENT_TYPES),
  data: z.object({
    object: z.looseObject({
      id: z.union([z.number().int().nonnegative(), z.string().min(1)]),
    }),
  }),
});

export type OrderEventEnvelope = z.infer<typeof OrderEventEnvelopeSchema>;
export type UnknownEventEnvelope = z.infer<typeof EnvelopeBaseSchema>;

export type EnvelopeProblem = { field: string; message: string };

export type EnvelopeParseResult =
  | { ok: true; known: true; envelope: OrderEventEnvelope }
  /** A well-formed envelope of a type we do not handle: acknowledge and ignore. */
  | { ok: true; known: false; envelope: UnknownEventEnvelope }
  | { ok: false; problems: EnvelopeProblem[] };

function problemsOf(error: z.ZodError): EnvelopeProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join(".") : "(body)",
    message: issue.message,
  }));
}

/** Checks an already JSON-parsed body. Problems name the field, e.g. `{ field: "data.object.id", … }`. */
export function parseEnvelope(json: unknown): EnvelopeParseResult {
  const base = EnvelopeBaseSchema.safeParse(json);
  if (!base.success) return { ok: false, problems: problemsOf(base.error) };
  if (!isOrderEventType(base.data.type)) return { ok: true, known: false, envelope: base.data };
  const order = OrderEventEnvelopeSchema.safeParse(json);
  if (!order.success) return { ok: false, problems: problemsOf(order.error) };
  return { ok: true, known: true, envelope: order.data };
}

/** The order id an order event refers to. */
export function orderIdOf(envelope: OrderEventEnvelope): number | string {
  return envelope.data.object.id;
}

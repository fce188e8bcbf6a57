import * as z from "zod/mini";

/**
 * What a signed delivery is about, read liberally (the seed defines no envelope, and real senders differ):
 *
 * - our envelope: `{ "id": "evt_…", "type": "orders.updated.placed", "created": ISO-8601, "store_id": 511,
 *   "data": { "object": <order or receipt> } }`;
 * - a Standard Webhooks body: `{ "type": …, "timestamp": ISO-8601, "data": <order or receipt> }` (the object is
 *   `data` itself when `data.object` is not an object).
 *
 * Only what routing needs is checked: the type, the store (payload `store_id`, else the object's `store_id`,
 * else the `/webhooks/acelerala/{storeId}` path) and the order (and, for receipt events, the receipt) id. Ids
 * are positive whole numbers or strings of digits, normalised to numbers ("0123" and 123 are one order). A
 * payload `id` is logged, never compared (the signed `webhook-id` header is the delivery's identity); `created`
 * / `timestamp` are optional. Everything else passes untouched: the order is only a hint, the worker re-reads it.
 * This module is pure and uses zod/mini, so the receiver's bundle stays small.
 */

export const ORDER_EVENT_TYPES = [
  "orders.created",
  "orders.created.placed",
  "orders.updated",
  "orders.updated.placed",
  "orders.updated.canceled",
] as const;
/** SUNAT's answer, by webhook: the worker reads the receipt and records the answer (lib/worker/receipt-event.ts). */
export const RECEIPT_EVENT_TYPES = [
  "receipts.created",
  "receipts.created.accepted",
  "receipts.created.rejected",
] as const;
/** The events a store subscribes the receiver to: an order placed, updated while placed, cancelled; receipts. */
export const SUBSCRIBED_EVENTS = [
  "orders.created.placed",
  "orders.updated.placed",
  "orders.updated.canceled",
  ...RECEIPT_EVENT_TYPES,
] as const;

export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
export type ReceiptEventType = (typeof RECEIPT_EVENT_TYPES)[number];
export type HandledEventType = OrderEventType | ReceiptEventType;

export function isOrderEventType(type: string): type is OrderEventType {
  return (ORDER_EVENT_TYPES as readonly string[]).includes(type);
}
export function isReceiptEventType(type: string): type is ReceiptEventType {
  return (RECEIPT_EVENT_TYPES as readonly string[]).includes(type);
}
export function isHandledEventType(type: string): type is HandledEventType {
  return isOrderEventType(type) || isReceiptEventType(type);
}

/**
 * What the queue carries for one event: a reference, never the order (lib/queue/order-events.ts writes it).
 * Receipt events also name the receipt.
 */
export type EventReference = {
  type: HandledEventType;
  storeId: number;
  orderId: number;
  /** Receipt events only. */
  receiptId?: number;
  /** The delivery's identity (`webhook-id` header, or the operator's event id); the FIFO deduplication id. */
  webhookId: string;
  /** When the event happened (ISO-8601, UTC): the payload's time when readable, else the signature's. */
  eventTime: string;
};

export type EnvelopeProblem = { field: string; message: string };

/** Facts about a delivery worth a log line, none of which changes what is enqueued. */
export type EnvelopeNotes = {
  /** A payload `id` (logged, never compared with the `webhook-id` header). */
  payloadId?: string;
  /** Where the store id came from. */
  storeFrom?: "store_id" | "data.object.store_id" | "data.store_id" | "path";
  /** Another source named a different store; the first source won. */
  storeConflict?: string;
  /** `created` / `timestamp` was present but not an ISO-8601 date-time: the signature's time was used. */
  unreadableTime?: string;
};

export type EnvelopeReading =
  | { outcome: "event"; event: EventReference; notes: EnvelopeNotes }
  /** A signed delivery we acknowledge and drop: a type we do not handle, a receipt of no order. */
  | { outcome: "ignore"; eventType: string; why: string; notes: EnvelopeNotes }
  | { outcome: "invalid"; problems: EnvelopeProblem[] };

/** What the receiver knows besides the body: the signed `webhook-id`, the path's store, the signature's time. */
export type DeliveryContext = {
  webhookId: string;
  pathStoreId?: number;
  /** `webhook-timestamp` (epoch seconds): the event time when the payload has none. */
  signedAtSeconds: number;
};

const ID_RULE = "must be a positive whole number, or a string of digits";

/**
 * A positive whole number, or digits only ("0123" → 123), up to Number.MAX_SAFE_INTEGER. Anything else (spaces,
 * signs, decimals, non-ASCII digits) is refused, so a FIFO group name can never be broken by an id.
 */
export const DigitsIdSchema = z.pipe(
  z.union([z.number(), z.string()], {
    error: (issue) => (issue.input === undefined ? "is missing" : ID_RULE),
  }),
  z.transform((value: number | string, context) => {
    const id = typeof value === "number" ? value : /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(id) && id >= 1) return id;
    context.issues.push({ code: "custom", message: ID_RULE, input: value });
    return z.NEVER;
  }),
);

/** The id rule on its own: the number, or undefined when `value` is not a valid id. */
export function normaliseId(value: unknown): number | undefined {
  const result = DigitsIdSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

const HeadSchema = z.looseObject({
  type: z.string({ error: (issue) => (issue.input === undefined ? "is missing" : "must be a string") }),
});

/** The order of an order event; its own store id is a fallback for the payload's. */
const OrderObjectSchema = z.looseObject({
  id: DigitsIdSchema,
  store_id: z.optional(z.nullable(z.unknown())),
});

/** The receipt of a receipt event: `order_id` null (a receipt of no order) is acknowledged and ignored. */
const ReceiptObjectSchema = z.looseObject({
  id: DigitsIdSchema,
  order_id: z.optional(z.nullable(z.unknown())),
  store_id: z.optional(z.nullable(z.unknown())),
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function problemsOf(error: z.core.$ZodError, prefix: string): EnvelopeProblem[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String);
    return {
      field: [prefix, ...path].filter(Boolean).join(".") || "(body)",
      message: issue.message,
    };
  });
}

/** The object the event is about: `data.object` (our envelope), else `data` (Standard Webhooks). */
function subjectOf(
  body: Record<string, unknown>,
): { object: Record<string, unknown>; path: string } | undefined {
  const data = body.data;
  if (!isPlainObject(data)) return undefined;
  if (isPlainObject(data.object)) return { object: data.object, path: "data.object" };
  return { object: data, path: "data" };
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/**
 * An ISO-8601 date-time with its offset in any form the seed uses — `Z`, `-05`, `-0500`, `-05:00` — with or
 * without seconds and fractions; undefined for anything else (including impossible dates such as 30 February,
 * which `Date.parse` would roll over, and times with no offset, whose instant is unknown).
 */
export function parseIsoDateTime(text: string): Date | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  const [year, month, day, hour, minute] = [y, mo, d, h, mi].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(s ?? 0);
  const offset = zulu ? 0 : Number(offsetHours) * 60 + Number(offsetMinutes ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (!zulu && (Number(offsetHours) > 23 || Number(offsetMinutes ?? 0) > 59)) return undefined;
  const milliseconds = Number(`${fraction ?? ""}000`.slice(0, 3));
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, milliseconds));
  date.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  return new Date(date.getTime() - (sign === "-" ? -offset : offset) * 60_000);
}

function eventTimeOf(body: Record<string, unknown>, context: DeliveryContext, notes: EnvelopeNotes): string {
  const field = body.created !== undefined && body.created !== null ? "created" : "timestamp";
  const value = body[field];
  if (value !== undefined && value !== null) {
    const parsed = typeof value === "string" ? parseIsoDateTime(value) : undefined;
    if (parsed) return parsed.toISOString();
    notes.unreadableTime = `${field} is not an ISO-8601 date-time with an offset`;
  }
  return new Date(context.signedAtSeconds * 1000).toISOString();
}

type StoreSource = NonNullable<EnvelopeNotes["storeFrom"]>;

/**
 * The store: the payload's `store_id`, else the object's, else the path's. A source that is present but not an
 * id is refused by name (a typo must not silently route to another store); a source that disagrees with the
 * one chosen is noted for the log.
 */
function storeOf(
  body: Record<string, unknown>,
  subject: { object: Record<string, unknown>; path: string },
  context: DeliveryContext,
  notes: EnvelopeNotes,
): { storeId: number } | { problem: EnvelopeProblem } {
  const candidates: { from: StoreSource; value: unknown }[] = [
    { from: "store_id", value: body.store_id },
    { from: `${subject.path}.store_id` as StoreSource, value: subject.object.store_id },
    { from: "path", value: context.pathStoreId },
  ];
  let chosen: { from: StoreSource; storeId: number } | undefined;
  for (const candidate of candidates) {
    if (candidate.value === undefined || candidate.value === null) continue;
    const storeId = normaliseId(candidate.value);
    if (storeId === undefined) return { problem: { field: candidate.from, message: ID_RULE } };
    if (!chosen) chosen = { from: candidate.from, storeId };
    else if (storeId !== chosen.storeId)
      notes.storeConflict ??= `${candidate.from} says ${storeId}, ${chosen.from} says ${chosen.storeId}`;
  }
  if (!chosen) {
    return {
      problem: {
        field: "store_id",
        message: `is missing: give store_id or ${subject.path}.store_id, or deliver to /webhooks/acelerala/{storeId}`,
      },
    };
  }
  notes.storeFrom = chosen.from;
  return { storeId: chosen.storeId };
}

function payloadIdOf(body: Record<string, unknown>): string | undefined {
  const id = body.id;
  if (typeof id === "string") return id.slice(0, 200);
  if (typeof id === "number") return String(id);
  return undefined;
}

/** Reads an already JSON-parsed, signed body. Problems name the field, e.g. `{ field: "data.object.id", … }`. */
export function readEnvelope(json: unknown, context: DeliveryContext): EnvelopeReading {
  if (!isPlainObject(json))
    return { outcome: "invalid", problems: [{ field: "(body)", message: "must be a JSON object" }] };
  const head = HeadSchema.safeParse(json);
  if (!head.success) return { outcome: "invalid", problems: problemsOf(head.error, "") };
  const notes: EnvelopeNotes = {};
  const payloadId = payloadIdOf(json);
  if (payloadId !== undefined) notes.payloadId = payloadId;
  const type = head.data.type;
  if (!isHandledEventType(type)) {
    return { outcome: "ignore", eventType: type.slice(0, 100), why: "event type not handled", notes };
  }

  const subject = subjectOf(json);
  if (!subject) {
    const what = isOrderEventType(type) ? "the order" : "the receipt";
    return {
      outcome: "invalid",
      problems: [{ field: "data.object", message: `is missing: must be ${what}` }],
    };
  }
  let orderId: number;
  let receiptId: number | undefined;
  if (isOrderEventType(type)) {
    const order = OrderObjectSchema.safeParse(subject.object);
    if (!order.success) return { outcome: "invalid", problems: problemsOf(order.error, subject.path) };
    orderId = order.data.id;
  } else {
    if (subject.object.order_id === undefined || subject.object.order_id === null) {
      return { outcome: "ignore", eventType: type, why: "receipt of no order (order_id null)", notes };
    }
    const receipt = ReceiptObjectSchema.safeParse(subject.object);
    if (!receipt.success) return { outcome: "invalid", problems: problemsOf(receipt.error, subject.path) };
    const receiptOrderId = normaliseId(receipt.data.order_id);
    if (receiptOrderId === undefined) {
      return {
        outcome: "invalid",
        problems: [{ field: `${subject.path}.order_id`, message: `${ID_RULE}, or null` }],
      };
    }
    orderId = receiptOrderId;
    receiptId = receipt.data.id;
  }

  const store = storeOf(json, subject, context, notes);
  if ("problem" in store) return { outcome: "invalid", problems: [store.problem] };
  const event: EventReference = {
    type,
    storeId: store.storeId,
    orderId,
    webhookId: context.webhookId,
    eventTime: eventTimeOf(json, context, notes),
  };
  if (receiptId !== undefined) event.receiptId = receiptId;
  return { outcome: "event", event, notes };
}

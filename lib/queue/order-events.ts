import { createHash } from "node:crypto";
import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandInput,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import * as z from "zod/mini";
import {
  DigitsIdSchema,
  type EnvelopeProblem,
  type EventReference,
  isReceiptEventType,
  ORDER_EVENT_TYPES,
  RECEIPT_EVENT_TYPES,
  readEnvelope,
} from "../webhook/envelope";
import { messageGroupId } from "./queue-definition";

/**
 * The order-events queue carries a reference, never the order:
 *
 * `{"version":2,"type":"orders.updated.placed","store_id":511,"order_id":32203,"webhook_id":"msg_…",
 *   "event_time":"2025-10-09T13:53:20.000Z"}` (receipt events add `"receipt_id":67349`)
 *
 * so nothing a customer typed (emoji, U+FFFE, a thousand lines) can break SendMessage, and no personal data sits
 * in SQS or the DLQ. The body is pure ASCII (non-ASCII in a webhook id is \u-escaped). The worker re-reads the
 * order and the receipt anyway. Every producer (receiver, backfill, reconcile, resend, reconciler) sends through
 * `orderEventSendInput`; the worker and the DLQ tools read through `parseOrderEventMessage`, which also reads
 * the whole-envelope messages older versions enqueued.
 */

export type { EventReference } from "../webhook/envelope";

export const ORDER_EVENT_MESSAGE_VERSION = 2;

/** SQS accepts up to 128 characters of alphanumerics and ASCII punctuation as a deduplication id. */
const DEDUPLICATION_ID_ALLOWED = /^[\x21-\x7e]{1,128}$/;

/** The webhook-id itself when SQS accepts it, otherwise its sha256 (hex, 64 characters): stable either way. */
export function deduplicationIdFor(webhookId: string): string {
  if (DEDUPLICATION_ID_ALLOWED.test(webhookId)) return webhookId;
  return createHash("sha256").update(webhookId, "utf8").digest("hex");
}

/**
 * The SQS client every function should use. `useQueueUrlAsEndpoint: false` makes the SDK send to the endpoint
 * it resolved (AWS_ENDPOINT_URL_SQS locally, the regional endpoint on AWS) instead of the queue URL's host:
 * fauxqs hands out URLs like http://sqs.us-east-1.localhost:PORT/..., a name Node cannot resolve. On AWS both
 * are the same host, so nothing changes there.
 */
export function createSqsClient(region: string | undefined, overrides: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ ...(region ? { region } : {}), ...overrides, useQueueUrlAsEndpoint: false });
}

export const ORDER_EVENT_ATTRIBUTES = {
  eventType: "event_type",
  storeId: "store_id",
  orderId: "order_id",
  webhookId: "webhook_id",
} as const;

/** JSON with every character outside printable ASCII escaped: valid for SQS and every emulator, whatever it holds. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The message body for an event reference (the wire format above). */
export function orderEventMessageBody(event: EventReference): string {
  return asciiJson({
    version: ORDER_EVENT_MESSAGE_VERSION,
    type: event.type,
    store_id: event.storeId,
    order_id: event.orderId,
    ...(event.receiptId !== undefined ? { receipt_id: event.receiptId } : {}),
    webhook_id: event.webhookId,
    event_time: event.eventTime,
  });
}

/**
 * The one SendMessage for an event. Group = store#order (numbers, so "0123" and 123 are one group), so one
 * order's events, receipt events included, are handled one at a time; deduplication = the webhook-id, so a
 * redelivered webhook within SQS's 5-minute window is dropped (beyond it, the worker's DynamoDB guard is what
 * prevents a second receipt).
 */
export function orderEventSendInput(queueUrl: string, event: EventReference): SendMessageCommandInput {
  const text = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });
  // Attribute values share the body's character rules: keep the webhook id's escaped, bounded form.
  const webhookIdAttribute = asciiJson(event.webhookId).slice(1, -1).slice(0, 256);
  return {
    QueueUrl: queueUrl,
    MessageBody: orderEventMessageBody(event),
    MessageGroupId: messageGroupId(event.storeId, event.orderId),
    MessageDeduplicationId: deduplicationIdFor(event.webhookId),
    MessageAttributes: {
      [ORDER_EVENT_ATTRIBUTES.eventType]: text(event.type),
      [ORDER_EVENT_ATTRIBUTES.storeId]: { DataType: "Number", StringValue: String(event.storeId) },
      [ORDER_EVENT_ATTRIBUTES.orderId]: text(String(event.orderId)),
      ...(webhookIdAttribute ? { [ORDER_EVENT_ATTRIBUTES.webhookId]: text(webhookIdAttribute) } : {}),
    },
  };
}

export type EnqueuedOrderEvent = { messageId: string; groupId: string; deduplicationId: string };

/**
 * Sends one event reference to the FIFO queue. Resolves only once SQS accepted the message; any SQS failure
 * rejects, and the receiver answers 5xx so the sender retries.
 */
export async function enqueueOrderEvent(
  sqs: SQSClient,
  queueUrl: string,
  event: EventReference,
): Promise<EnqueuedOrderEvent> {
  const input = orderEventSendInput(queueUrl, event);
  const output = await sqs.send(new SendMessageCommand(input));
  if (!output.MessageId) throw new Error("SQS SendMessage returned no MessageId");
  return {
    messageId: output.MessageId,
    groupId: input.MessageGroupId ?? "",
    deduplicationId: input.MessageDeduplicationId ?? "",
  };
}

/**
 * The event an operator flow (backfill, reconcile, resend) enqueues for an order: what the receiver enqueues
 * for an updated, placed order. `eventId` is its deduplication id.
 */
export const OPERATOR_EVENT_TYPE = "orders.updated.placed";

export function operatorEvent(storeId: number, orderId: number, eventId: string, now: Date): EventReference {
  return { type: OPERATOR_EVENT_TYPE, storeId, orderId, webhookId: eventId, eventTime: now.toISOString() };
}

const MessageSchema = z.object({
  version: z.literal(ORDER_EVENT_MESSAGE_VERSION),
  type: z.enum([...ORDER_EVENT_TYPES, ...RECEIPT_EVENT_TYPES]),
  store_id: DigitsIdSchema,
  order_id: DigitsIdSchema,
  receipt_id: z.optional(DigitsIdSchema),
  webhook_id: z.string().check(z.minLength(1)),
  event_time: z.string(),
});

export type OrderEventMessageParseResult =
  | {
      ok: true;
      event: EventReference;
      /** A whole-envelope message enqueued by an older version (the reference was derived from it). */
      legacy: boolean;
    }
  | { ok: false; problems: EnvelopeProblem[] };

function problems(error: z.core.$ZodError): EnvelopeProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

/**
 * For the worker and the DLQ tools: the event a message refers to (anything else is a poison message). Reads
 * the reference, and, liberally, the whole envelope older versions enqueued: its reference is derived the way
 * the receiver derives it from a delivery (its `id` was the webhook-id).
 */
export function parseOrderEventMessage(body: string): OrderEventMessageParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, problems: [{ field: "(body)", message: "is not valid JSON" }] };
  }
  const isObject = typeof json === "object" && json !== null && !Array.isArray(json);
  if (isObject && "version" in (json as object)) {
    const parsed = MessageSchema.safeParse(json);
    if (!parsed.success) return { ok: false, problems: problems(parsed.error) };
    const message = parsed.data;
    const event: EventReference = {
      type: message.type,
      storeId: message.store_id,
      orderId: message.order_id,
      webhookId: message.webhook_id,
      eventTime: message.event_time,
    };
    if (isReceiptEventType(message.type)) {
      if (message.receipt_id === undefined)
        return { ok: false, problems: [{ field: "receipt_id", message: "is missing for a receipt event" }] };
      event.receiptId = message.receipt_id;
    }
    return { ok: true, event, legacy: false };
  }
  return parseLegacyEnvelope(json);
}

function parseLegacyEnvelope(json: unknown): OrderEventMessageParseResult {
  const record = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
  const id = typeof record.id === "string" && record.id !== "" ? record.id : undefined;
  const created = typeof record.created === "string" ? Date.parse(record.created) : Number.NaN;
  const reading = readEnvelope(json, {
    webhookId: id ?? "(unknown)",
    signedAtSeconds: Math.floor((Number.isFinite(created) ? created : 0) / 1000),
  });
  switch (reading.outcome) {
    case "event":
      return { ok: true, event: reading.event, legacy: true };
    case "invalid":
      return { ok: false, problems: reading.problems };
    case "ignore":
      return { ok: false, problems: [{ field: "type", message: `"${reading.eventType}": ${reading.why}` }] };
  }
}

import { createHash } from "node:crypto";
import type {
  Message,
  MessageAttributeValue,
  SendMessageCommandInput,
  StartMessageMoveTaskCommandInput,
} from "@aws-sdk/client-sqs";
import { ORDER_EVENT_ATTRIBUTES, orderEventSendInput, parseOrderEventMessage } from "../queue/order-events";
import { messageGroupId } from "../queue/queue-definition";
import { epochMsToIso, formatTable, peruDateTime, safeText } from "./text";

/**
 * Pure side of the DLQ commands: what a dead-lettered order event is about, how it is sent back, and how it
 * is shown. No SQS calls here (see ./dlq for those).
 */

/** A DLQ message as the operator sees it. Order and store come from the attributes, else from the body. */
export interface DlqEntry {
  messageId: string;
  storeId?: string;
  orderId?: string;
  eventType?: string;
  webhookId?: string;
  groupId?: string;
  receiveCount?: number;
  /** When the receiver first sent it (SQS keeps the original SentTimestamp when it dead-letters a message). */
  sentAt?: string;
  /** When a consumer first received it (on the main queue). */
  firstReceivedAt?: string;
  /** The receipt record's state and last error, joined from DynamoDB by store and order. */
  receiptState?: string;
  lastError?: string;
}

function stringAttribute(message: Message, name: string): string | undefined {
  const value = message.MessageAttributes?.[name]?.StringValue;
  return value === undefined || value === "" ? undefined : value;
}

export function describeDlqMessage(message: Message): DlqEntry {
  const entry: DlqEntry = { messageId: message.MessageId ?? "(no id)" };
  entry.storeId = stringAttribute(message, ORDER_EVENT_ATTRIBUTES.storeId);
  entry.orderId = stringAttribute(message, ORDER_EVENT_ATTRIBUTES.orderId);
  entry.eventType = stringAttribute(message, ORDER_EVENT_ATTRIBUTES.eventType);
  entry.webhookId = stringAttribute(message, ORDER_EVENT_ATTRIBUTES.webhookId);
  if (entry.storeId === undefined || entry.orderId === undefined || entry.eventType === undefined) {
    // Messages the receiver did not write (or older ones) may lack attributes: the body says the same.
    const parsed = parseOrderEventMessage(message.Body ?? "");
    if (parsed.ok) {
      entry.storeId ??= String(parsed.event.storeId);
      entry.orderId ??= String(parsed.event.orderId);
      entry.eventType ??= parsed.event.type;
    }
  }
  const system = message.Attributes ?? {};
  entry.groupId = system.MessageGroupId;
  const receiveCount = system.ApproximateReceiveCount;
  if (receiveCount !== undefined && /^\d+$/.test(receiveCount)) entry.receiveCount = Number(receiveCount);
  entry.sentAt = epochMsToIso(system.SentTimestamp);
  entry.firstReceivedAt = epochMsToIso(system.ApproximateFirstReceiveTimestamp);
  for (const key of Object.keys(entry) as (keyof DlqEntry)[]) if (entry[key] === undefined) delete entry[key];
  return entry;
}

/**
 * The deduplication id of a replayed message: derived from the DLQ message id, so re-sending the same DLQ
 * message (a crash between send and delete, then another replay) within SQS's 5-minute window is dropped by
 * FIFO deduplication instead of queued twice. The original id cannot be reused: the main queue saw it when
 * the receiver first sent the event and would drop the replay if it were still within the window.
 */
export function replayDeduplicationId(messageId: string): string {
  return createHash("sha256").update(`${messageId}#replay`, "utf8").digest("hex");
}

/** Only the fields SendMessage takes (a received attribute may carry list fields the API rejects). */
function sendableAttributes(
  attributes: Message["MessageAttributes"],
): Record<string, MessageAttributeValue> | undefined {
  if (!attributes || Object.keys(attributes).length === 0) return undefined;
  const copy: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const attribute: MessageAttributeValue = { DataType: value.DataType };
    if (value.StringValue !== undefined) attribute.StringValue = value.StringValue;
    if (value.BinaryValue !== undefined) attribute.BinaryValue = value.BinaryValue;
    copy[name] = attribute;
  }
  return copy;
}

export class UnreplayableMessageError extends Error {
  override name = "UnreplayableMessageError";
}

/**
 * The SendMessage that puts a DLQ message back on the main queue, with a new deduplication id. A message whose
 * body names its event (a reference, or the whole envelope an older version enqueued) goes back as that
 * reference, built like every other producer's (lib/queue/order-events.ts): its group is the normalised
 * store#order, and an old envelope's order data does not travel again. Anything else goes back as it was (same
 * body, attributes and group: from MessageGroupId, else rebuilt from the attributes' store and order), for the
 * worker to dead-letter again where a person can see it.
 */
export function buildReplaySendInput(message: Message, queueUrl: string): SendMessageCommandInput {
  if (!message.MessageId) throw new UnreplayableMessageError("the message has no MessageId");
  if (message.Body === undefined)
    throw new UnreplayableMessageError(`message ${message.MessageId} has no body`);
  const deduplicationId = replayDeduplicationId(message.MessageId);
  const parsed = parseOrderEventMessage(message.Body);
  if (parsed.ok) {
    return { ...orderEventSendInput(queueUrl, parsed.event), MessageDeduplicationId: deduplicationId };
  }
  const entry = describeDlqMessage(message);
  const groupId =
    entry.groupId ??
    (entry.storeId !== undefined && entry.orderId !== undefined
      ? messageGroupId(entry.storeId, entry.orderId)
      : undefined);
  if (!groupId) {
    throw new UnreplayableMessageError(
      `message ${message.MessageId} names no message group, store or order: it cannot go back to a FIFO queue`,
    );
  }
  const input: SendMessageCommandInput = {
    QueueUrl: queueUrl,
    MessageBody: message.Body,
    MessageGroupId: groupId,
    MessageDeduplicationId: deduplicationId,
  };
  const attributes = sendableAttributes(message.MessageAttributes);
  if (attributes) input.MessageAttributes = attributes;
  return input;
}

/**
 * SQS's own redrive (`--native`): moves everything from the DLQ back to its source queue, at most
 * `maxPerSecond` messages per second when given. It has no filter and no dry run.
 */
export function buildMessageMoveTaskInput(options: {
  sourceArn: string;
  destinationArn: string;
  maxPerSecond?: number;
}): StartMessageMoveTaskCommandInput {
  const input: StartMessageMoveTaskCommandInput = {
    SourceArn: options.sourceArn,
    DestinationArn: options.destinationArn,
  };
  if (options.maxPerSecond !== undefined) {
    // The API takes whole messages per second, 1 to 500.
    input.MaxNumberOfMessagesPerSecond = Math.min(500, Math.max(1, Math.floor(options.maxPerSecond)));
  }
  return input;
}

/** One DLQ message as a person reads it (Spanish), shared by `cpe dlq peek` and the console's DLQ page. */
export interface DlqRowView {
  messageId: string;
  storeId: string;
  orderId: string | null;
  eventType: string;
  receiveCount: string;
  sentAt: string;
  firstReceivedAt: string;
  /** The order's receipt: its state's label, "sin registro" when the order has none, "?" when unreadable. */
  receipt: string;
  /** Why it failed: the worker's last error for the order (kept even when the order has no record). */
  lastError: string;
}

const RECEIPT_STATE_WORDS: Readonly<Record<string, string>> = {
  none: "sin registro",
  "?": "?",
  ACCEPTED: "ACEPTADO",
  REJECTED: "RECHAZADO",
  SUBMITTED: "REGISTRADO",
  NEEDS_ATTENTION: "ATENCIÓN",
  STALE: "VENCIDO",
  RESERVED: "RESERVADO",
  SKIPPED: "N/A",
  CANCELED: "CANCELADO",
};

export function dlqRowView(entry: DlqEntry): DlqRowView {
  return {
    messageId: entry.messageId,
    storeId: entry.storeId ?? "?",
    orderId: entry.orderId ?? null,
    eventType: entry.eventType ?? "?",
    receiveCount: entry.receiveCount === undefined ? "?" : String(entry.receiveCount),
    sentAt: peruDateTime(entry.sentAt),
    firstReceivedAt: peruDateTime(entry.firstReceivedAt),
    receipt:
      entry.receiptState === undefined
        ? "-"
        : (RECEIPT_STATE_WORDS[entry.receiptState] ?? entry.receiptState),
    lastError: entry.lastError === undefined ? "-" : safeText(entry.lastError).replace(/\s+/g, " "),
  };
}

/** `cpe dlq peek` as a table: one row per message, times in Peru. */
export function formatDlqTable(entries: readonly DlqEntry[]): string {
  return formatTable(
    [
      "Tienda",
      "Pedido",
      "Evento",
      "Recepciones",
      "Enviado",
      "Primera recepción",
      "Comprobante",
      "Último error",
    ],
    entries
      .map(dlqRowView)
      .map((row) => [
        row.storeId,
        row.orderId ?? "?",
        row.eventType,
        row.receiveCount,
        row.sentAt,
        row.firstReceivedAt,
        row.receipt,
        row.lastError,
      ]),
  );
}

/** The oldest and newest SentTimestamp among the messages, for the summary line. */
export function sentRange(entries: readonly DlqEntry[]): { first?: string; last?: string } {
  const times = entries.flatMap((entry) => (entry.sentAt ? [entry.sentAt] : [])).sort();
  return { first: times[0], last: times.at(-1) };
}

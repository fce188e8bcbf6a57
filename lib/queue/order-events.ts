import { createHash } from "node:crypto";
import {
  type MessageAttributeValue,
  SendMessageCommand,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import { type EnvelopeProblem, type OrderEventEnvelope, orderIdOf, parseEnvelope } from "../webhook/envelope";
import { messageGroupId } from "./queue-definition";

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

export type EnqueuedOrderEvent = { messageId: string; groupId: string; deduplicationId: string };

/**
 * Sends one order event to the FIFO queue. Group = store#order, so one order's events are handled one at a
 * time; deduplication = the webhook-id, so a redelivered webhook within SQS's 5-minute window is dropped
 * (beyond it, the worker's DynamoDB guard is what prevents a second receipt). Resolves only once SQS
 * accepted the message; any SQS failure rejects, and the receiver answers 5xx so the sender retries.
 */
export async function enqueueOrderEvent(
  sqs: SQSClient,
  queueUrl: string,
  envelope: OrderEventEnvelope,
  webhookId: string,
): Promise<EnqueuedOrderEvent> {
  const orderId = String(orderIdOf(envelope));
  const groupId = messageGroupId(envelope.store_id, orderId);
  const deduplicationId = deduplicationIdFor(webhookId);
  const text = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });
  const output = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(envelope),
      MessageGroupId: groupId,
      MessageDeduplicationId: deduplicationId,
      MessageAttributes: {
        [ORDER_EVENT_ATTRIBUTES.eventType]: text(envelope.type),
        [ORDER_EVENT_ATTRIBUTES.storeId]: { DataType: "Number", StringValue: String(envelope.store_id) },
        [ORDER_EVENT_ATTRIBUTES.orderId]: text(orderId),
        [ORDER_EVENT_ATTRIBUTES.webhookId]: text(webhookId.slice(0, 256)),
      },
    }),
  );
  if (!output.MessageId) throw new Error("SQS SendMessage returned no MessageId");
  return { messageId: output.MessageId, groupId, deduplicationId };
}

export type OrderEventMessageParseResult =
  | { ok: true; envelope: OrderEventEnvelope }
  | { ok: false; problems: EnvelopeProblem[] };

/** For the worker: the order event in an SQS message body (anything else is a poison message). */
export function parseOrderEventMessage(body: string): OrderEventMessageParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, problems: [{ field: "(body)", message: "is not valid JSON" }] };
  }
  const result = parseEnvelope(json);
  if (!result.ok) return result;
  if (!result.known) {
    return {
      ok: false,
      problems: [{ field: "type", message: `"${result.envelope.type}" is not an order event` }],
    };
  }
  return { ok: true, envelope: result.envelope };
}

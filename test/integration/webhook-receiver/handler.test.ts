import { DeleteQueueCommand } from "@aws-sdk/client-sqs";
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from "../../../infra/local/aws-local-constants";
import { createOrderEventsQueues } from "../../../infra/local/sqs-local";
import { parseOrderEventMessage } from "../../../lib/queue/order-events";
import { generateWebhookSecret, signWebhook } from "../../../lib/webhook/signature";
import { type OrderEventsQueueFixture, startOrderEventsQueue } from "../queue/local-queue";

// The real handler module, configured through the environment exactly as on Lambda, against fauxqs.
type Handler = (event: LambdaFunctionURLEvent, context: Context) => Promise<LambdaFunctionURLResult>;
/** The receiver always answers the structured form (LambdaFunctionURLResult also admits a bare string). */
type StructuredResult = Exclude<LambdaFunctionURLResult, string>;

const SECRET = generateWebhookSecret();
const ROTATED_OUT_SECRET = generateWebhookSecret();

let local: OrderEventsQueueFixture;
let handler: Handler;

beforeAll(async () => {
  local = await startOrderEventsQueue();
  vi.stubEnv("AWS_REGION", LOCAL_AWS_REGION);
  vi.stubEnv("AWS_ENDPOINT_URL_SQS", local.endpoint);
  vi.stubEnv("AWS_ACCESS_KEY_ID", LOCAL_AWS_CREDENTIALS.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", LOCAL_AWS_CREDENTIALS.secretAccessKey);
  vi.stubEnv("ORDER_EVENTS_QUEUE_URL", local.queueUrl);
  vi.stubEnv("WEBHOOK_SECRETS", SECRET);
  vi.stubEnv("AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED", "true");
  // Imported after the environment is set: the module reads it once, like a Lambda cold start.
  ({ handler } = (await import("../../../functions/webhook-receiver/index")) as { handler: Handler });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await local?.stop();
});

const CONTEXT = {
  functionName: "webhook-receiver",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:webhook-receiver",
  memoryLimitInMB: "256",
  awsRequestId: "req-1",
  logGroupName: "/aws/lambda/webhook-receiver",
  logStreamName: "local",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

function functionUrlEvent(options: {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  base64?: boolean;
}): LambdaFunctionURLEvent {
  const method = options.method ?? "POST";
  const path = options.path ?? "/webhooks/acelerala";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { host: "abc.lambda-url.us-east-1.on.aws", ...options.headers },
    requestContext: {
      accountId: "anonymous",
      apiId: "abc",
      domainName: "abc.lambda-url.us-east-1.on.aws",
      domainPrefix: "abc",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "acelerala-webhooks" },
      requestId: "req-1",
      routeKey: "$default",
      stage: "$default",
      time: "09/Oct/2025:08:53:20 +0000",
      timeEpoch: 1_760_000_000_000,
    },
    body:
      options.body === undefined
        ? undefined
        : options.base64
          ? Buffer.from(options.body).toString("base64")
          : options.body,
    isBase64Encoded: options.base64 ?? false,
  };
}

function orderEvent(id: string, orderId: number, type = "orders.updated.placed"): string {
  return JSON.stringify({
    id,
    type,
    created: new Date().toISOString(),
    store_id: 511,
    data: {
      object: {
        id: orderId,
        object: "order",
        payment_status: "paid",
        billing_details: { email: "manuelcornejo@testmail.com", document_number: "20601373034" },
      },
    },
  });
}

function signed(id: string, body: string, secret = SECRET): Record<string, string> {
  return {
    ...signWebhook(secret, id, Math.floor(Date.now() / 1000), body),
    "content-type": "application/json",
  };
}

async function invoke(
  event: LambdaFunctionURLEvent,
): Promise<{ status: number; body: unknown; logs: string }> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  // Powertools writes INFO/WARN/metrics to stdout and ERROR to stderr.
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    const result = (await handler(event, CONTEXT)) as StructuredResult;
    return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? "null"), logs: lines.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe("webhook receiver handler (Function URL v2 → fauxqs)", () => {
  it("answers /health", async () => {
    expect(await invoke(functionUrlEvent({ method: "GET", path: "/health" }))).toMatchObject({
      status: 200,
      body: { status: "ok" },
    });
  });

  it("enqueues a signed order event once, answering 202 to it and to its duplicate", async () => {
    const body = orderEvent("evt_it_1", 32203);
    const first = await invoke(functionUrlEvent({ headers: signed("evt_it_1", body), body }));
    const duplicate = await invoke(
      functionUrlEvent({ headers: signed("evt_it_1", body), body, base64: true }),
    );
    expect(first).toMatchObject({ status: 202, body: { status: "accepted", id: "evt_it_1" } });
    expect(duplicate.status).toBe(202);

    const messages = await local.receive();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Attributes?.MessageGroupId).toBe("511#32203");
    expect(messages[0]?.Attributes?.MessageDeduplicationId).toBe("evt_it_1");
    const parsed = parseOrderEventMessage(messages[0]?.Body ?? "");
    expect(parsed.ok && parsed.event).toMatchObject({ storeId: 511, orderId: 32203, webhookId: "evt_it_1" });
    // A reference only: the customer's data stays out of the queue.
    expect(messages[0]?.Body).not.toContain("manuelcornejo");

    // Correlation ids in the log, personal data not.
    expect(first.logs).toContain('"webhook_id":"evt_it_1"');
    expect(first.logs).toContain('"order_id":"32203"');
    expect(first.logs).toContain("WebhookAccepted");
    expect(first.logs).not.toContain("manuelcornejo");
    expect(first.logs).not.toContain("20601373034");
  });

  it("refuses a forged webhook with 401 and enqueues nothing", async () => {
    const body = orderEvent("evt_it_forged", 1);
    const result = await invoke(
      functionUrlEvent({ headers: signed("evt_it_forged", body, ROTATED_OUT_SECRET), body }),
    );
    expect(result).toMatchObject({ status: 401, body: { error: { code: "bad_signature" } } });
    expect(result.logs).toContain("WebhookRefused");
    expect(await local.receive()).toHaveLength(0);
  });

  it("acknowledges an unknown event type with 200 and enqueues nothing", async () => {
    const body = orderEvent("evt_it_unknown", 2, "claims.created");
    const result = await invoke(functionUrlEvent({ headers: signed("evt_it_unknown", body), body }));
    expect(result).toMatchObject({ status: 200, body: { status: "ignored" } });
    expect(result.logs).toContain("WebhookIgnored");
    expect(await local.receive()).toHaveLength(0);
  });

  it("answers 503 when SQS does not accept the message, and nothing is enqueued", async () => {
    await local.sqs.send(new DeleteQueueCommand({ QueueUrl: local.queueUrl }));
    const body = orderEvent("evt_it_lost", 3);
    const result = await invoke(functionUrlEvent({ headers: signed("evt_it_lost", body), body }));
    expect(result).toMatchObject({ status: 503, body: { error: { code: "unavailable" } } });
    expect(result.logs).toContain("SQS did not accept the order event");

    // Same name → same URL: the recreated queue is empty, so the event was not half-delivered.
    const recreated = await createOrderEventsQueues(local.sqs);
    expect(recreated.queueUrl).toBe(local.queueUrl);
    expect(await local.receive()).toHaveLength(0);
    // Acelérala's retry then succeeds.
    const retry = await invoke(functionUrlEvent({ headers: signed("evt_it_lost", body), body }));
    expect(retry.status).toBe(202);
    expect((await local.receive()).map((m) => m.Attributes?.MessageDeduplicationId)).toEqual(["evt_it_lost"]);
  });
});

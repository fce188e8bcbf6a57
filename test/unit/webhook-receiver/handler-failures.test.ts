import type { SQSClient } from "@aws-sdk/client-sqs";
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createReceiverHandler } from "../../../functions/webhook-receiver/index";
import { createLogger, createMetrics } from "../../../lib/observability/logger";
import type { ReceiverDependencies } from "../../../lib/webhook/handle-request";
import { generateWebhookSecret, signWebhook } from "../../../lib/webhook/signature";

// The handler's failure paths with fake collaborators: every one must be a 5xx, so Acelérala retries.
const SECRET = generateWebhookSecret();
const NOW = 1_760_000_000;

function event(body: string): LambdaFunctionURLEvent {
  return {
    rawPath: "/webhooks/acelerala",
    headers: signWebhook(SECRET, "evt_1", NOW, body),
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: "POST" } },
  } as unknown as LambdaFunctionURLEvent;
}

const BODY = JSON.stringify({
  id: "evt_1",
  type: "orders.updated.placed",
  created: "2025-10-09T08:53:20Z",
  store_id: 511,
  data: { object: { id: 32203 } },
});

function dependencies(overrides: Partial<ReceiverDependencies>): ReceiverDependencies {
  return {
    sqs: { send: async () => ({ MessageId: "m-1" }) } as unknown as SQSClient,
    queueUrl: "http://127.0.0.1:1/000000000000/q.fifo",
    secrets: {
      getWebhookSecrets: async () => [SECRET],
      getAceleralaCredentials: async () => ({ client_id: "c", client_secret: "s" }),
    },
    logger: createLogger("unit-test"),
    metrics: createMetrics("unit-test"),
    nowSeconds: () => NOW,
    ...overrides,
  };
}

async function statusOf(result: Promise<LambdaFunctionURLResult>): Promise<number | undefined> {
  const answer = await result;
  return typeof answer === "string" ? undefined : answer.statusCode;
}

describe("webhook receiver failure paths", () => {
  afterEach(() => vi.restoreAllMocks());
  const quiet = () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  };

  it("202 once SQS accepted", async () => {
    quiet();
    expect(await statusOf(createReceiverHandler(async () => dependencies({}))(event(BODY)))).toBe(202);
  });

  it("503 when SQS refuses the message", async () => {
    quiet();
    const sqs = {
      send: async () => {
        throw new Error("ServiceUnavailable");
      },
    } as unknown as SQSClient;
    expect(await statusOf(createReceiverHandler(async () => dependencies({ sqs }))(event(BODY)))).toBe(503);
  });

  it("503 when the signing secrets cannot be read", async () => {
    quiet();
    const secrets = {
      getWebhookSecrets: async () => {
        throw new Error("AccessDeniedException");
      },
      getAceleralaCredentials: async () => ({ client_id: "c", client_secret: "s" }),
    };
    expect(await statusOf(createReceiverHandler(async () => dependencies({ secrets }))(event(BODY)))).toBe(
      503,
    );
  });

  it("503 when the environment is misconfigured", async () => {
    quiet();
    const broken = async (): Promise<ReceiverDependencies> => {
      throw new Error("ORDER_EVENTS_QUEUE_URL is missing");
    };
    expect(await statusOf(createReceiverHandler(broken)(event(BODY)))).toBe(503);
  });
});

describe("a weak signing secret", () => {
  afterEach(() => vi.restoreAllMocks());

  it("503, logged by position (never the value), with the WebhookSecretsInvalid metric for the alarm", async () => {
    const weak = `whsec_${Buffer.from("short-key-16byte").toString("base64")}`;
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(process.stderr, "write").mockImplementation(capture);
    const secrets = {
      getWebhookSecrets: async () => [SECRET, weak],
      getAceleralaCredentials: async () => ({ client_id: "c", client_secret: "s" }),
    };
    let sent = 0;
    const sqs = {
      send: async () => {
        sent++;
        return { MessageId: "m-1" };
      },
    } as unknown as SQSClient;
    expect(
      await statusOf(createReceiverHandler(async () => dependencies({ secrets, sqs }))(event(BODY))),
    ).toBe(503);
    expect(sent).toBe(0);
    const output = lines.join("");
    expect(output).toContain("#2 has 16 bytes");
    expect(output).toContain('"WebhookSecretsInvalid"');
    expect(output).not.toContain(weak.slice("whsec_".length));
    expect(output).not.toContain(SECRET.slice("whsec_".length));
  });
});

describe("a refused delivery", () => {
  afterEach(() => vi.restoreAllMocks());

  it("counts WebhookRefused once with the service alone (what its alarm reads) and once by reason", async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const forged = { ...event(BODY), headers: signWebhook(generateWebhookSecret(), "evt_1", NOW, BODY) };
    expect(await statusOf(createReceiverHandler(async () => dependencies({}))(forged))).toBe(401);
    const emf = lines
      .flatMap((line) => line.split("\n"))
      .filter((line) => line.includes('"_aws"'))
      .map(
        (line) =>
          JSON.parse(line) as { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] } } & Record<
            string,
            unknown
          >,
      )
      .filter((record) => record.WebhookRefused !== undefined);
    expect(emf.map((record) => record._aws.CloudWatchMetrics[0]?.Dimensions).sort()).toEqual([
      [["service"]],
      [["service", "reason"]],
    ]);
    expect(emf.find((record) => record.reason)?.reason).toBe("bad_signature");
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadConfigFields } from "../../../lib/config/env";

const SECRET_A = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SECRET_B = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

const LOCAL_ENV = {
  AWS_REGION: "us-east-1",
  TABLE_NAME: "acelerala-sunat",
  ORDER_EVENTS_QUEUE_URL: "http://127.0.0.1:4566/000000000000/acelerala-sunat-order-events.fifo",
  ORDER_EVENTS_DLQ_URL: "http://127.0.0.1:4566/000000000000/acelerala-sunat-order-events-dlq.fifo",
  ACELERALA_API_URL: "http://127.0.0.1:4010",
  WEBHOOK_SECRETS: `${SECRET_A} ${SECRET_B}`,
  ACELERALA_CREDENTIALS: JSON.stringify({
    "511": { client_id: "demo-client", client_secret: "demo-secret" },
  }),
};

function problemsOf(action: () => unknown): readonly string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("reads the local environment, with inline secrets and the default stores path", () => {
    const config = loadConfig(LOCAL_ENV);
    expect(config).toEqual({
      region: "us-east-1",
      tableName: "acelerala-sunat",
      orderEventsQueueUrl: LOCAL_ENV.ORDER_EVENTS_QUEUE_URL,
      orderEventsDlqUrl: LOCAL_ENV.ORDER_EVENTS_DLQ_URL,
      aceleralaApiUrl: "http://127.0.0.1:4010",
      webhookSecrets: { source: "env", value: [SECRET_A, SECRET_B] },
      aceleralaCredentials: {
        source: "env",
        value: { "511": { client_id: "demo-client", client_secret: "demo-secret" } },
      },
      storesConfigPath: "config/stores.json",
      cdrPollBaseSeconds: 60,
      workerRetryBaseSeconds: 10,
      aceleralaTimeoutSeconds: 10,
      receiptLookupDelaySeconds: 60,
    });
  });

  it("reads the timing settings and refuses non-positive ones by name", () => {
    const config = loadConfig({ ...LOCAL_ENV, CDR_POLL_BASE_SECONDS: "1", WORKER_RETRY_BASE_SECONDS: "0.5" });
    expect(config.cdrPollBaseSeconds).toBe(1);
    expect(config.workerRetryBaseSeconds).toBe(0.5);
    expect(() => loadConfig({ ...LOCAL_ENV, CDR_POLL_BASE_SECONDS: "0" })).toThrow(
      /CDR_POLL_BASE_SECONDS must be more than 0/,
    );
    expect(() => loadConfig({ ...LOCAL_ENV, WORKER_RETRY_BASE_SECONDS: "soon" })).toThrow(
      /WORKER_RETRY_BASE_SECONDS must be a number of seconds/,
    );
  });

  it("refuses a receipt look-up delay that a POST could outlast (not more than the Acelérala timeout)", () => {
    const config = loadConfig({
      ...LOCAL_ENV,
      ACELERALA_TIMEOUT_SECONDS: "2",
      RECEIPT_LOOKUP_DELAY_SECONDS: "3",
    });
    expect(config).toMatchObject({ aceleralaTimeoutSeconds: 2, receiptLookupDelaySeconds: 3 });
    expect(() => loadConfig({ ...LOCAL_ENV, RECEIPT_LOOKUP_DELAY_SECONDS: "10" })).toThrow(
      /RECEIPT_LOOKUP_DELAY_SECONDS \(10\) must be more than ACELERALA_TIMEOUT_SECONDS \(10\)/,
    );
  });

  it("reads Secrets Manager ARNs on AWS", () => {
    const { WEBHOOK_SECRETS: _w, ACELERALA_CREDENTIALS: _c, ...rest } = LOCAL_ENV;
    const config = loadConfig({
      ...rest,
      WEBHOOK_SECRETS_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf",
      ACELERALA_CREDENTIALS_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:acelerala-AbCdEf",
      STORES_CONFIG_PATH: "/opt/stores.json",
    });
    expect(config.webhookSecrets).toEqual({
      source: "secretsManager",
      arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbCdEf",
    });
    expect(config.aceleralaCredentials.source).toBe("secretsManager");
    expect(config.storesConfigPath).toBe("/opt/stores.json");
  });

  it("names every missing variable at once", () => {
    const problems = problemsOf(() => loadConfig({}));
    expect(problems).toEqual([
      "AWS_REGION is missing",
      "TABLE_NAME is missing",
      "ORDER_EVENTS_QUEUE_URL is missing",
      "ORDER_EVENTS_DLQ_URL is missing",
      "ACELERALA_API_URL is missing",
      "WEBHOOK_SECRETS or WEBHOOK_SECRETS_ARN is missing",
      "ACELERALA_CREDENTIALS or ACELERALA_CREDENTIALS_ARN is missing",
    ]);
  });

  it("names the invalid variable and the rule it breaks", () => {
    expect(problemsOf(() => loadConfig({ ...LOCAL_ENV, ACELERALA_API_URL: "127.0.0.1:4010" }))).toEqual([
      "ACELERALA_API_URL must be an http(s) URL",
    ]);
    expect(problemsOf(() => loadConfig({ ...LOCAL_ENV, WEBHOOK_SECRETS: "not-a-secret" }))[0]).toMatch(
      /^WEBHOOK_SECRETS 0: each secret must be whsec_/,
    );
    expect(problemsOf(() => loadConfig({ ...LOCAL_ENV, WEBHOOK_SECRETS: "   " }))).toEqual([
      "WEBHOOK_SECRETS or WEBHOOK_SECRETS_ARN is missing",
    ]);
    expect(
      problemsOf(() =>
        loadConfig({ ...LOCAL_ENV, WEBHOOK_SECRETS_ARN: "arn:aws:secretsmanager:us-east-1:1:secret:x" }),
      ),
    ).toEqual(["set only one of WEBHOOK_SECRETS and WEBHOOK_SECRETS_ARN"]);
    expect(problemsOf(() => loadConfig({ ...LOCAL_ENV, TABLE_NAME: " " }))).toEqual([
      "TABLE_NAME must be set",
    ]);
  });

  it("never echoes a secret value in its error", () => {
    const problems = problemsOf(() =>
      loadConfig({
        ...LOCAL_ENV,
        ACELERALA_CREDENTIALS: '{"511": {"client_id": "x", "client_secret": "sup3r',
      }),
    );
    expect(problems).toEqual(["ACELERALA_CREDENTIALS is not valid JSON"]);
    const shape = problemsOf(() =>
      loadConfig({ ...LOCAL_ENV, ACELERALA_CREDENTIALS: '{"511": {"client_id": "x", "secret": "sup3r"}}' }),
    );
    expect(shape.join(" ")).toContain("511.client_secret");
    expect(shape.join(" ")).not.toContain("sup3r");
  });
});

describe("per-function loaders", () => {
  it("the receiver needs only region, queue and webhook secrets", () => {
    const receiverFields = ["region", "orderEventsQueueUrl", "webhookSecrets"] as const;
    const config = loadConfigFields(
      {
        AWS_REGION: "us-east-1",
        ORDER_EVENTS_QUEUE_URL: LOCAL_ENV.ORDER_EVENTS_QUEUE_URL,
        WEBHOOK_SECRETS: SECRET_A,
      },
      receiverFields,
    );
    expect(config.webhookSecrets).toEqual({ source: "env", value: [SECRET_A] });
    expect(problemsOf(() => loadConfigFields({ AWS_REGION: "us-east-1" }, receiverFields))).toEqual([
      "ORDER_EVENTS_QUEUE_URL is missing",
      "WEBHOOK_SECRETS or WEBHOOK_SECRETS_ARN is missing",
    ]);
  });

  it("loadConfigFields returns only what was asked", () => {
    expect(loadConfigFields(LOCAL_ENV, ["tableName"])).toEqual({ tableName: "acelerala-sunat" });
  });
});

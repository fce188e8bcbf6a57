import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../lib/config/env";
import { createSecretsSource, type SecretFetcher } from "../../../lib/config/secrets";

const WEBHOOK_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook";
const CREDENTIALS_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:credentials";
const SECRET_A = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SECRET_B = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

function fakeSecretsManager(documents: Record<string, unknown>): SecretFetcher & { calls: string[] } {
  const calls: string[] = [];
  const fetcher = async (arn: string) => {
    calls.push(arn);
    if (!(arn in documents)) throw new Error(`ResourceNotFoundException: ${arn}`);
    return documents[arn];
  };
  return Object.assign(fetcher, { calls });
}

describe("createSecretsSource", () => {
  it("serves inline secrets without calling Secrets Manager", async () => {
    const fetcher = fakeSecretsManager({});
    const source = createSecretsSource(
      {
        webhookSecrets: { source: "env", value: [SECRET_A] },
        aceleralaCredentials: {
          source: "env",
          value: { "511": { client_id: "demo-client", client_secret: "s" } },
        },
      },
      fetcher,
    );
    expect(await source.getWebhookSecrets()).toEqual([SECRET_A]);
    expect(await source.getAceleralaCredentials(511)).toEqual({
      client_id: "demo-client",
      client_secret: "s",
    });
    expect(fetcher.calls).toEqual([]);
  });

  it("reads {secrets: [...]} and the per-store credentials from Secrets Manager", async () => {
    const fetcher = fakeSecretsManager({
      [WEBHOOK_ARN]: { secrets: [SECRET_A, SECRET_B] },
      [CREDENTIALS_ARN]: { "511": { client_id: "c", client_secret: "s" } },
    });
    const source = createSecretsSource(
      {
        webhookSecrets: { source: "secretsManager", arn: WEBHOOK_ARN },
        aceleralaCredentials: { source: "secretsManager", arn: CREDENTIALS_ARN },
      },
      fetcher,
    );
    expect(await source.getWebhookSecrets()).toEqual([SECRET_A, SECRET_B]);
    expect(await source.getAceleralaCredentials("511")).toEqual({ client_id: "c", client_secret: "s" });
    expect(fetcher.calls).toEqual([WEBHOOK_ARN, CREDENTIALS_ARN]);
  });

  it("refuses a malformed secret document, naming the field but not the value", async () => {
    const source = createSecretsSource(
      { webhookSecrets: { source: "secretsManager", arn: WEBHOOK_ARN } },
      fakeSecretsManager({ [WEBHOOK_ARN]: { secrets: ["plain-text-value"] } }),
    );
    const error = await source.getWebhookSecrets().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain("secrets.0");
    expect(String(error)).not.toContain("plain-text-value");
  });

  it("names the store that has no credentials", async () => {
    const source = createSecretsSource({
      aceleralaCredentials: { source: "env", value: { "511": { client_id: "c", client_secret: "s" } } },
    });
    await expect(source.getAceleralaCredentials(999)).rejects.toThrow(
      "no Acelérala credentials for store 999",
    );
    await expect(source.getWebhookSecrets()).rejects.toThrow(
      "WEBHOOK_SECRETS or WEBHOOK_SECRETS_ARN is missing",
    );
  });
});

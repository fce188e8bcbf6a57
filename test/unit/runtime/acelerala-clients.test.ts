import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AceleralaCredentials } from "../../../lib/config/env";
import {
  createSecretsSource,
  SECRET_CACHE_SECONDS,
  secretsManagerFetcher,
} from "../../../lib/config/secrets";
import { aceleralaClients } from "../../../lib/runtime";
import { apiError, failure, fakeFetch, type RecordedRequest, tokenResponse } from "../acelerala/fake-fetch";

// Rotated Acelérala credentials reach warm functions: through Powertools Parameters' real cache (its clock
// faked), with Secrets Manager answered by a stub inside a real SDK client, and the API by a scripted fetch.

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:acelerala-credentials";
const STORE = 511;
const OLD: AceleralaCredentials = { client_id: "client-2025", client_secret: "old-secret" };
const NEW: AceleralaCredentials = { client_id: "client-2026", client_secret: "new-secret" };
const T0 = new Date("2026-11-30T12:00:00.000Z");

/** Secrets Manager holding one secret whose value the test rotates; counts the reads that reach it. */
function secretsManager(initial: AceleralaCredentials) {
  let secretString = JSON.stringify({ [String(STORE)]: initial });
  let reads = 0;
  const sdk = new SecretsManagerClient({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  // Answers before anything is serialized or sent: the SDK client, Powertools' provider and its cache are real.
  sdk.middlewareStack.add(
    () => async () => {
      reads++;
      return { output: { SecretString: secretString, $metadata: {} }, response: {} };
    },
    { step: "initialize", name: "secretsManagerStub" },
  );
  return {
    fetcher: secretsManagerFetcher(new SecretsProvider({ awsSdkV3Client: sdk })),
    rotate(next: AceleralaCredentials) {
      secretString = JSON.stringify({ [String(STORE)]: next });
    },
    get reads() {
      return reads;
    },
  };
}

function basicCredentials(request: RecordedRequest): string {
  return Buffer.from((request.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString("utf8");
}

/**
 * Acelérala's token route: accepts only the credentials in `valid`, with tokens that live 30 s (the client asks
 * for a new one after 27 s); records who asked.
 */
function acelerala(
  valid: () => AceleralaCredentials,
  refusal = () => apiError(401, "authentication_error", "invalid_client"),
) {
  return fakeFetch((request) => {
    const { client_id, client_secret } = valid();
    return basicCredentials(request) === `${client_id}:${client_secret}`
      ? tokenResponse(`token-for-${client_id}`, 30)
      : refusal();
  });
}

function clientsFor(manager: ReturnType<typeof secretsManager>, fetch: typeof globalThis.fetch) {
  const source = createSecretsSource(
    { aceleralaCredentials: { source: "secretsManager", arn: ARN } },
    manager.fetcher,
  );
  return aceleralaClients(
    {
      aceleralaApiUrl: "https://api.example.test",
      aceleralaCredentials: { source: "secretsManager", arn: ARN },
    },
    source,
    { fetch },
  );
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("aceleralaClients with rotated credentials", () => {
  it("uses a rotated secret within the cache time, without a restart", async () => {
    const manager = secretsManager(OLD);
    let accepted = OLD;
    const fetch = acelerala(() => accepted);
    const api = clientsFor(manager, fetch);

    const first = await api(STORE);
    expect(await first.accessToken()).toBe("token-for-client-2025");
    // A second later the operator puts the new credentials in the secret; both still work at Acelérala.
    vi.setSystemTime(T0.getTime() + 1_000);
    manager.rotate(NEW);
    accepted = NEW;

    // Until the cached value expires, the same client (and its token) is used: no read per call.
    vi.setSystemTime(T0.getTime() + (SECRET_CACHE_SECONDS - 1) * 1000);
    expect(await api(STORE)).toBe(first);
    expect(manager.reads).toBe(1);

    // Then the new value is read, and a client with it replaces the old one.
    vi.setSystemTime(T0.getTime() + (SECRET_CACHE_SECONDS + 1) * 1000);
    const rotated = await api(STORE);
    expect(rotated).not.toBe(first);
    expect(await rotated.accessToken()).toBe("token-for-client-2026");
    expect(manager.reads).toBe(2);
    expect(fetch.requests.map(basicCredentials)).toEqual([
      "client-2025:old-secret",
      "client-2026:new-secret",
    ]);
  });

  it.each([400, 401, 403])(
    "reads the secret afresh after the token request is refused with %i (the old credentials were revoked)",
    async (status) => {
      const manager = secretsManager(OLD);
      let accepted = OLD;
      const fetch = acelerala(
        () => accepted,
        () => apiError(status, "authentication_error", "invalid_client"),
      );
      const api = clientsFor(manager, fetch);
      expect(await (await api(STORE)).accessToken()).toBe("token-for-client-2025");

      // Rotated at Acelérala and in the secret a minute later; the cache still holds the old value.
      vi.setSystemTime(T0.getTime() + 60_000);
      manager.rotate(NEW);
      accepted = NEW;
      const stale = await api(STORE);
      // Its token has expired: it asks for a new one with the old credentials, which Acelérala refuses.
      const refused = await failure(stale.accessToken());
      expect(refused).toMatchObject({ kind: expect.any(String), status, route: "POST /v1/token" });
      expect(manager.reads).toBe(1);

      // The next call (the worker's retry) bypasses the cache and gets a client with the new credentials.
      const fresh = await api(STORE);
      expect(manager.reads).toBe(2);
      expect(fresh).not.toBe(stale);
      expect(await fresh.accessToken()).toBe("token-for-client-2026");
      // Only once: later calls use the cache again.
      expect(await api(STORE)).toBe(fresh);
      expect(manager.reads).toBe(2);
    },
  );

  it("does not bypass the cache when the token request fails for another reason (5xx, 429)", async () => {
    const manager = secretsManager(OLD);
    let status = 503;
    const fetch = fakeFetch(() => apiError(status, "api_error", "unavailable"));
    const api = clientsFor(manager, fetch);
    await failure((await api(STORE)).accessToken());
    status = 429;
    await failure((await api(STORE)).accessToken());
    await api(STORE);
    expect(manager.reads).toBe(1);
  });

  it("keeps one client per store for inline credentials (the local stack), and tries a failed read again", async () => {
    const fetch = acelerala(() => OLD);
    const inline = aceleralaClients(
      {
        aceleralaApiUrl: "https://api.example.test",
        aceleralaCredentials: { source: "env", value: { [String(STORE)]: OLD } },
      },
      undefined,
      { fetch },
    );
    expect(await inline(STORE)).toBe(await inline(STORE));

    let failures = 1;
    const flaky = aceleralaClients(
      {
        aceleralaApiUrl: "https://api.example.test",
        aceleralaCredentials: { source: "secretsManager", arn: ARN },
      },
      {
        getWebhookSecrets: async () => [],
        getAceleralaCredentials: async () => {
          if (failures-- > 0) throw new Error("Secrets Manager unreachable");
          return OLD;
        },
      },
    );
    await expect(flaky(STORE)).rejects.toThrow("Secrets Manager unreachable");
    await expect(flaky(STORE)).resolves.toBeDefined();
  });
});

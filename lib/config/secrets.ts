import { getSecret, type SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import * as z from "zod/mini";
import {
  type AceleralaCredentials,
  type AppConfig,
  ConfigError,
  CredentialsByStoreSchema,
  type SecretReference,
  StoreNotConfiguredError,
} from "./env";

/** How long a secret read from Secrets Manager is reused between invocations before it is read again. */
export const SECRET_CACHE_SECONDS = 5 * 60;

/**
 * Reads a JSON secret by ARN: from a cache for SECRET_CACHE_SECONDS, or from Secrets Manager when `fresh` (after
 * the value was refused, e.g. rotated credentials the cache does not know yet).
 */
export type SecretFetcher = (arn: string, options?: { fresh?: boolean }) => Promise<unknown>;

/** Powertools Parameters' cache; `provider` for tests, else Powertools' default Secrets Manager provider. */
export function secretsManagerFetcher(provider?: SecretsProvider): SecretFetcher {
  return (arn, { fresh = false } = {}) => {
    const options = { maxAge: SECRET_CACHE_SECONDS, transform: "json", forceFetch: fresh } as const;
    return provider ? provider.get(arn, options) : getSecret(arn, options);
  };
}

export const powertoolsSecretFetcher: SecretFetcher = secretsManagerFetcher();

/** Secrets Manager shape of the webhook signing secrets: several at once during a rotation. */
export const WebhookSecretsDocumentSchema = z.object(
  {
    secrets: z
      .array(
        z
          .string({ error: "must be a string" })
          .check(z.regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, "must be whsec_ followed by base64")),
        { error: "must be a list of whsec_ secrets" },
      )
      .check(z.minLength(1, "must hold at least one secret")),
  },
  { error: "must be an object" },
);

export type SecretsSource = {
  /** The active webhook signing secrets (one, or two during a rotation). */
  getWebhookSecrets(): Promise<string[]>;
  /**
   * The Acelérala API client credentials of one store. Throws ConfigError when the store has none. `fresh`
   * bypasses the cache (inline values are what they are).
   */
  getAceleralaCredentials(
    storeId: number | string,
    options?: { fresh?: boolean },
  ): Promise<AceleralaCredentials>;
};

async function resolve<Inline>(
  reference: SecretReference<Inline>,
  documentSchema: z.ZodMiniType<Inline>,
  label: string,
  fetchSecret: SecretFetcher,
  fresh = false,
): Promise<Inline> {
  if (reference.source === "env") return reference.value;
  const document = await fetchSecret(reference.arn, { fresh });
  const parsed = documentSchema.safeParse(document);
  if (!parsed.success) {
    // Name the secret and the field; never print the value.
    const where = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ConfigError([`secret ${label} (${reference.arn}) is malformed: ${where.join(", ")}`]);
  }
  return parsed.data;
}

/**
 * Secrets for the handlers: inline values locally, Secrets Manager on AWS. Create it once, outside the handler;
 * Powertools caches values for SECRET_CACHE_SECONDS, so a rotation is picked up within that time.
 */
export function createSecretsSource(
  config: Partial<Pick<AppConfig, "webhookSecrets" | "aceleralaCredentials">>,
  fetchSecret: SecretFetcher = powertoolsSecretFetcher,
): SecretsSource {
  return {
    async getWebhookSecrets() {
      if (!config.webhookSecrets)
        throw new ConfigError(["WEBHOOK_SECRETS or WEBHOOK_SECRETS_ARN is missing"]);
      if (config.webhookSecrets.source === "env") return config.webhookSecrets.value;
      const document = await resolve(
        { source: "secretsManager", arn: config.webhookSecrets.arn },
        WebhookSecretsDocumentSchema,
        "WEBHOOK_SECRETS_ARN",
        fetchSecret,
      );
      return document.secrets;
    },
    async getAceleralaCredentials(storeId, { fresh = false } = {}) {
      if (!config.aceleralaCredentials) {
        throw new ConfigError(["ACELERALA_CREDENTIALS or ACELERALA_CREDENTIALS_ARN is missing"]);
      }
      const byStore = await resolve(
        config.aceleralaCredentials,
        CredentialsByStoreSchema,
        "ACELERALA_CREDENTIALS_ARN",
        fetchSecret,
        fresh,
      );
      const credentials = byStore[String(storeId)];
      if (!credentials) throw new StoreNotConfiguredError(Number(storeId));
      return credentials;
    },
  };
}

// zod/mini: the receiver bundles this module, and its size and start-up time matter (issue 15).
import * as z from "zod/mini";
import { DEFAULT_ACELERALA_TIMEOUT_SECONDS } from "../time-budget";
import { parseWebhookSecrets } from "../webhook/signature";

/**
 * The environment contract shared by the handlers and the CLI (same names on AWS and locally).
 * Secrets come either inline (local stack only) or as a Secrets Manager ARN (AWS); exactly one of the two.
 */

export type SecretReference<Inline> =
  | { source: "env"; value: Inline }
  | { source: "secretsManager"; arn: string };

export type AceleralaCredentials = { client_id: string; client_secret: string };

const requiredText = z.string({ error: "must be a string" }).check(z.minLength(1, "must not be empty"));

export const AceleralaCredentialsSchema = z.object({
  client_id: requiredText,
  client_secret: requiredText,
});

/** `{"<store_id>": {"client_id": "...", "client_secret": "..."}}`: the same shape inline and in Secrets Manager. */
export const CredentialsByStoreSchema = z.record(
  z.string().check(z.regex(/^\d+$/, "store ids are numeric")),
  AceleralaCredentialsSchema,
  { error: "must be an object of store ids" },
);
export type CredentialsByStore = z.infer<typeof CredentialsByStoreSchema>;

export type AppConfig = {
  region: string;
  tableName: string;
  orderEventsQueueUrl: string;
  orderEventsDlqUrl: string;
  aceleralaApiUrl: string;
  webhookSecrets: SecretReference<string[]>;
  aceleralaCredentials: SecretReference<CredentialsByStore>;
  storesConfigPath: string;
  /** First CDR poll this long after submission; the poller's back-off starts from it (1, 2, 4 … 30 min). */
  cdrPollBaseSeconds: number;
  /** A transient failure brings the message back after base × 2^(receives − 1) seconds (capped at 15 min). */
  workerRetryBaseSeconds: number;
  /** How long a call to Acelérala may take before it is abandoned (a POST may still commit until then). */
  aceleralaTimeoutSeconds: number;
  /**
   * How long after a POST /v1/receipts its absence from the API's lists is believed (it may have been
   * committed until the timeout, and lists may lag behind writes). Must be more than the timeout.
   */
  receiptLookupDelaySeconds: number;
};

export const DEFAULT_STORES_CONFIG_PATH = "config/stores.json";

export class ConfigError extends Error {
  override readonly name: string = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
  }
}

/** The credentials secret holds no entry for this store: the store is not set up, not a passing fault. */
export class StoreNotConfiguredError extends ConfigError {
  override readonly name = "StoreNotConfiguredError";
  constructor(readonly storeId: number) {
    super([`no Acelérala credentials for store ${storeId}`]);
  }
}

/** The process environment, or what stands for it in a test. */
export type Env = Readonly<Record<string, string | undefined>>;

const nonEmpty = z.string().check(z.trim(), z.minLength(1, "must be set"));
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const positiveSeconds = (fallback: number) =>
  z._default(
    z.coerce.number({ error: "must be a number of seconds" }).check(z.positive("must be more than 0")),
    fallback,
  );
const secretArn = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:secretsmanager:/, "must be a Secrets Manager ARN"));

const webhookSecretList = z.pipe(
  z.pipe(
    z.string(),
    z.transform((value: string) => parseWebhookSecrets(value)),
  ),
  z
    .array(
      z
        .string()
        .check(
          z.regex(
            /^whsec_[A-Za-z0-9+/]+={0,2}$/,
            "each secret must be whsec_ followed by base64 (no quotes)",
          ),
        ),
    )
    .check(z.minLength(1, "must hold at least one whsec_ secret")),
);

const credentialsJson = z.pipe(
  z.pipe(
    z.string(),
    z.transform((text: string, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // Never echo the value: it is a secret.
        context.issues.push({ code: "custom", message: "is not valid JSON", input: "(secret)" });
        return z.NEVER;
      }
    }),
  ),
  CredentialsByStoreSchema,
);

/** Reads one variable with its schema; records a problem naming the variable instead of throwing. */
function read<T>(env: Env, name: string, schema: z.ZodMiniType<T>, problems: string[]): T | undefined {
  const result = schema.safeParse(env[name]);
  if (result.success) return result.data;
  const detail = result.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join(", ");
  problems.push(env[name] === undefined ? `${name} is missing` : `${name} ${detail}`);
  return undefined;
}

function readSecretReference<Inline>(
  env: Env,
  inlineName: string,
  arnName: string,
  inlineSchema: z.ZodMiniType<Inline>,
  problems: string[],
): SecretReference<Inline> | undefined {
  const hasInline = (env[inlineName] ?? "").trim() !== "";
  const hasArn = (env[arnName] ?? "").trim() !== "";
  if (hasInline && hasArn) {
    problems.push(`set only one of ${inlineName} and ${arnName}`);
    return undefined;
  }
  if (hasArn) {
    const arn = read(env, arnName, secretArn, problems);
    return arn === undefined ? undefined : { source: "secretsManager", arn };
  }
  if (hasInline) {
    const value = read(env, inlineName, inlineSchema, problems);
    return value === undefined ? undefined : { source: "env", value };
  }
  problems.push(`${inlineName} or ${arnName} is missing`);
  return undefined;
}

type Field = keyof AppConfig;

const readers: { [K in Field]: (env: Env, problems: string[]) => AppConfig[K] | undefined } = {
  region: (env, p) => read(env, "AWS_REGION", nonEmpty, p),
  tableName: (env, p) => read(env, "TABLE_NAME", nonEmpty, p),
  orderEventsQueueUrl: (env, p) => read(env, "ORDER_EVENTS_QUEUE_URL", httpUrl, p),
  orderEventsDlqUrl: (env, p) => read(env, "ORDER_EVENTS_DLQ_URL", httpUrl, p),
  aceleralaApiUrl: (env, p) => read(env, "ACELERALA_API_URL", httpUrl, p),
  webhookSecrets: (env, p) =>
    readSecretReference(env, "WEBHOOK_SECRETS", "WEBHOOK_SECRETS_ARN", webhookSecretList, p),
  aceleralaCredentials: (env, p) =>
    readSecretReference(env, "ACELERALA_CREDENTIALS", "ACELERALA_CREDENTIALS_ARN", credentialsJson, p),
  cdrPollBaseSeconds: (env, p) => read(env, "CDR_POLL_BASE_SECONDS", positiveSeconds(60), p),
  workerRetryBaseSeconds: (env, p) => read(env, "WORKER_RETRY_BASE_SECONDS", positiveSeconds(10), p),
  aceleralaTimeoutSeconds: (env, p) =>
    read(env, "ACELERALA_TIMEOUT_SECONDS", positiveSeconds(DEFAULT_ACELERALA_TIMEOUT_SECONDS), p),
  receiptLookupDelaySeconds: (env, p) => {
    const delay = read(env, "RECEIPT_LOOKUP_DELAY_SECONDS", positiveSeconds(60), p);
    const timeout = positiveSeconds(DEFAULT_ACELERALA_TIMEOUT_SECONDS).safeParse(
      env.ACELERALA_TIMEOUT_SECONDS,
    );
    if (delay !== undefined && timeout.success && delay <= timeout.data) {
      p.push(
        `RECEIPT_LOOKUP_DELAY_SECONDS (${delay}) must be more than ACELERALA_TIMEOUT_SECONDS (${timeout.data}): a POST can be committed until the timeout`,
      );
      return undefined;
    }
    return delay;
  },
  storesConfigPath: (env, p) =>
    read(
      env,
      "STORES_CONFIG_PATH",
      z._default(z.string().check(z.trim(), z.minLength(1, "must be set")), DEFAULT_STORES_CONFIG_PATH),
      p,
    ),
};

/**
 * Parses only the variables a function needs (the receiver needs no table, the poller no queue), and reports
 * every missing or invalid one at once, by name. Values of secret variables never appear in the message.
 */
export function loadConfigFields<const K extends Field>(env: Env, fields: readonly K[]): Pick<AppConfig, K> {
  const problems: string[] = [];
  const config: Partial<AppConfig> = {};
  for (const field of fields) {
    const value = readers[field](env, problems);
    if (value !== undefined) (config as Record<Field, unknown>)[field] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as Pick<AppConfig, K>;
}

const ALL_FIELDS = Object.keys(readers) as Field[];

/** The whole contract: every variable must be present and valid. */
export function loadConfig(env: Env = process.env): AppConfig {
  return loadConfigFields(env, ALL_FIELDS);
}

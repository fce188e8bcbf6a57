import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AceleralaClient, type AceleralaClientOptions } from "./acelerala/client";
import type { AceleralaCredentials, AppConfig } from "./config/env";
import { createSecretsSource, type SecretsSource } from "./config/secrets";
import { ReceiptStore } from "./store/receipt-store";

/**
 * The collaborators the worker, the poller and the CLI share, built once per execution environment from the
 * configuration (environment + secrets source) and reused by every invocation.
 */

export function createDocumentClient(
  region: string | undefined,
  overrides: DynamoDBClientConfig = {},
): DynamoDBDocumentClient {
  // Locally AWS_ENDPOINT_URL_DYNAMODB (or an explicit endpoint override, for the CLI) points the SDK at
  // DynamoDB Local; on AWS neither is set.
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...(region ? { region } : {}), ...overrides }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createReceiptStore(config: Pick<AppConfig, "region" | "tableName">): ReceiptStore {
  return new ReceiptStore(createDocumentClient(config.region), config.tableName);
}

/**
 * The Acelérala client of each store (each has its own credentials and token). Every call reads the store's
 * credentials from the secrets source, which caches them for SECRET_CACHE_SECONDS (so the read is free between
 * refreshes), and builds a new client when they changed: a warm function uses rotated credentials within that
 * time. When the API refuses a store's credentials (its token request fails with 400/401/403), the next call for
 * that store reads the secret afresh, so a rotation Acelérala has already enforced is picked up at once. A failed
 * read is not cached: the next call tries again.
 */
export function aceleralaClients(
  config: Pick<AppConfig, "aceleralaApiUrl" | "aceleralaCredentials"> &
    Partial<Pick<AppConfig, "aceleralaTimeoutSeconds">>,
  secrets: SecretsSource = createSecretsSource(config),
  clientOptions: Pick<AceleralaClientOptions, "fetch" | "now" | "timeoutMs"> = {},
): (storeId: number) => Promise<AceleralaClient> {
  const clients = new Map<number, { credentials: AceleralaCredentials; client: AceleralaClient }>();
  const refused = new Set<number>();
  return async (storeId) => {
    const fresh = refused.delete(storeId);
    const credentials = await secrets.getAceleralaCredentials(storeId, { fresh });
    const current = clients.get(storeId);
    if (
      current?.credentials.client_id === credentials.client_id &&
      current.credentials.client_secret === credentials.client_secret
    )
      return current.client;
    const client = new AceleralaClient({
      ...(config.aceleralaTimeoutSeconds ? { timeoutMs: config.aceleralaTimeoutSeconds * 1000 } : {}),
      ...clientOptions,
      baseUrl: config.aceleralaApiUrl,
      credentials,
      onCredentialsRefused: () => refused.add(storeId),
    });
    clients.set(storeId, { credentials, client });
    return client;
  };
}

import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AceleralaClient } from "./acelerala/client";
import type { AppConfig } from "./config/env";
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
 * One Acelérala client per store (each store has its own credentials and token), created on first use.
 * A failed creation is not cached, so a fixed secret is picked up by the next call.
 */
export function aceleralaClients(
  config: Pick<AppConfig, "aceleralaApiUrl" | "aceleralaCredentials"> &
    Partial<Pick<AppConfig, "aceleralaTimeoutSeconds">>,
  secrets: SecretsSource = createSecretsSource(config),
): (storeId: number) => Promise<AceleralaClient> {
  const clients = new Map<number, Promise<AceleralaClient>>();
  return (storeId) => {
    let client = clients.get(storeId);
    if (!client) {
      client = secrets.getAceleralaCredentials(storeId).then(
        (credentials) =>
          new AceleralaClient({
            baseUrl: config.aceleralaApiUrl,
            credentials,
            ...(config.aceleralaTimeoutSeconds ? { timeoutMs: config.aceleralaTimeoutSeconds * 1000 } : {}),
          }),
      );
      client.catch(() => clients.delete(storeId));
      clients.set(storeId, client);
    }
    return client;
  };
}

/**
 * Builds a function's collaborators on its first invocation and hands the same ones to every later invocation
 * of the execution environment. A failed build (a bad variable, an unreadable stores file) is not kept, so the
 * next invocation tries again once the configuration is fixed.
 */
export function oncePerEnvironment<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    if (!built) {
      const attempt = build();
      built = attempt;
      attempt.catch(() => {
        if (built === attempt) built = undefined;
      });
    }
    return built;
  };
}

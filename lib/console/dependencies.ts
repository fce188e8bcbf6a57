import type { Logger } from "@aws-lambda-powertools/logger";
import { type Env, loadConfigFields } from "../config/env";
import { loadStores } from "../config/stores";
import { peekDlq, replayDlq } from "../ops/dlq";
import { createSqsClient, enqueueOrderEvent } from "../queue/order-events";
import { aceleralaClients, createReceiptStore } from "../runtime";
import type { ConsoleDeps } from "./app";

/**
 * The console's collaborators, from the environment (functions/console builds them once per environment):
 * TABLE_NAME, ORDER_EVENTS_QUEUE_URL, ORDER_EVENTS_DLQ_URL, ACELERALA_API_URL, ACELERALA_CREDENTIALS(_ARN),
 * STORES_CONFIG_PATH; CONSOLE_ALLOWED_HOSTS (comma-separated Host headers the console answers, locally) or
 * CONSOLE_TRUST_PROXY_ORIGIN=true (on AWS, behind IAM, for the signing proxy).
 */
export async function consoleDependencies(env: Env, logger: Logger): Promise<ConsoleDeps> {
  const config = loadConfigFields(env, [
    "region",
    "tableName",
    "orderEventsQueueUrl",
    "orderEventsDlqUrl",
    "aceleralaApiUrl",
    "aceleralaCredentials",
    "storesConfigPath",
  ]);
  const stores = await loadStores(config.storesConfigPath);
  const records = createReceiptStore(config);
  const sqs = createSqsClient(config.region);
  const allowedHosts = (env.CONSOLE_ALLOWED_HOSTS ?? "")
    .split(",")
    .map((host) => host.trim())
    .filter(Boolean);
  return {
    storeIds: stores.map((store) => store.store_id),
    api: aceleralaClients(config),
    records,
    enqueue: async (event) => {
      await enqueueOrderEvent(sqs, config.orderEventsQueueUrl, event);
    },
    dlq: {
      peek: (max) => peekDlq(sqs, config.orderEventsDlqUrl, { max }),
      replay: ({ dryRun, max }) =>
        replayDlq(sqs, {
          dlqUrl: config.orderEventsDlqUrl,
          queueUrl: config.orderEventsQueueUrl,
          dryRun,
          ...(max === undefined ? {} : { max }),
        }),
    },
    now: () => new Date(),
    ...(allowedHosts.length > 0 ? { allowedHosts } : {}),
    trustProxyOrigin: env.CONSOLE_TRUST_PROXY_ORIGIN === "true",
    logError: (message, error) => logger.error(message, { error }),
  };
}

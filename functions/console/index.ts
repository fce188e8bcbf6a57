import { handle } from "hono/aws-lambda";
import { loadConfigFields } from "../../lib/config/env";
import { loadStores } from "../../lib/config/stores";
import { type ConsoleDeps, createConsoleApp } from "../../lib/console/app";
import { createLogger } from "../../lib/observability/logger";
import { peekDlq, replayDlq } from "../../lib/ops/dlq";
import { createSqsClient, enqueueOrderEvent } from "../../lib/queue/order-events";
import { aceleralaClients, createReceiptStore, oncePerEnvironment } from "../../lib/runtime";

/**
 * The merchant's web console (lib/console/app.tsx) behind a Function URL: AWS_IAM on AWS, so only signed
 * requests arrive (`cpe console --aws` signs them with the operator's credentials); locally the Lambda runner
 * serves it on CONSOLE_PORT for `npm start`.
 *
 * Environment: TABLE_NAME, ORDER_EVENTS_QUEUE_URL, ORDER_EVENTS_DLQ_URL, ACELERALA_API_URL,
 * ACELERALA_CREDENTIALS(_ARN), STORES_CONFIG_PATH; CONSOLE_ALLOWED_HOSTS (comma-separated Host headers the
 * console answers, locally) or CONSOLE_TRUST_PROXY_ORIGIN=true (on AWS, behind IAM, for the signing proxy).
 */

const logger = createLogger("console");

const environmentDependencies = oncePerEnvironment<ConsoleDeps>(async () => {
  const config = loadConfigFields(process.env, [
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
  const allowedHosts = (process.env.CONSOLE_ALLOWED_HOSTS ?? "")
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
    trustProxyOrigin: process.env.CONSOLE_TRUST_PROXY_ORIGIN === "true",
    logError: (message, error) => logger.error(message, { error }),
  };
});

export const app = createConsoleApp(environmentDependencies);

export const handler = handle(app);

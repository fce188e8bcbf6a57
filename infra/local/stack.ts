import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { ORDER_EVENTS_QUEUE } from "../../lib/queue/queue-definition";
import {
  DEFAULT_ACELERALA_TIMEOUT_SECONDS,
  POLLER_TIMEOUT_SECONDS,
  RECEIVER_TIMEOUT_SECONDS,
  RECONCILER_TIMEOUT_SECONDS,
} from "../../lib/time-budget";
import { SUBSCRIBED_EVENTS } from "../../lib/webhook/envelope";
import { generateWebhookSecret } from "../../lib/webhook/signature";
import type { CursorReading } from "../simulator/lists";
import { type Simulator, startSimulator } from "../simulator/server";
import type { NumberingMode } from "../simulator/state";
import type { LocalLog } from "./aws-local-constants";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, LOOPBACK_HOST } from "./aws-local-constants";
import { findFreePort } from "./free-port";
import { type LocalAws, type LocalAwsEnv, startLocalAws } from "./local-aws";
import { ensureReceiptsTable } from "./receipts-table";
import { type FunctionUrlServer, startFunctionUrlServer } from "./runner/function-url-server";
import { type LambdaFunction, startLambdaFunction } from "./runner/lambda-function";
import { type Schedule, startSchedule } from "./runner/schedule";
import { type SqsEventSource, startSqsEventSource } from "./runner/sqs-event-source";
import { createOrderEventsQueues } from "./sqs-local";

/**
 * The whole system on one machine: DynamoDB Local and fauxqs (the AWS side), the Acelérala simulator, and
 * the real handlers run by the local Lambda runner — the receiver behind a Function URL server, the worker on
 * the queue's event source, the CDR poller and the reconciler on timers, and (when asked) the merchant's web
 * console behind a Function URL server of its own — wired with the same environment variables they read on
 * AWS. `npm start`, the end-to-end tests, the browser tests, the demo, the benchmark and the chaos run all use it.
 */

const STORES_CONFIG_PATH = fileURLToPath(new URL("../../config/stores.json", import.meta.url));

/** The demo store's local credentials in the simulator (never used outside the local stack). */
const DEMO_CREDENTIALS = { "511": { client_id: "demo-client", client_secret: "demo-secret" } };

import { WEBHOOK_PATH } from "../../lib/webhook/receive";

export { WEBHOOK_PATH };

/** The AWS stack runs the reconciler every hour (RECONCILE_SCHEDULE); so does the local stack by default. */
export const DEFAULT_RECONCILE_SECONDS = 3_600;
/** The AWS stack's console timeout (CONSOLE_TIMEOUT in infra/aws/stack.ts). */
const CONSOLE_TIMEOUT_SECONDS = 60;

export interface LocalStackOptions {
  /** Port of the receiver's Function URL server; 0 picks a free one. */
  receiverPort?: number;
  /** Active signing secrets; the simulator signs with the first. Generated when absent. */
  webhookSecrets?: string[];
  /** How often the CDR poller runs (LOCAL_CDR_POLL_SECONDS). */
  cdrPollSeconds?: number;
  /** How often the reconciler runs (LOCAL_RECONCILE_SECONDS); hourly like the AWS stack's schedule by default. */
  reconcileSeconds?: number;
  /** First CDR poll after submission and the poller's back-off base (CDR_POLL_BASE_SECONDS). */
  cdrPollBaseSeconds?: number;
  /** Worker retry back-off base (WORKER_RETRY_BASE_SECONDS). */
  workerRetryBaseSeconds?: number;
  /** The simulator's SUNAT answer delay. */
  sunatDelayMs?: number;
  /** How the simulator numbers receipts (SIM_NUMBERING): explicit (default), auto, repeat. */
  numbering?: NumberingMode;
  /** How long a new receipt stays out of the simulator's lists (SIM_LIST_LAG_MS); default 0. */
  listLagMs?: number;
  /** Which way the simulator's list cursors page (SIM_CURSOR): list_order (default) or created_after. */
  cursor?: CursorReading;
  /** Receipts the store issued before this product (SIM_EXISTING_RECEIPTS, e.g. F001-66,B001-51). */
  existingReceipts?: Record<string, number>;
  /** ACELERALA_TIMEOUT_SECONDS of the functions (default 10). */
  aceleralaTimeoutSeconds?: number;
  /** RECEIPT_LOOKUP_DELAY_SECONDS of the worker (default 60; more than the timeout). */
  receiptLookupDelaySeconds?: number;
  simulatorSeed?: number;
  /** Webhook sender retry base delay in the simulator. */
  webhookRetryBaseDelayMs?: number;
  /** Worker environments / batches in flight. */
  workerConcurrency?: number;
  /** The events the receiver's subscription enables; default SUBSCRIBED_EVENTS (order and receipt events). */
  webhookEvents?: readonly string[];
  /**
   * Serve the web console (functions/console) on this port of 127.0.0.1 (0: a free one), as a Function URL.
   * Absent: no console (the tests and benchmarks that do not need it save its environment).
   */
  consolePort?: number;
  /** Keep DynamoDB data in this folder between runs. */
  persistDir?: string;
  /**
   * Reuse already running emulators (the integration tests' global setup) instead of starting new ones:
   * a table and queues of their own, named with `namePrefix`, isolate this stack from other test files.
   */
  emulators?: { env: LocalAwsEnv; namePrefix: string; visibilityTimeoutSeconds?: number };
  /** Progress lines of the stack itself. */
  log?: LocalLog;
  /** Each log line a handler writes; default: dropped (tests) — `npm start` prints them. */
  handlerOutput?: (functionName: string, line: string) => void;
}

export interface LocalStack {
  /** What handlers and the CLI read: AWS endpoints, table, queues, Acelérala URL and local secrets. */
  env: Record<string, string>;
  simulator: Simulator;
  /** The receiver's base URL; webhooks go to `${receiverUrl}${WEBHOOK_PATH}`. */
  receiverUrl: string;
  /** The web console's URL (`http://127.0.0.1:<port>/`), when `consolePort` was given. */
  consoleUrl?: string;
  functions: {
    receiver: LambdaFunction;
    worker: LambdaFunction;
    poller: LambdaFunction;
    reconciler: LambdaFunction;
    console?: LambdaFunction;
  };
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log;
  const webhookSecrets = options.webhookSecrets?.length ? options.webhookSecrets : [generateWebhookSecret()];
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    // Reverse order of start: inputs first (timer, poller, URL), then functions, then emulators.
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne();
  };

  try {
    const [localAws, simulator] = await Promise.all([
      options.emulators
        ? isolatedResources(options.emulators)
        : startLocalAws({ persistDir: options.persistDir, log }),
      startSimulator({
        webhookSecret: webhookSecrets[0],
        sunatDelayMs: options.sunatDelayMs ?? 2_000,
        seed: options.simulatorSeed ?? 1,
        numbering: options.numbering ?? "explicit",
        listLagMs: options.listLagMs ?? 0,
        cursor: options.cursor ?? "list_order",
        existingReceipts: options.existingReceipts ?? {},
        webhookDelivery: { baseDelayMs: options.webhookRetryBaseDelayMs ?? 1_000 },
      }),
    ]);
    stoppers.push(
      () => localAws.stop(),
      () => simulator.stop(),
    );
    log?.(`Acelérala simulator on ${simulator.url}`);

    const env: Record<string, string> = {
      ...localAws.env,
      ACELERALA_API_URL: simulator.url,
      ACELERALA_CREDENTIALS: JSON.stringify(DEMO_CREDENTIALS),
      WEBHOOK_SECRETS: webhookSecrets.join(" "),
      STORES_CONFIG_PATH,
      CDR_POLL_BASE_SECONDS: String(options.cdrPollBaseSeconds ?? 60),
      WORKER_RETRY_BASE_SECONDS: String(options.workerRetryBaseSeconds ?? 10),
      ACELERALA_TIMEOUT_SECONDS: String(options.aceleralaTimeoutSeconds ?? DEFAULT_ACELERALA_TIMEOUT_SECONDS),
      RECEIPT_LOOKUP_DELAY_SECONDS: String(options.receiptLookupDelaySeconds ?? 60),
      POWERTOOLS_LOG_LEVEL: "INFO",
    };
    const output = (name: string) => (line: string) => options.handlerOutput?.(name, line);
    const receiver = startLambdaFunction({
      name: "webhook-receiver",
      handler: "functions/webhook-receiver/index.ts#handler",
      env,
      timeoutSeconds: RECEIVER_TIMEOUT_SECONDS,
      concurrency: 4,
      output: output("webhook-receiver"),
    });
    const worker = startLambdaFunction({
      name: "receipt-worker",
      handler: "functions/receipt-worker/index.ts#handler",
      env,
      timeoutSeconds: ORDER_EVENTS_QUEUE.workerTimeoutSeconds,
      concurrency: options.workerConcurrency ?? ORDER_EVENTS_QUEUE.maximumConcurrency,
      output: output("receipt-worker"),
    });
    const poller = startLambdaFunction({
      name: "cdr-poller",
      handler: "functions/cdr-poller/index.ts#handler",
      env,
      timeoutSeconds: POLLER_TIMEOUT_SECONDS,
      output: output("cdr-poller"),
    });
    const reconciler = startLambdaFunction({
      name: "reconciler",
      handler: "functions/reconciler/index.ts#handler",
      env,
      timeoutSeconds: RECONCILER_TIMEOUT_SECONDS,
      output: output("reconciler"),
    });
    stoppers.push(
      () => receiver.stop(),
      () => worker.stop(),
      () => poller.stop(),
      () => reconciler.stop(),
    );
    const consoleFunction =
      options.consolePort === undefined
        ? undefined
        : await startConsoleFunction(env, options.consolePort, output);
    if (consoleFunction) stoppers.push(() => consoleFunction.fn.stop());
    // One warm environment per function, so the first webhook is not a cold start (and the console answers as
    // soon as the stack is ready); more start on demand. The reconciler runs once an hour: its environment
    // starts with its first run.
    await Promise.all([receiver.warm(1), worker.warm(1), poller.warm(1), consoleFunction?.fn.warm(1)]);

    const url: FunctionUrlServer = await startFunctionUrlServer({
      function: receiver,
      port: options.receiverPort ?? 0,
      log,
    });
    stoppers.push(() => url.stop());
    let consoleUrl: string | undefined;
    if (consoleFunction) {
      const consoleServer = await startFunctionUrlServer({
        function: consoleFunction.fn,
        port: consoleFunction.port,
        log,
      });
      stoppers.push(() => consoleServer.stop());
      consoleUrl = `${consoleServer.url}/`;
      env.CONSOLE_URL = consoleUrl;
    }
    const eventSource: SqsEventSource = await startSqsEventSource({
      function: worker,
      queueUrl: env.ORDER_EVENTS_QUEUE_URL ?? "",
      endpoint: env.AWS_ENDPOINT_URL_SQS ?? "",
      batchSize: ORDER_EVENTS_QUEUE.batchSize,
      maximumConcurrency: options.workerConcurrency ?? ORDER_EVENTS_QUEUE.maximumConcurrency,
      log,
    });
    stoppers.push(() => eventSource.stop());
    const schedule: Schedule = startSchedule({
      function: poller,
      intervalSeconds: options.cdrPollSeconds ?? 60,
      log,
    });
    stoppers.push(() => schedule.stop());
    const reconcileSchedule: Schedule = startSchedule({
      function: reconciler,
      intervalSeconds: options.reconcileSeconds ?? DEFAULT_RECONCILE_SECONDS,
      log,
    });
    stoppers.push(() => reconcileSchedule.stop());

    simulator.createWebhook({
      url: `${url.url}${WEBHOOK_PATH}`,
      description: "acelerala-sunat local receiver",
      enabled_events: [...(options.webhookEvents ?? SUBSCRIBED_EVENTS)],
    });
    return {
      env,
      simulator,
      receiverUrl: url.url,
      ...(consoleUrl ? { consoleUrl } : {}),
      functions: {
        receiver,
        worker,
        poller,
        reconciler,
        ...(consoleFunction ? { console: consoleFunction.fn } : {}),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The console's function. Its port is chosen first (a free one for 0), because the console answers only the
 * Host headers of its own address (against DNS rebinding) and its environment is fixed when it starts.
 */
async function startConsoleFunction(
  env: Record<string, string>,
  requestedPort: number,
  output: (name: string) => (line: string) => void,
): Promise<{ fn: LambdaFunction; port: number }> {
  const port = requestedPort === 0 ? await findFreePort() : requestedPort;
  const fn = startLambdaFunction({
    name: "console",
    handler: "functions/console/index.ts#handler",
    env: { ...env, CONSOLE_ALLOWED_HOSTS: `${LOOPBACK_HOST}:${port},localhost:${port}` },
    timeoutSeconds: CONSOLE_TIMEOUT_SECONDS,
    // Two environments: a page and its stylesheet or script load in parallel.
    concurrency: 2,
    output: output("console"),
  });
  return { fn, port };
}

/** A fresh table and queue pair in running emulators; stopping leaves the emulators to their owner. */
async function isolatedResources(emulators: NonNullable<LocalStackOptions["emulators"]>): Promise<LocalAws> {
  const { env, namePrefix } = emulators;
  const config = { region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS };
  const dynamo = new DynamoDBClient({ ...config, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB });
  const sqs = new SQSClient({ ...config, endpoint: env.AWS_ENDPOINT_URL_SQS });
  try {
    const tableName = `${namePrefix}-receipts`;
    const [queues] = await Promise.all([
      createOrderEventsQueues(sqs, {
        name: `${namePrefix}-order-events.fifo`,
        deadLetterName: `${namePrefix}-order-events-dlq.fifo`,
        visibilityTimeoutSeconds: emulators.visibilityTimeoutSeconds,
      }),
      ensureReceiptsTable(dynamo, tableName),
    ]);
    return {
      env: {
        ...env,
        TABLE_NAME: tableName,
        ORDER_EVENTS_QUEUE_URL: queues.queueUrl,
        ORDER_EVENTS_DLQ_URL: queues.deadLetterQueueUrl,
      },
      stop: async () => {},
    };
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
}

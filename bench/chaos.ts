/**
 * `npm run chaos -- --orders 1000 --fault-rate 0.2 --seed 7`
 *
 * The whole pipeline under faults at rate P, then a DLQ replay, then a reckoning: every order that should have a
 * receipt has exactly one in the simulator. Exits non-zero on any duplicate or missing receipt.
 * Faults (all seeded):
 * - Acelérala (simulator): 5xx before commit, timeout after commit (connection destroyed once the receipt is
 *   stored, plus a few held until the client's timeout), 429 with Retry-After; together about P of API requests;
 * - DynamoDB (bench/aws-proxy.ts): P/4 of the handlers' requests answered 500 without forwarding, answered 500
 *   after the write was committed, or cut off;
 * - the worker's environment killed with SIGKILL in the middle of a batch (the runner starts a new one): every
 *   second, with probability P;
 * - webhooks: the event sent again with the same webhook-id (P of orders), the simulator's own earlier
 *   orders.created.placed event redelivered (P), and two events of one order sent newest first (P); our sender
 *   retries 5xx like Acelérala's does.
 * Then faults stop, the DLQ is replayed with lib/ops/dlq.ts (`replayDlq`, what `cpe dlq replay` runs), and the run
 * waits until every expected receipt is final or nothing moves any more.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from "../infra/local/aws-local-constants";
import type { LocalAwsEnv } from "../infra/local/local-aws";
import { makeOrder } from "../infra/simulator/order-factory";
import { chance, createRandom, deriveRandom } from "../infra/simulator/random";
import { loadStores } from "../lib/config/stores";
import { queueDepth, replayDlq } from "../lib/ops/dlq";
import { decideForOrder } from "../lib/worker/decide";
import {
  machineInfo,
  type Pipeline,
  type ReceiptRow,
  readReceipts,
  round,
  SETTLED_STATES,
  STORE_ID,
  sendWebhooks,
  startPipeline,
  type WebhookRequest,
  waitUntilQuiet,
} from "./harness";

export interface ChaosOptions {
  orders: number;
  faultRate: number;
  seed: number;
  /** Running emulators (integration tests); started here when absent. */
  emulators?: LocalAwsEnv;
  namePrefix?: string;
  /** Give up waiting for quiet after this long (per wait). */
  settleTimeoutMs?: number;
  /** DLQ replay rounds at most. */
  replayRounds?: number;
  log?: (message: string) => void;
}

export interface ChaosReport {
  orders: number;
  faultRate: number;
  seed: number;
  /** Orders the receipt domain says must get a receipt (the rest need attention by design). */
  expectedReceipts: number;
  /** Receipts the simulator holds for the orders placed. */
  receipts: number;
  /** Orders with more than one receipt in the simulator. */
  duplicates: number[];
  /** Expected orders without a receipt in the simulator. */
  missing: number[];
  /** Orders with a receipt in the simulator whose DynamoDB record does not name it. */
  unrecorded: number[];
  /** Receipt records by state in DynamoDB. */
  states: Record<string, number>;
  injected: {
    aceleralaFaults: Record<string, number>;
    dynamoFaults: number;
    workerKills: number;
    duplicateWebhooks: number;
    redeliveredEvents: number;
    reorderedOrders: number;
    webhookRetries: number;
  };
  dlq: { replayRounds: number; replayed: number; leftInDlq: number };
  seconds: number;
  machine: ReturnType<typeof machineInfo>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}

/** Every receipt the simulator holds for an order (in-process, not counted as API calls). */
function receiptsByOrder(
  pipeline: Pipeline,
  orderIds: readonly number[],
): Map<number, Record<string, unknown>[]> {
  const result = new Map<number, Record<string, unknown>[]>();
  for (const orderId of orderIds) {
    const page = pipeline.stack.simulator.listReceipts({ order_id: String(orderId), limit: "100" });
    result.set(orderId, page.data as Record<string, unknown>[]);
  }
  return result;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const rate = options.faultRate;
  const settleTimeoutMs = options.settleTimeoutMs ?? 120_000;
  const pipeline = await startPipeline({
    emulators: options.emulators,
    namePrefix: options.namePrefix ?? `chaos-${process.pid}`,
    visibilityTimeoutSeconds: 2,
    seed: options.seed,
    stack: {
      sunatDelayMs: 50,
      cdrPollSeconds: 0.5,
      cdrPollBaseSeconds: 0.2,
      workerRetryBaseSeconds: 0.2,
      aceleralaTimeoutSeconds: 2,
      receiptLookupDelaySeconds: 3,
      webhookRetryBaseDelayMs: 100,
      simulatorSeed: options.seed,
    },
  });
  const { stack, proxies } = pipeline;
  const sqs = new SQSClient({
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    endpoint: pipeline.directEnv.AWS_ENDPOINT_URL_SQS,
    useQueueUrlAsEndpoint: false,
  });
  let killer: NodeJS.Timeout | undefined;
  try {
    const stores = await loadStores(stack.env.STORES_CONFIG_PATH);
    // ---- orders, and the simulator's own (dropped) orders.created.placed event of each ----
    const orderRandom = createRandom(options.seed);
    const orderIds: number[] = [];
    const createdEventOf = new Map<number, string>();
    const expected = new Set<number>();
    for (let index = 0; index < options.orders; index++) {
      const order = stack.simulator.createOrder(makeOrder(orderRandom));
      const orderId = Number(order.id);
      orderIds.push(orderId);
      const createdEvent = stack.simulator.deliveries().at(-1);
      if (createdEvent?.event_type === "orders.created.placed")
        createdEventOf.set(orderId, createdEvent.event_id);
      const decision = decideForOrder(stack.simulator.getOrder(orderId), STORE_ID, stores);
      if (decision.action === "issue") expected.add(orderId);
    }

    // ---- the webhooks: one per order, plus duplicates and out-of-order pairs ----
    const webhookRandom = deriveRandom(options.seed, "chaos-webhooks");
    const first: WebhookRequest[] = [];
    const later: WebhookRequest[] = [];
    const redeliver: string[] = [];
    let reorderedOrders = 0;
    for (const orderId of orderIds) {
      const primary: WebhookRequest = { orderId, eventId: `evt_chaos_${options.seed}_${orderId}` };
      if (chance(webhookRandom, rate)) {
        // Two events of this order, newest first: the older snapshot arrives after the newer one.
        const older = { ...primary, order: stack.simulator.getOrder(orderId) };
        stack.simulator.updateOrder(orderId, { note: "entregar por la tarde" });
        first.push({ orderId, eventId: `${primary.eventId}_newer` });
        later.push(older);
        reorderedOrders++;
      } else {
        first.push(primary);
      }
      if (chance(webhookRandom, rate)) later.push(primary); // the same webhook-id again
      const createdEvent = createdEventOf.get(orderId);
      if (createdEvent && chance(webhookRandom, rate)) redeliver.push(createdEvent);
    }
    const duplicateWebhooks = later.length - reorderedOrders;

    // ---- faults on ----
    stack.simulator.setFaults([
      { kind: "error_before_commit", rate: rate / 3 },
      { kind: "rate_limit", rate: rate / 3, retryAfterSeconds: 1 },
      {
        kind: "timeout_after_commit",
        rate: rate / 3,
        routes: ["POST /v1/receipts", "GET /v1/orders/{id}", "GET /v1/receipts/{id}"],
        timeoutMode: "destroy",
      },
      // A few answers held until the client's own timeout: the slowest kind of ambiguity.
      {
        kind: "timeout_after_commit",
        rate: rate / 20,
        routes: ["POST /v1/receipts"],
        count: 2,
        timeoutMode: "hold",
      },
    ]);
    proxies.dynamodb.setFaults({ rate: rate / 4, modes: ["error_before", "error_after", "drop_connection"] });
    const killRandom = deriveRandom(options.seed, "chaos-kills");
    let workerKills = 0;
    killer = setInterval(() => {
      if (!chance(killRandom, rate)) return;
      const busy = stack.functions.worker
        .listEnvironments()
        .find((environment) => environment.state === "invoking");
      if (busy && stack.functions.worker.kill(busy.pid) !== undefined) workerKills++;
    }, 1_000);

    log(
      `${options.orders} orders (${expected.size} expected to get a receipt), fault rate ${rate}: ` +
        `${first.length + later.length} webhooks, ${redeliver.length} redeliveries`,
    );
    const sendOptions = { concurrency: 20, retries: 6, retryDelayMs: 200 };
    const sentFirst = await sendWebhooks(pipeline, shuffle(first, webhookRandom), sendOptions);
    for (const eventId of redeliver) stack.simulator.redeliverEvent(eventId);
    const sentLater = await sendWebhooks(pipeline, shuffle(later, webhookRandom), sendOptions);
    const sent = [...sentFirst, ...sentLater];
    const webhookRetries = sent.reduce((total, webhook) => total + webhook.attempts - 1, 0);
    const unsent = sent.filter((webhook) => webhook.status < 200 || webhook.status >= 300);
    if (unsent.length > 0)
      log(`${unsent.length} webhooks never got a 2xx (each is retried by the sender first)`);
    log(`webhooks sent after ${round((Date.now() - started) / 1000, 1)} s; waiting with faults on`);
    await waitUntilQuiet(pipeline, [...expected], { quietMs: 5_000, timeoutMs: settleTimeoutMs });

    // ---- faults off, then replay the DLQ until quiet ----
    clearInterval(killer);
    killer = undefined;
    stack.simulator.clearFaults();
    proxies.dynamodb.setFaults(null);
    log(`faults off after ${round((Date.now() - started) / 1000, 1)} s`);
    const queueUrl = stack.env.ORDER_EVENTS_QUEUE_URL ?? "";
    const dlqUrl = stack.env.ORDER_EVENTS_DLQ_URL ?? "";
    let replayed = 0;
    let rounds = 0;
    while (rounds < (options.replayRounds ?? 4)) {
      const wait = await waitUntilQuiet(pipeline, [...expected], {
        quietMs: 2_500,
        timeoutMs: settleTimeoutMs,
      });
      const depth = await queueDepth(sqs, dlqUrl);
      const inDlq = (depth.visible ?? 0) + (depth.inFlight ?? 0);
      if (wait.settled && inDlq === 0) break;
      rounds++;
      const replay = await replayDlq(sqs, { dlqUrl, queueUrl, waitSeconds: 1 });
      replayed += replay.moved;
      log(`replay round ${rounds}: ${replay.moved} moved, ${replay.failed} failed (DLQ had ${inDlq})`);
    }
    await waitUntilQuiet(pipeline, [...expected], { quietMs: 2_500, timeoutMs: settleTimeoutMs });
    await sleep(1_000); // the last deletes and poller writes
    const rows = await readReceipts(pipeline);
    const leftInDlq = await queueDepth(sqs, dlqUrl);

    // ---- the reckoning ----
    const held = receiptsByOrder(pipeline, orderIds);
    const duplicates: number[] = [];
    const missing: number[] = [];
    const unrecorded: number[] = [];
    let receipts = 0;
    for (const orderId of orderIds) {
      const list = held.get(orderId) ?? [];
      receipts += list.length;
      if (list.length > 1) duplicates.push(orderId);
      if (list.length === 0 && expected.has(orderId)) missing.push(orderId);
      const only = list[0];
      if (list.length === 1 && only) {
        const row = rows.get(orderId) as (ReceiptRow & { receiptId?: number }) | undefined;
        if (!row || !SETTLED_STATES.includes(row.state)) unrecorded.push(orderId);
      }
    }
    const states: Record<string, number> = {};
    for (const orderId of orderIds) {
      const state = rows.get(orderId)?.state ?? "NO_RECORD";
      states[state] = (states[state] ?? 0) + 1;
    }
    const stats = stack.simulator.getStats();
    const dynamoFaults = Object.values(proxies.dynamodb.counts().handler).reduce(
      (total, count) => total + count.injectedFaults,
      0,
    );
    return {
      orders: options.orders,
      faultRate: rate,
      seed: options.seed,
      expectedReceipts: expected.size,
      receipts,
      duplicates,
      missing,
      unrecorded,
      states,
      injected: {
        aceleralaFaults: stats.faults_injected,
        dynamoFaults,
        workerKills,
        duplicateWebhooks,
        redeliveredEvents: redeliver.length,
        reorderedOrders,
        webhookRetries,
      },
      dlq: {
        replayRounds: rounds,
        replayed,
        leftInDlq: (leftInDlq.visible ?? 0) + (leftInDlq.inFlight ?? 0),
      },
      seconds: round((Date.now() - started) / 1000, 1),
      machine: machineInfo(),
    };
  } finally {
    if (killer) clearInterval(killer);
    sqs.destroy();
    await pipeline.stop();
  }
}

export function formatChaosReport(report: ChaosReport): string {
  const list = (ids: number[]) => (ids.length === 0 ? "0" : `${ids.length} (${ids.slice(0, 10).join(", ")})`);
  const i = report.injected;
  return [
    `orders: ${report.orders} (expected to get a receipt: ${report.expectedReceipts})`,
    `receipts: ${report.receipts}`,
    `duplicates: ${list(report.duplicates)}`,
    `missing: ${list(report.missing)}`,
    `receipts in the simulator not final in DynamoDB: ${list(report.unrecorded)}`,
    `DynamoDB states: ${Object.entries(report.states)
      .map(([state, count]) => `${state} ${count}`)
      .join(", ")}`,
    `faults: Acelérala ${JSON.stringify(i.aceleralaFaults)}, DynamoDB ${i.dynamoFaults}, worker kills ${i.workerKills}, ` +
      `duplicate webhooks ${i.duplicateWebhooks}, redelivered events ${i.redeliveredEvents}, reordered orders ` +
      `${i.reorderedOrders}, webhook retries ${i.webhookRetries}`,
    `DLQ: ${report.dlq.replayRounds} replay round(s), ${report.dlq.replayed} replayed, ${report.dlq.leftInDlq} left`,
    `fault rate ${report.faultRate}, seed ${report.seed}, ${report.seconds} s, load average ${report.machine.loadAverage.join(" / ")}`,
  ].join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      orders: { type: "string", default: "1000" },
      "fault-rate": { type: "string", default: "0.2" },
      seed: { type: "string", default: "1" },
    },
  });
  const orders = Number(values.orders);
  const faultRate = Number(values["fault-rate"]);
  const seed = Number(values.seed);
  if (!Number.isInteger(orders) || orders < 1)
    throw new Error(`--orders must be a positive integer, got ${values.orders}`);
  if (!(faultRate >= 0 && faultRate <= 1))
    throw new Error(`--fault-rate must be from 0 to 1, got ${values["fault-rate"]}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const report = await runChaos({
    orders,
    faultRate,
    seed,
    log: (message) => process.stderr.write(`[chaos] ${message}\n`),
  });
  process.stdout.write(`${formatChaosReport(report)}\n`);
  return report.duplicates.length > 0 || report.missing.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}

/**
 * `npm run bench [-- --orders 1000 --delayed-orders 400 --concurrency 50 --init-runs 20 --answer-orders 100 --answer-rate 10]`
 *
 * The whole pipeline on the local stack (DynamoDB Local, fauxqs, the simulator, the real handlers in child-process
 * Lambda environments), driven by signed webhooks we send ourselves (the simulator's own deliveries are dropped):
 *  A. SUNAT answers within the POST (sunatDelayMs 0): the worker records the answer itself;
 *  B. SUNAT answers ~100 ms later: the CDR poller (every second, first poll after 0.2 s) records it.
 *  C. SUNAT's answer by webhook: SUNAT answers 2 s after the POST and the poller runs at its production interval
 *     (every minute, first poll a minute after submission), on a stack of its own; webhook → ACCEPTED with the
 *     receipt events on (the simulator delivers them) against the same run with them off (the poller alone).
 *     `--only-answer` runs just C and prints its table (no file is written).
 * Plus bundle sizes and init times (bench/bundles.ts), the receiver's own decision time in-process, peak memory,
 * AWS requests per order (bench/aws-proxy.ts) and a cost estimate (bench/costs.ts). Writes bench/results.json and
 * the README's "Benchmark" section (between its bench markers), and prints the Markdown table.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { RECEIPT_EVENT_TYPES } from "../lib/webhook/envelope";
import { decideWebhook } from "../lib/webhook/receive";
import { signWebhook } from "../lib/webhook/signature";
import type { ApiCount, ProxyCounts } from "./aws-proxy";
import { type BundleFigures, measureBundles } from "./bundles";
import { estimateCost, FUNCTION_MEMORY_MB, LOG_ASSUMPTIONS, PRICES, PRICES_AS_OF } from "./costs";
import {
  cpuBetween,
  cpuCalibrationMs,
  envelopeBody,
  itemSizes,
  machineInfo,
  type Pipeline,
  percentile,
  placeOrders,
  processCpu,
  processMemory,
  round,
  type SentWebhook,
  sendWebhooks,
  startPipeline,
  waitUntilSettled,
} from "./harness";
import { type PhaseBreakdown, phaseBreakdown, readProbe } from "./phases";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "1000" },
    "delayed-orders": { type: "string", default: "400" },
    concurrency: { type: "string", default: "50" },
    "init-runs": { type: "string", default: "20" },
    seed: { type: "string", default: "2024" },
    /** The event source's batches in flight; 2 is ORDER_EVENTS_QUEUE.maximumConcurrency, what AWS runs. */
    "worker-concurrency": { type: "string", default: "2" },
    /** Variant C: orders per run, sent as a steady trickle (so the figure is the answer's path, not a queue). */
    "answer-orders": { type: "string", default: "100" },
    "answer-rate": { type: "string", default: "10" },
    "only-answer": { type: "boolean", default: false },
  },
});
const ORDERS = Number(args.orders);
const DELAYED_ORDERS = Number(args["delayed-orders"]);
const CONCURRENCY = Number(args.concurrency);
const INIT_RUNS = Number(args["init-runs"]);
const SEED = Number(args.seed);
const WORKER_CONCURRENCY = Number(args["worker-concurrency"]);
const SETTLE_TIMEOUT_MS = 180_000;
const ANSWER_ORDERS = Number(args["answer-orders"]);
const ANSWER_RATE = Number(args["answer-rate"]);
/** Variant C: SUNAT's delay; the production poller (CDR_POLL_BASE_SECONDS' default, the stack's EventBridge rate). */
const ANSWER_SUNAT_DELAY_MS = 2_000;
const PRODUCTION_POLL_SECONDS = 60;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Issue 15's goals (printed with their figures; never test assertions). */
const GOALS = {
  writeUnitsPerOrder: 6,
  receiverBundleKiB: 250,
  receiverInitMs: 40,
  workerBundleKiB: 400,
  ordersPerSecond: 85,
} as const;

interface VariantResult {
  name: string;
  orders: number;
  sunatDelayMs: number;
  receiverHttpMs: { p50: number; p95: number; p99: number; max: number };
  non2xx: number;
  sendSeconds: number;
  endToEndMs: { p50: number; p99: number };
  ordersPerSecond: number;
  states: Record<string, number>;
  /** Per order, handlers' own SDK requests by API. */
  handlerRequestsPerOrder: Record<string, number>;
  /** Per order, the runner's event-source polling (ReceiveMessage, DeleteMessageBatch: billed on AWS too). */
  eventSourceRequestsPerOrder: Record<string, number>;
  billableAwsRequestsPerOrder: number;
  dynamo: {
    readUnitsPerOrder: number;
    /** As DynamoDB Local reports them (it under-reports transactions). */
    reportedWriteUnitsPerOrder: number;
    /** As AWS bills them (bench/aws-proxy.ts): the figure the goal and the cost use. */
    writeUnitsPerOrder: number;
    /** By API, billed. */
    writeUnitsByApi: Record<string, number>;
    cancelledTransactionsPerOrder: number;
    failedRequests: number;
    /** Sizes (bytes, AWS's rules) of this variant's records at the end, and of the series counters. */
    recordBytes: { p50: number; max: number };
    counterBytes: number;
  };
  /** CPU time per order of each process of the stack (ms), and the load average around the run. */
  cpuMsPerOrder: Record<string, number>;
  /** bench/harness.ts cpuCalibrationMs() just before the run: how fast the cores were. */
  calibrationMs: number;
  loadAverage: { start: number[]; end: number[] };
  phases: PhaseBreakdown | null;
  sqsBilledRequestsPerOrder: number;
  aceleralaCallsPerOrder: Record<string, number>;
  lambda: Record<string, { invocations: number; meanMs: number; p50Ms: number; p99Ms: number }>;
  lambdaInvocationsPerOrder: number;
  lambdaGbSecondsPerOrder: number;
  workerMeanBatchSize: number;
  /** What the functions logged per order: lines and bytes (their own lines only). */
  logPerOrder: { lines: number; bytes: number; byFunction: Record<string, number> };
}

function perOrder(counts: Record<string, ApiCount>, orders: number, field: keyof ApiCount = "requests") {
  return Object.fromEntries(
    Object.entries(counts)
      .filter(([, count]) => count[field] > 0)
      .map(([api, count]) => [api, round(count[field] / orders, 3)]),
  );
}

function sum(counts: Record<string, ApiCount>, field: keyof ApiCount): number {
  return Object.values(counts).reduce((total, count) => total + count[field], 0);
}

async function runVariant(
  pipeline: Pipeline,
  name: string,
  orders: number,
  sunatDelayMs: number,
  seed: number,
): Promise<{ result: VariantResult; sent: SentWebhook[] }> {
  const { stack, proxies, invocations } = pipeline;
  stack.simulator.setSunatPolicy({ delayMs: sunatDelayMs });
  const orderIds = placeOrders(stack.simulator, orders, seed);
  proxies.dynamodb.reset();
  proxies.sqs.reset();
  stack.simulator.resetStats();
  pipeline.simulatorSpans.reset();
  pipeline.logs.reset();
  invocations.reset();
  const calibrationMs = cpuCalibrationMs();
  const loadAtStart = machineInfo().loadAverage;
  const cpuBefore = processCpu();
  const windowStart = performance.timeOrigin + performance.now();
  log(`${name}: ${orders} orders, ${CONCURRENCY} concurrent senders, SUNAT after ${sunatDelayMs} ms`);
  const started = Date.now();
  const sent = await sendWebhooks(
    pipeline,
    orderIds.map((orderId) => ({ orderId, eventId: `evt_bench_${name}_${orderId}` })),
    { concurrency: CONCURRENCY },
  );
  const sendSeconds = (Date.now() - started) / 1000;
  // Each look at the records is a Scan of the whole table (DynamoDB Local's CPU, taken from the run it measures):
  // first wait, in-process, until the simulator has had a POST per order, then look once a second. The figures
  // come from the records' own finalizedAt, not from when we looked.
  await untilPosted(pipeline, orders);
  const { rows, settled } = await waitUntilSettled(pipeline, orderIds, SETTLE_TIMEOUT_MS, 1_000);
  if (!settled) log(`${name}: not every receipt settled within ${SETTLE_TIMEOUT_MS / 1000} s`);
  // Let the event source delete the last batches and the poller finish its run before reading the counters.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const cpuMs = cpuBetween(cpuBefore, processCpu());
  const windowEnd = performance.timeOrigin + performance.now();
  const loadAtEnd = machineInfo().loadAverage;
  await proxies.dynamodb.flush(); // after the CPU snapshot: billing reads the transactions' items
  const phases = pipeline.probeDir
    ? phaseBreakdown(
        readProbe(pipeline.probeDir, windowStart, windowEnd),
        orders,
        proxies.dynamodb.timings(),
        pipeline.simulatorSpans,
      )
    : null;
  const sizes = await itemSizes(pipeline, new Set(orderIds));
  const logCounts = Object.entries(pipeline.logs.counts);

  const sentAt = new Map(sent.map((webhook) => [webhook.orderId, webhook.sentAt]));
  const endToEnd: number[] = [];
  const states: Record<string, number> = {};
  let lastFinal = started;
  for (const orderId of orderIds) {
    const row = rows.get(orderId);
    const state = row?.state ?? "MISSING";
    states[state] = (states[state] ?? 0) + 1;
    if (row?.finalizedAt) {
      const finalAt = Date.parse(row.finalizedAt);
      lastFinal = Math.max(lastFinal, finalAt);
      endToEnd.push(finalAt - (sentAt.get(orderId) ?? started));
    }
  }
  const counts: ProxyCounts = {
    handler: { ...proxies.dynamodb.counts().handler, ...proxies.sqs.counts().handler },
    harness: proxies.sqs.counts().harness,
  };
  const dynamoHandler = proxies.dynamodb.counts().handler;
  const sqsHandler = proxies.sqs.counts().handler;
  const eventSource = Object.fromEntries(
    Object.entries(counts.harness).filter(([api]) => ["ReceiveMessage", "DeleteMessageBatch"].includes(api)),
  );
  const stats = stack.simulator.getStats();
  const lambda: VariantResult["lambda"] = {};
  let gbSeconds = 0;
  let lambdaInvocations = 0;
  for (const [fn, durations] of Object.entries(invocations.durations)) {
    const total = durations.reduce((a, b) => a + b, 0);
    lambda[fn] = {
      invocations: durations.length,
      meanMs: round(durations.length ? total / durations.length : 0, 1),
      p50Ms: round(percentile(durations, 50) || 0, 1),
      p99Ms: round(percentile(durations, 99) || 0, 1),
    };
    lambdaInvocations += durations.length;
    const memoryMb = FUNCTION_MEMORY_MB[fn as keyof typeof FUNCTION_MEMORY_MB];
    if (memoryMb === undefined) throw new Error(`bench/costs.ts has no memory size for ${fn}`);
    gbSeconds += (total / 1000) * (memoryMb / 1024);
  }
  const latencies = sent.map((webhook) => webhook.latencyMs);
  const billable =
    sum(dynamoHandler, "requests") + sum(sqsHandler, "requests") + sum(eventSource, "requests");
  const result: VariantResult = {
    name,
    orders,
    sunatDelayMs,
    receiverHttpMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(Math.max(...latencies)),
    },
    non2xx: sent.filter((webhook) => webhook.status < 200 || webhook.status >= 300).length,
    sendSeconds: round(sendSeconds, 2),
    endToEndMs: { p50: round(percentile(endToEnd, 50), 0), p99: round(percentile(endToEnd, 99), 0) },
    ordersPerSecond: round(orders / ((lastFinal - started) / 1000), 1),
    states,
    handlerRequestsPerOrder: perOrder(counts.handler, orders),
    eventSourceRequestsPerOrder: perOrder(eventSource, orders),
    billableAwsRequestsPerOrder: round(billable / orders, 2),
    dynamo: {
      readUnitsPerOrder: round(sum(dynamoHandler, "readUnits") / orders, 2),
      reportedWriteUnitsPerOrder: round(sum(dynamoHandler, "writeUnits") / orders, 2),
      writeUnitsPerOrder: round(sum(dynamoHandler, "billedWriteUnits") / orders, 2),
      writeUnitsByApi: perOrder(dynamoHandler, orders, "billedWriteUnits"),
      cancelledTransactionsPerOrder: round(sum(dynamoHandler, "cancelledTransactions") / orders, 3),
      failedRequests: sum(dynamoHandler, "errors"),
      recordBytes: {
        p50: round(percentile(sizes.records, 50) || 0, 0),
        max: sizes.records.length ? Math.max(...sizes.records) : 0,
      },
      counterBytes: sizes.counters.length ? Math.max(...sizes.counters) : 0,
    },
    cpuMsPerOrder: Object.fromEntries(
      Object.entries(cpuMs)
        .sort(([, a], [, b]) => b - a)
        .map(([label, ms]) => [label, round(ms / orders, 2)]),
    ),
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    calibrationMs,
    phases,
    sqsBilledRequestsPerOrder: round(
      (sum(sqsHandler, "billedChunks") + sum(eventSource, "billedChunks")) / orders,
      3,
    ),
    aceleralaCallsPerOrder: Object.fromEntries(
      Object.entries(stats.requests).map(([route, count]) => [route, round(count / orders, 3)]),
    ),
    lambda,
    lambdaInvocationsPerOrder: round(lambdaInvocations / orders, 3),
    lambdaGbSecondsPerOrder: gbSeconds / orders,
    logPerOrder: {
      lines: round(logCounts.reduce((total, [, count]) => total + count.lines, 0) / orders, 2),
      bytes: round(logCounts.reduce((total, [, count]) => total + count.bytes, 0) / orders, 0),
      byFunction: Object.fromEntries(logCounts.map(([fn, count]) => [fn, round(count.bytes / orders, 0)])),
    },
    workerMeanBatchSize: round(
      invocations.batchSizes.reduce((a, b) => a + b, 0) / Math.max(1, invocations.batchSizes.length),
      2,
    ),
  };
  log(`${name}: ${JSON.stringify({ e2e: result.endToEndMs, ops: result.ordersPerSecond, states })}`);
  return { result, sent };
}

/** Until the simulator has had `orders` receipt POSTs, or their count has not moved for 2 s (some never POST). */
async function untilPosted(pipeline: Pipeline, orders: number): Promise<void> {
  const posts = () => pipeline.stack.simulator.getStats().requests["POST /v1/receipts"] ?? 0;
  let last = -1;
  let movedAt = Date.now();
  for (;;) {
    const count = posts();
    if (count >= orders) return;
    if (count !== last) {
      last = count;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > 2_000) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface AnswerVariantResult {
  receiptEvents: boolean;
  orders: number;
  /** Webhook sent → record ACCEPTED (its finalizedAt). */
  webhookToAcceptedMs: { p50: number; p99: number; max: number };
  states: Record<string, number>;
  settled: boolean;
}

/** Variant C, one run: SUNAT answers 2 s after the POST; the receipt events are delivered, or dropped. */
async function runAnswerVariant(
  pipeline: Pipeline,
  receiptEvents: boolean,
  seed: number,
): Promise<AnswerVariantResult> {
  const { stack } = pipeline;
  stack.simulator.setSunatPolicy({ delayMs: ANSWER_SUNAT_DELAY_MS });
  // The bench sends the order webhooks itself; the simulator's subscription carries only the receipt events.
  stack.simulator.setDeliveryConfig({ drop: !receiptEvents });
  const orderIds = placeOrders(stack.simulator, ANSWER_ORDERS, seed);
  const label = `C (receipt events ${receiptEvents ? "on" : "off"})`;
  log(`${label}: ${ANSWER_ORDERS} orders at ${ANSWER_RATE} / s, SUNAT after ${ANSWER_SUNAT_DELAY_MS} ms`);
  const sent = await sendWebhooks(
    pipeline,
    orderIds.map((orderId) => ({
      orderId,
      eventId: `evt_bench_c${receiptEvents ? "on" : "off"}_${orderId}`,
    })),
    { concurrency: 10, ratePerSecond: ANSWER_RATE },
  );
  // The poller alone needs up to two of its minutes per receipt.
  const timeout = receiptEvents ? SETTLE_TIMEOUT_MS : SETTLE_TIMEOUT_MS + 4 * PRODUCTION_POLL_SECONDS * 1000;
  const { rows, settled } = await waitUntilSettled(pipeline, orderIds, timeout, 250);
  if (!settled) log(`${label}: not every receipt settled within ${timeout / 1000} s`);
  const sentAt = new Map(sent.map((webhook) => [webhook.orderId, webhook.sentAt]));
  const latencies: number[] = [];
  const states: Record<string, number> = {};
  for (const orderId of orderIds) {
    const row = rows.get(orderId);
    const state = row?.state ?? "MISSING";
    states[state] = (states[state] ?? 0) + 1;
    if (state === "ACCEPTED" && row?.finalizedAt)
      latencies.push(Date.parse(row.finalizedAt) - (sentAt.get(orderId) ?? 0));
  }
  const result: AnswerVariantResult = {
    receiptEvents,
    orders: ANSWER_ORDERS,
    webhookToAcceptedMs: {
      p50: round(percentile(latencies, 50), 0),
      p99: round(percentile(latencies, 99), 0),
      max: round(Math.max(...latencies), 0),
    },
    states,
    settled,
  };
  log(`${label}: ${JSON.stringify(result)}`);
  return result;
}

/** Variant C on a stack of its own: the CDR poller at its production interval. */
async function runAnswerVariants(): Promise<AnswerVariantResult[]> {
  log("variant C: starting a local stack with the poller at its production interval");
  const pipeline = await startPipeline({
    namePrefix: `bench-c-${process.pid}`,
    visibilityTimeoutSeconds: 5,
    seed: SEED,
    stack: {
      sunatDelayMs: ANSWER_SUNAT_DELAY_MS,
      cdrPollSeconds: PRODUCTION_POLL_SECONDS,
      cdrPollBaseSeconds: PRODUCTION_POLL_SECONDS,
      workerRetryBaseSeconds: 0.5,
      simulatorSeed: SEED,
      workerConcurrency: WORKER_CONCURRENCY,
      webhookEvents: RECEIPT_EVENT_TYPES,
    },
  });
  try {
    const on = await runAnswerVariant(pipeline, true, SEED + 4);
    const off = await runAnswerVariant(pipeline, false, SEED + 5);
    return [on, off];
  } finally {
    await pipeline.stop();
  }
}

function answerMarkdown(results: readonly AnswerVariantResult[]): string {
  const [on, off] = results;
  if (!on || !off) throw new Error("variant C needs its two runs");
  const states = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([state, count]) => `${state} ${count}`)
      .join(", ");
  return [
    `| C: SUNAT answers ${ANSWER_SUNAT_DELAY_MS / 1000} s after the POST, CDR poller every ${PRODUCTION_POLL_SECONDS} s (first poll ${PRODUCTION_POLL_SECONDS} s after submission) | Receipt events on | Receipt events off (poller only) | Goal |`,
    "| --- | --- | --- | --- |",
    `| Orders; webhooks sent per second | ${on.orders}; ${ANSWER_RATE} | ${off.orders}; ${ANSWER_RATE} | |`,
    `| Webhook sent → ACCEPTED: p50 / p99 (max) | ${on.webhookToAcceptedMs.p50} / ${on.webhookToAcceptedMs.p99} (${on.webhookToAcceptedMs.max}) ms | ${off.webhookToAcceptedMs.p50} / ${off.webhookToAcceptedMs.p99} (${off.webhookToAcceptedMs.max}) ms | p50 ≤ 4 s with events: ${goal(on.webhookToAcceptedMs.p50 <= 4_000)} |`,
    `| Final states | ${states(on.states)} | ${states(off.states)} | |`,
  ].join("\n");
}

/** The receiver's decision alone (verify + parse + validate), in-process, over the same webhooks. */
function timeDecision(
  pipeline: Pipeline,
  sent: readonly SentWebhook[],
): { p50: number; p99: number; meanUs: number } {
  const requests = sent.map((webhook) => {
    const body = envelopeBody(pipeline.stack.simulator, {
      orderId: webhook.orderId,
      eventId: webhook.eventId,
    });
    const now = Math.floor(Date.now() / 1000);
    return {
      request: {
        method: "POST",
        path: "/webhooks/acelerala",
        headers: signWebhook(pipeline.webhookSecret, webhook.eventId, now, body),
        body,
        isBase64Encoded: false,
      },
      now,
    };
  });
  const secrets = [pipeline.webhookSecret];
  for (const { request, now } of requests.slice(0, 200)) decideWebhook(request, secrets, now); // warm-up (JIT)
  const times: number[] = [];
  for (const { request, now } of requests) {
    const started = performance.now();
    const decision = decideWebhook(request, secrets, now);
    times.push(performance.now() - started);
    if (decision.kind !== "enqueue")
      throw new Error(`decideWebhook refused a bench webhook: ${decision.kind}`);
  }
  return {
    p50: round(percentile(times, 50), 3),
    p99: round(percentile(times, 99), 3),
    meanUs: round((times.reduce((a, b) => a + b, 0) / times.length) * 1000, 0),
  };
}

function goal(ok: boolean): string {
  return ok ? "met" : "**missed**";
}

/** The issue's goals, each with its figure and whether it was met, and the load the machine was under. */
function goalsMarkdown(results: BenchResults): string {
  const [a] = results.variants;
  if (!a) throw new Error("variant A expected");
  const receiver = results.bundles.find((bundle) => bundle.function === "webhook-receiver");
  const worker = results.bundles.find((bundle) => bundle.function === "receipt-worker");
  const kib = (bytes = 0) => `${round(bytes / 1024, 1)} KB`;
  const load = (values: readonly number[]) => values.join(" / ");
  const previous = results.previousCostPerMillion;
  const rows = [
    [
      `≤ ${GOALS.writeUnitsPerOrder} DynamoDB write units / order (happy path, A; billed as AWS bills them)`,
      `${a.dynamo.writeUnitsPerOrder} (${Object.entries(a.dynamo.writeUnitsByApi)
        .map(([api, units]) => `${api} ${units}`)
        .join(", ")})`,
      goal(a.dynamo.writeUnitsPerOrder <= GOALS.writeUnitsPerOrder),
      load(a.loadAverage.start),
    ],
    [
      `AWS cost per million orders (A), lower than before issue 15 ($${COST_BEFORE_ISSUE_15})`,
      `$${a.cost.perMillionOrders.total}${previous === undefined ? "" : ` (last run: $${previous})`}`,
      goal(a.cost.perMillionOrders.total < COST_BEFORE_ISSUE_15),
      load(a.loadAverage.start),
    ],
    [
      `Receiver bundle ≤ ${GOALS.receiverBundleKiB} KB`,
      kib(receiver?.bytes),
      goal((receiver?.bytes ?? Infinity) <= GOALS.receiverBundleKiB * 1024),
      "",
    ],
    [
      `Receiver init ≤ ${GOALS.receiverInitMs} ms (median of ${receiver?.runs} fresh processes)`,
      `${receiver?.initMsMedian} ms (p90 ${receiver?.initMsP90})`,
      goal((receiver?.initMsMedian ?? Infinity) <= GOALS.receiverInitMs),
      `${load(receiver?.loadAverage ?? [])}; core ${receiver?.calibrationMs} ms`,
    ],
    [
      `Worker bundle ≤ ${GOALS.workerBundleKiB} KB`,
      kib(worker?.bytes),
      goal((worker?.bytes ?? Infinity) <= GOALS.workerBundleKiB * 1024),
      "",
    ],
    [
      `≥ ${GOALS.ordersPerSecond} orders / s end to end (A, worker concurrency ${results.settings.workerConcurrency})`,
      `${a.ordersPerSecond}`,
      goal(a.ordersPerSecond >= GOALS.ordersPerSecond),
      `${load(a.loadAverage.start)} → ${load(a.loadAverage.end)}; core ${a.calibrationMs} ms`,
    ],
  ];
  return [
    "| Goal (issue 15) | Figure | Met? | Load average (1 / 5 / 15 min); core: ms for 100 JSON round trips of 24 KB (lower is faster) |",
    "| --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

/** CPU per order by process: what the emulators and the harness cost beside the functions. */
function cpuMarkdown(results: BenchResults): string {
  const [a, b] = results.variants;
  if (!a || !b) throw new Error("two variants expected");
  const labels = [...new Set([...Object.keys(a.cpuMsPerOrder), ...Object.keys(b.cpuMsPerOrder)])];
  const total = (record: Record<string, number>) => Object.values(record).reduce((x, y) => x + y, 0);
  const share = (record: Record<string, number>, label: string) =>
    `${record[label] ?? 0} ms (${round((100 * (record[label] ?? 0)) / Math.max(1e-9, total(record)), 0)} %)`;
  const cores = results.machine.cores;
  return [
    "| CPU time per order, by process (user + system) | A | B |",
    "| --- | --- | --- |",
    ...labels.map(
      (label) => `| ${label} | ${share(a.cpuMsPerOrder, label)} | ${share(b.cpuMsPerOrder, label)} |`,
    ),
    `| All processes | ${round(total(a.cpuMsPerOrder), 1)} ms | ${round(total(b.cpuMsPerOrder), 1)} ms |`,
    `| Orders / s the ${cores} cores could carry at that CPU per order, with nothing else running | ${round((cores * 1000) / total(a.cpuMsPerOrder), 0)} | ${round((cores * 1000) / total(b.cpuMsPerOrder), 0)} |`,
    `| How fast a core was just before the run: ms for 100 JSON round trips of a 24 KB document, best of 7 (lower is faster) | ${a.calibrationMs} | ${b.calibrationMs} |`,
  ].join("\n");
}

/** The receipt worker's steps, per order, in variant A (bench/phases.ts). */
function phasesMarkdown(breakdown: PhaseBreakdown, variant: VariantResult): string {
  const cell = (value: number | null) => (value === null ? "—" : `${value}`);
  const batch = variant.lambda["receipt-worker"];
  const stepsTotal = breakdown.rows.reduce((total, row) => total + row.wallMs, 0);
  return [
    "| Receipt worker, A: where an order's time goes (ms per order, mean) | Wall (p50) | HTTP exchanges | At the emulator / simulator | In the worker: SDK, our code, event loop |",
    "| --- | --- | --- | --- | --- |",
    ...breakdown.rows.map(
      (row) =>
        `| ${row.step}${row.note ? ` (${row.note}; ${breakdown.reservationsPerTransaction} reservations each)` : ""} | ${row.wallMs} (${row.wallP50Ms}) | ${cell(row.httpMs)} | ${cell(row.serverMs)} | ${cell(row.workerMs)} |`,
    ),
    `| Steps together, one order | ${round(stepsTotal, 1)} | | | |`,
    `| A batch: mean invocation (orders per batch; batches in flight) | ${batch?.meanMs} (${variant.workerMeanBatchSize}; ${WORKER_CONCURRENCY}) | | | |`,
  ].join("\n");
}

function markdown(results: BenchResults): string {
  const [a, b] = results.variants;
  if (!a || !b) throw new Error("two variants expected");
  const receiver = results.bundles.find((bundle) => bundle.function === "webhook-receiver");
  const worker = results.bundles.find((bundle) => bundle.function === "receipt-worker");
  const m = results.machine;
  const kb = (bytes: number) => `${round(bytes / 1024, 0)} KB`;
  const apis = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([api, value]) => `${api} ${value}`)
      .join(", ");
  const lines = [
    goalsMarkdown(results),
    "",
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; load average ${m.loadAverage.join(" / ")} at the start and ${results.machineAtEnd.loadAverage.join(" / ")} at the end (${m.at}). Other work on the machine shows up in these figures.`,
    "",
    "| Measure | A: SUNAT answers in the POST | B: SUNAT after 100 ms (CDR poller) | Goal |",
    "| --- | --- | --- | --- |",
    `| Orders (mix of the order factory); worker batches in flight | ${a.orders}; ${results.settings.workerConcurrency} | ${b.orders}; ${results.settings.workerConcurrency} | |`,
    `| Receiver over HTTP, ${CONCURRENCY} concurrent senders: p50 / p95 / p99 | ${a.receiverHttpMs.p50} / ${a.receiverHttpMs.p95} / ${a.receiverHttpMs.p99} ms | ${b.receiverHttpMs.p50} / ${b.receiverHttpMs.p95} / ${b.receiverHttpMs.p99} ms | p99 ≤ 25 ms: ${goal(a.receiverHttpMs.p99 <= 25)} |`,
    `| Receiver invocation inside its environment (no wait for one of the 4 local environments): p50 / p99 | ${a.lambda["webhook-receiver"]?.p50Ms} / ${a.lambda["webhook-receiver"]?.p99Ms} ms | ${b.lambda["webhook-receiver"]?.p50Ms} / ${b.lambda["webhook-receiver"]?.p99Ms} ms | |`,
    `| Receiver decision in-process (verify, parse, validate): p50 / p99 | ${results.decision.p50} / ${results.decision.p99} ms | | |`,
    `| End to end, webhook sent → final: p50 / p99 | ${a.endToEndMs.p50} / ${a.endToEndMs.p99} ms | ${b.endToEndMs.p50} / ${b.endToEndMs.p99} ms | |`,
    `| Throughput (orders / s, first webhook → last final) | ${a.ordersPerSecond} | ${b.ordersPerSecond} | ≥ ${GOALS.ordersPerSecond}: ${goal(a.ordersPerSecond >= GOALS.ordersPerSecond)} |`,
    `| Load average (1 min) at the start / end of the run | ${a.loadAverage.start[0]} / ${a.loadAverage.end[0]} | ${b.loadAverage.start[0]} / ${b.loadAverage.end[0]} | |`,
    `| Final states | ${apis(a.states)} | ${apis(b.states)} | |`,
    `| Billable AWS requests / order (handlers' SQS + DynamoDB, event-source polling) | ${a.billableAwsRequestsPerOrder} | ${b.billableAwsRequestsPerOrder} | ≤ 8: ${goal(b.billableAwsRequestsPerOrder <= 8)} |`,
    `| — handlers, by API | ${apis(a.handlerRequestsPerOrder)} | ${apis(b.handlerRequestsPerOrder)} | |`,
    `| — event source (ReceiveMessage, DeleteMessageBatch) | ${apis(a.eventSourceRequestsPerOrder)} | ${apis(b.eventSourceRequestsPerOrder)} | |`,
    `| Lambda invocations / order (mean worker batch) | ${a.lambdaInvocationsPerOrder} (${a.workerMeanBatchSize}) | ${b.lambdaInvocationsPerOrder} (${b.workerMeanBatchSize}) | |`,
    `| DynamoDB units / order: read / write (billed as AWS bills them) | ${a.dynamo.readUnitsPerOrder} / ${a.dynamo.writeUnitsPerOrder} | ${b.dynamo.readUnitsPerOrder} / ${b.dynamo.writeUnitsPerOrder} | write ≤ ${GOALS.writeUnitsPerOrder}: ${goal(a.dynamo.writeUnitsPerOrder <= GOALS.writeUnitsPerOrder)} |`,
    `| — write units by API | ${apis(a.dynamo.writeUnitsByApi)} | ${apis(b.dynamo.writeUnitsByApi)} | |`,
    `| — as DynamoDB Local reports them; cancelled transactions / order | ${a.dynamo.reportedWriteUnitsPerOrder}; ${a.dynamo.cancelledTransactionsPerOrder} | ${b.dynamo.reportedWriteUnitsPerOrder}; ${b.dynamo.cancelledTransactionsPerOrder} | |`,
    `| — reservations per transaction (group commit) | ${a.phases?.reservationsPerTransaction ?? "?"} | ${b.phases?.reservationsPerTransaction ?? "?"} | |`,
    `| Item sizes: the receipt record at the end (p50 / max), a series counter | ${a.dynamo.recordBytes.p50} / ${a.dynamo.recordBytes.max} B, ${a.dynamo.counterBytes} B | ${b.dynamo.recordBytes.p50} / ${b.dynamo.recordBytes.max} B, ${b.dynamo.counterBytes} B | record < 1 KB: ${goal(Math.max(a.dynamo.recordBytes.max, b.dynamo.recordBytes.max) < 1024)} |`,
    `| Acelérala API calls / order | ${apis(a.aceleralaCallsPerOrder)} | ${apis(b.aceleralaCallsPerOrder)} | |`,
    `| Mean invocation time: receiver / worker batch / poller run | ${a.lambda["webhook-receiver"]?.meanMs} / ${a.lambda["receipt-worker"]?.meanMs} / ${a.lambda["cdr-poller"]?.meanMs} ms | ${b.lambda["webhook-receiver"]?.meanMs} / ${b.lambda["receipt-worker"]?.meanMs} / ${b.lambda["cdr-poller"]?.meanMs} ms | |`,
    `| AWS cost per million orders (${PRICES_AS_OF}) | $${a.cost.perMillionOrders.total} | $${b.cost.perMillionOrders.total} | |`,
    `| — Lambda requests / compute / SQS / DynamoDB writes / reads / CloudWatch Logs | $${a.cost.perMillionOrders.lambdaRequests} / $${a.cost.perMillionOrders.lambdaCompute} / $${a.cost.perMillionOrders.sqs} / $${a.cost.perMillionOrders.dynamoWrites} / $${a.cost.perMillionOrders.dynamoReads} / $${a.cost.perMillionOrders.logs} | $${b.cost.perMillionOrders.lambdaRequests} / $${b.cost.perMillionOrders.lambdaCompute} / $${b.cost.perMillionOrders.sqs} / $${b.cost.perMillionOrders.dynamoWrites} / $${b.cost.perMillionOrders.dynamoReads} / $${b.cost.perMillionOrders.logs} | |`,
    `| Log lines and bytes / order (the functions' own; CloudWatch adds ${LOG_ASSUMPTIONS.bytesPerEvent} B an event and ~${LOG_ASSUMPTIONS.platformBytesPerInvocation} B of Lambda's lines an invocation) | ${a.logPerOrder.lines}; ${a.logPerOrder.bytes} B (${apis(a.logPerOrder.byFunction)}) | ${b.logPerOrder.lines}; ${b.logPerOrder.bytes} B (${apis(b.logPerOrder.byFunction)}) | |`,
    `| Fixed per month (poller schedule, idle queue polling, Secrets Manager calls and storage) | $${b.cost.fixedPerMonth.total} | | |`,
    "",
    "| Function | Bundle (minified) | Init, median of fresh `node` processes (p90) | Largest parts | Goal |",
    "| --- | --- | --- | --- | --- |",
    ...results.bundles.map((bundle) => {
      const goals =
        bundle.function === "webhook-receiver"
          ? `≤ ${GOALS.receiverBundleKiB} KB: ${goal(bundle.bytes <= GOALS.receiverBundleKiB * 1024)}; init ≤ ${GOALS.receiverInitMs} ms: ${goal(bundle.initMsMedian <= GOALS.receiverInitMs)}`
          : bundle.function === "receipt-worker"
            ? `≤ ${GOALS.workerBundleKiB} KB: ${goal(bundle.bytes <= GOALS.workerBundleKiB * 1024)}`
            : "";
      const parts = bundle.largestInputs
        .slice(0, 4)
        .map((input) => `${input.name} ${kb(input.bytes)}`)
        .join(", ");
      return `| ${bundle.function} | ${kb(bundle.bytes)} | ${bundle.initMsMedian} ms (${bundle.initMsP90}) | ${parts} | ${goals} |`;
    }),
    "",
    cpuMarkdown(results),
    "",
    ...(a.phases ? [phasesMarkdown(a.phases, a), ""] : []),
    answerMarkdown(results.answer),
    "",
    "| Process | Peak RSS (VmHWM) |",
    "| --- | --- |",
    ...results.memory.map((entry) => `| ${entry.command} | ${entry.peakRssMiB} MiB |`),
  ];
  void receiver;
  void worker;
  return lines.join("\n");
}

/**
 * What A cost per million orders when issue 15 asked for it to go down (the README's benchmark at commit 1ce3b13:
 * 21.58 write units per order). The goal compares with it, not with whichever run came last.
 */
const COST_BEFORE_ISSUE_15 = 14.88;

interface BenchResults {
  /** The AWS cost per million orders (A) of the run before this one (bench/results.json), to compare. */
  previousCostPerMillion?: number;
  machine: ReturnType<typeof machineInfo>;
  machineAtEnd: ReturnType<typeof machineInfo>;
  settings: Record<string, number>;
  bundles: BundleFigures[];
  decision: ReturnType<typeof timeDecision>;
  variants: (VariantResult & { cost: ReturnType<typeof estimateCost> })[];
  answer: AnswerVariantResult[];
  memory: ReturnType<typeof processMemory>;
  prices: typeof PRICES;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  log(`machine: ${JSON.stringify(machine)}`);
  if (args["only-answer"]) {
    const answer = await runAnswerVariants();
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n${answerMarkdown(answer)}\n`);
    return;
  }
  log(`bundles and init (${INIT_RUNS} fresh processes each)`);
  const bundles = await measureBundles(INIT_RUNS);

  log("starting the local stack");
  const pipeline = await startPipeline({
    namePrefix: `bench-${process.pid}`,
    visibilityTimeoutSeconds: 5,
    seed: SEED,
    probe: true,
    stack: {
      sunatDelayMs: 0,
      cdrPollSeconds: 1,
      cdrPollBaseSeconds: 0.2,
      workerRetryBaseSeconds: 0.5,
      aceleralaTimeoutSeconds: 2,
      receiptLookupDelaySeconds: 3,
      simulatorSeed: SEED,
      workerConcurrency: WORKER_CONCURRENCY,
    },
  });
  try {
    log("warm-up: 30 orders");
    const warm = placeOrders(pipeline.stack.simulator, 30, SEED + 1);
    await sendWebhooks(
      pipeline,
      warm.map((orderId) => ({ orderId, eventId: `evt_warm_${orderId}` })),
      { concurrency: 10 },
    );
    await waitUntilSettled(pipeline, warm, 60_000);

    const variantA = await runVariant(pipeline, "A", ORDERS, 0, SEED + 2);
    const variantB = await runVariant(pipeline, "B", DELAYED_ORDERS, 100, SEED + 3);
    const decision = timeDecision(pipeline, variantA.sent);
    const memory = processMemory();
    await pipeline.stop();
    const answer = await runAnswerVariants();
    const pollerRun = variantB.result.lambda["cdr-poller"];
    const pollerGbSecondsPerRun =
      ((pollerRun?.meanMs ?? 0) / 1000) * (FUNCTION_MEMORY_MB["cdr-poller"] / 1024);
    const variants = [variantA.result, variantB.result].map((variant) => ({
      ...variant,
      cost: estimateCost(
        {
          lambdaRequests: variant.lambdaInvocationsPerOrder,
          lambdaGbSeconds: variant.lambdaGbSecondsPerOrder,
          sqsBilledRequests: variant.sqsBilledRequestsPerOrder,
          dynamoReadUnits: variant.dynamo.readUnitsPerOrder,
          dynamoWriteUnits: variant.dynamo.writeUnitsPerOrder,
          logBytes:
            variant.logPerOrder.bytes +
            variant.logPerOrder.lines * LOG_ASSUMPTIONS.bytesPerEvent +
            variant.lambdaInvocationsPerOrder *
              (LOG_ASSUMPTIONS.platformBytesPerInvocation + 3 * LOG_ASSUMPTIONS.bytesPerEvent),
        },
        pollerGbSecondsPerRun,
      ),
    }));
    const results: BenchResults = {
      previousCostPerMillion: previousCost(),
      machine,
      machineAtEnd: machineInfo(),
      settings: {
        orders: ORDERS,
        delayedOrders: DELAYED_ORDERS,
        concurrency: CONCURRENCY,
        initRuns: INIT_RUNS,
        seed: SEED,
        workerConcurrency: WORKER_CONCURRENCY,
        receiverEnvironments: 4,
        answerOrders: ANSWER_ORDERS,
        answerRate: ANSWER_RATE,
      },
      bundles,
      decision,
      variants,
      answer,
      memory,
      prices: PRICES,
    };
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    const table = markdown(results);
    writeReadmeSection(docsPage(table));
    process.stdout.write(`${table}\n`);
  } finally {
    await pipeline.stop();
  }
}

const RESULTS = new URL("./results.json", import.meta.url);

/** What the last run (bench/results.json as committed) found A to cost per million orders. */
function previousCost(): number | undefined {
  if (!existsSync(RESULTS)) return undefined;
  try {
    const last = JSON.parse(readFileSync(RESULTS, "utf8")) as {
      variants?: { cost?: { perMillionOrders?: { total?: number } } }[];
    };
    const total = last.variants?.[0]?.cost?.perMillionOrders?.total;
    return typeof total === "number" && Number.isFinite(total) ? total : undefined;
  } catch {
    return undefined;
  }
}

const README = new URL("../README.md", import.meta.url);
const SECTION_START = "<!-- bench:start (written by npm run bench) -->";
const SECTION_END = "<!-- bench:end -->";

/** Replaces the README's benchmark section, so it always shows the latest run and the machine it ran on. */
function writeReadmeSection(section: string): void {
  const readme = readFileSync(README, "utf8");
  const start = readme.indexOf(SECTION_START);
  const end = readme.indexOf(SECTION_END);
  if (start < 0 || end < start)
    throw new Error(`README.md has no "${SECTION_START}" … "${SECTION_END}" section`);
  writeFileSync(README, `${readme.slice(0, start + SECTION_START.length)}\n${section}${readme.slice(end)}`);
}

function docsPage(table: string): string {
  return `## Benchmark

\`npm run bench\` (about four minutes here) runs the whole pipeline on the local stack — DynamoDB Local,
fauxqs, the Acelérala simulator and the three real handlers in child-process Lambda environments — with signed
webhooks sent by the benchmark itself to the receiver's Function URL server at a fixed concurrency, a realistic mix
of orders (boletas and facturas, line and order discounts, shipping, some in USD), and waits until every receipt is
final. Variant A: SUNAT answers within the POST, so the worker records the answer itself (the happy path). Variant
B: SUNAT answers 100 ms later, so the CDR poller (every second here, first poll 0.2 s after submission) records it.
Variant C, on a stack of its own: SUNAT answers 2 s after the POST and the poller runs at its production interval
(every minute, first poll a minute after submission); webhook → ACCEPTED with the receipt events on (the simulator
delivers \`receipts.created.accepted\`, the worker records it) against the same run with them off. It writes
\`bench/results.json\` with everything below and more. The first table holds issue 15's goals; none is a test
assertion. This machine has 2 cores shared with other work: every figure comes with the load average it was taken
under, and throughput and times move with it (CPU per order and units per order do not).

AWS requests are counted by a proxy in front of each emulator (\`bench/aws-proxy.ts\`): it reads the API from
\`X-Amz-Target\`, tells the handlers' requests from the runner's by the SDK user agent (\`AWS_SDK_UA_APP_ID\` in the
handlers' environment), asks DynamoDB Local for the consumed capacity of each call, and sums SQS payloads in 64 KB
chunks. Write units are the ones AWS bills, not DynamoDB Local's report: 3.3.1 bills a transaction of two or three
small items 2 units where AWS bills 2 per item, and a failed conditional write nothing where AWS bills 1; the proxy
bills each committed transaction's items 2 × their size in 1 KB units (read once after the run, sized by
\`bench/item-size.ts\` from AWS's published rules; exact while a record stays under 1 KB, as it does), plus 2 units
for each index entry a transactional write puts (read from the request), and shows DynamoDB Local's figure beside
it. How each order's writes add up on the happy path: one transaction reserves numbers for every order of a series
that waited together (the counter n → n+k once, 2 units, and per record 2 units, each conditional on its state
and number; a reservation enters the open-records index only when a later attempt finds it unresolved), then one
UpdateItem records what landed (1 unit; 2 more in variant B, where the receipt enters and leaves the pending-CDR
index). Event-source polling (ReceiveMessage,
DeleteMessageBatch) is made by the local runner, as AWS's event source mapping makes it on AWS, where it is billed
too. Lambda times are measured around each invocation in the runner (IPC included) on \`tsx\`, not on Lambda;
bundles are built with the stack's esbuild settings. Costs: list prices in \`bench/costs.ts\` (${PRICES_AS_OF}),
written down from AWS's pricing pages, not fetched; CloudWatch Logs ingestion counts the lines the functions wrote
in the run, plus CloudWatch's 26 bytes an event and about 300 bytes of Lambda's own lines an invocation.

Where the worker's time goes: \`bench/probe.mjs\`, loaded into the worker's environments only by the benchmark,
subscribes to the worker's phase channel (\`lib/observability/phases.ts\`: a Node.js tracing channel the worker runs
each step in, free when nobody subscribes) and to Node's HTTP client channels; each exchange is joined with the
proxy's record of it (the SDK's invocation id) or the simulator's (a header the probe adds), so each step's wall time
splits into the exchange, the emulator's or simulator's own time, and the rest, spent in the worker (the AWS SDK,
our code, and waiting for the event loop, which the orders of a batch share). CPU per order is each process's user
+ system time over the run (\`/proc\`), divided by the orders: the harness (simulator, fauxqs, proxies, runner and
the webhooks' sender in one process) and DynamoDB Local are the emulators' share. \`BENCH_CPU_PROFILE_SECONDS=N npm
run bench\` also writes a V8 CPU profile of each worker environment's first N seconds.

${table}
`;
}

await main();

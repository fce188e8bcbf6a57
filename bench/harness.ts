import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AttributeValue, DynamoDBClient, ScanCommand as RawScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from "../infra/local/aws-local-constants";
import { type LocalAwsEnv, startLocalAws } from "../infra/local/local-aws";
import type { InvocationOutcome, LambdaFunction } from "../infra/local/runner/lambda-function";
import { type LocalStack, type LocalStackOptions, startLocalStack, WEBHOOK_PATH } from "../infra/local/stack";
import { makeOrder } from "../infra/simulator/order-factory";
import { createRandom } from "../infra/simulator/random";
import type { Simulator } from "../infra/simulator/server";
import type { ReceiptState } from "../lib/store/receipt-record";
import { generateWebhookSecret, signWebhook } from "../lib/webhook/signature";
import { type AwsProxy, HANDLER_APP_ID, startAwsProxy } from "./aws-proxy";

/**
 * What the benchmark and the chaos run share: the whole local stack with counting proxies in front of the AWS
 * emulators, orders placed in the simulator, signed webhooks fired at the receiver over HTTP at a fixed
 * concurrency, and a wait until every receipt is final.
 */

export const STORE_ID = 511;
/** A receipt in one of these states needs nothing more from the pipeline. */
export const SETTLED_STATES: readonly ReceiptState[] = ["ACCEPTED", "REJECTED", "NEEDS_ATTENTION", "STALE"];

export interface Pipeline {
  stack: LocalStack;
  proxies: { dynamodb: AwsProxy; sqs: AwsProxy };
  webhookSecret: string;
  /** The emulators themselves (not through the proxies): for the harness's own reads. */
  directEnv: LocalAwsEnv;
  invocations: InvocationLog;
  /** Where the probe writes (when `probe` was asked for). */
  probeDir?: string;
  /** The simulator's side of each API exchange the probe tagged (x-bench-span), since the last reset. */
  simulatorSpans: ServerSpans;
  /** What each function wrote to its log (stdout and stderr lines), since the last `logs.reset()`. */
  logs: LogVolume;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** Running emulators (the integration tests' global setup); started here when absent. */
  emulators?: LocalAwsEnv;
  namePrefix: string;
  visibilityTimeoutSeconds: number;
  stack: Omit<LocalStackOptions, "emulators" | "webhookSecrets">;
  seed?: number;
  /** Load bench/probe.mjs into the worker's environments (its phases and HTTP exchanges, in `probeDir`). */
  probe?: boolean;
}

/** The pipelines running now: a signal stops them before the process exits (npm run bench | chaos). */
const running = new Set<Pipeline>();
let signalsHandled = false;

function stopOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`[bench] ${signal}: stopping the local stack\n`);
      void Promise.allSettled([...running].map((pipeline) => pipeline.stop())).then(() =>
        process.exit(signal === "SIGINT" ? 130 : 143),
      );
    });
  }
}

const PROBE = fileURLToPath(new URL("./probe.mjs", import.meta.url));

/**
 * Durations of the invocations of each function, as Lambda would bill them: the time an execution environment
 * spends on the invocation (IPC included), not the wait for a free environment. The runner does not report that
 * time, so this wraps the `invoke` of each environment its private `acquire` hands out (TypeScript's `private` is
 * compile-time only); if the runner's internals change, it falls back to the whole invoke (wait included) and says so.
 */
export class InvocationLog {
  readonly durations: Record<string, number[]> = {};
  readonly failures: Record<string, number> = {};
  readonly batchSizes: number[] = [];
  includesQueueWait = false;

  watch(fn: LambdaFunction): void {
    const durations: number[] = [];
    this.durations[fn.name] = durations;
    const invoke = fn.invoke.bind(fn);
    fn.invoke = async (event: unknown): Promise<InvocationOutcome> => {
      const records = (event as { Records?: unknown[] } | null)?.Records;
      if (Array.isArray(records)) this.batchSizes.push(records.length);
      const started = performance.now();
      const outcome = await invoke(event);
      if (this.includesQueueWait) durations.push(performance.now() - started);
      if (!outcome.ok) this.failures[fn.name] = (this.failures[fn.name] ?? 0) + 1;
      return outcome;
    };
    type Environment = { invoke: (event: unknown, timeoutSeconds: number) => Promise<InvocationOutcome> };
    const internals = fn as unknown as { acquire?: () => Promise<Environment | undefined> };
    const acquire = internals.acquire?.bind(fn);
    if (!acquire) {
      this.includesQueueWait = true;
      return;
    }
    const timed = new WeakSet<Environment>();
    internals.acquire = async () => {
      const environment = await acquire();
      if (environment && !timed.has(environment)) {
        timed.add(environment);
        const environmentInvoke = environment.invoke.bind(environment);
        environment.invoke = async (event, timeoutSeconds) => {
          const started = performance.now();
          const outcome = await environmentInvoke(event, timeoutSeconds);
          durations.push(performance.now() - started);
          return outcome;
        };
      }
      return environment;
    };
  }

  reset(): void {
    for (const list of Object.values(this.durations)) list.length = 0;
    for (const name of Object.keys(this.failures)) delete this.failures[name];
    this.batchSizes.length = 0;
  }
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  stopOnSignals();
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne().catch(() => {});
  };
  try {
    const probeDir = options.probe ? mkdtempSync(join(tmpdir(), "acelerala-bench-probe-")) : undefined;
    // Kept when profiling (the profiles are in it); removed otherwise.
    if (probeDir && !process.env.BENCH_CPU_PROFILE_SECONDS)
      stoppers.push(async () => rmSync(probeDir, { recursive: true, force: true }));
    if (probeDir) process.stderr.write(`[bench] probe files in ${probeDir}\n`);
    const probeEnv: Record<string, string> = probeDir
      ? {
          NODE_OPTIONS: `--import ${PROBE}`,
          BENCH_PROBE_DIR: probeDir,
          ...(process.env.BENCH_CPU_PROFILE_SECONDS
            ? { BENCH_CPU_PROFILE_SECONDS: process.env.BENCH_CPU_PROFILE_SECONDS }
            : {}),
        }
      : {};
    let directEnv = options.emulators;
    if (!directEnv) {
      const localAws = await startLocalAws({});
      stoppers.push(() => localAws.stop());
      directEnv = localAws.env;
    }
    const dynamodb = await startAwsProxy({
      service: "dynamodb",
      upstream: directEnv.AWS_ENDPOINT_URL_DYNAMODB,
      seed: options.seed,
    });
    stoppers.push(() => dynamodb.stop());
    const sqs = await startAwsProxy({
      service: "sqs",
      upstream: directEnv.AWS_ENDPOINT_URL_SQS,
      seed: options.seed,
    });
    stoppers.push(() => sqs.stop());
    const webhookSecret = generateWebhookSecret();
    const logs = new LogVolume();
    const stack = await startLocalStack({
      handlerOutput: (name, line) => logs.add(name, line),
      ...options.stack,
      webhookSecrets: [webhookSecret],
      emulators: {
        // Extra variables here reach the handlers' environments: the app id marks their SDK requests.
        env: {
          ...directEnv,
          AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
          AWS_ENDPOINT_URL_SQS: sqs.url,
          AWS_SDK_UA_APP_ID: HANDLER_APP_ID,
          ...probeEnv,
        },
        namePrefix: options.namePrefix,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      },
    });
    stoppers.push(() => stack.stop());
    const invocations = new InvocationLog();
    for (const fn of Object.values(stack.functions)) invocations.watch(fn);
    // We send the webhooks ourselves, so we know when each left.
    stack.simulator.setDeliveryConfig({ drop: true });
    const simulatorSpans = new ServerSpans(stack.simulator.port);
    stoppers.push(async () => simulatorSpans.close());
    const pipeline: Pipeline = {
      stack,
      proxies: { dynamodb, sqs },
      webhookSecret,
      directEnv: { ...directEnv, TABLE_NAME: stack.env.TABLE_NAME ?? "" },
      invocations,
      probeDir,
      simulatorSpans,
      logs,
      stop: async () => {
        running.delete(pipeline);
        await stop();
      },
    };
    running.add(pipeline);
    return pipeline;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Places `count` paid orders with the order factory's realistic mix (about 30 % facturas, 10 % USD, discounts, shipping). */
export function placeOrders(simulator: Simulator, count: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => Number(simulator.createOrder(makeOrder(random)).id));
}

export interface WebhookRequest {
  orderId: number;
  eventId: string;
  type?: string;
  /** The order as the event carries it; the simulator's current order when absent. */
  order?: Record<string, unknown>;
}

export function envelopeBody(simulator: Simulator, request: WebhookRequest): string {
  return JSON.stringify({
    id: request.eventId,
    type: request.type ?? "orders.updated.placed",
    created: new Date().toISOString(),
    store_id: STORE_ID,
    data: { object: request.order ?? simulator.getOrder(request.orderId) },
  });
}

export interface SentWebhook {
  orderId: number;
  eventId: string;
  status: number;
  /** Milliseconds from the request's start to the response's end (the last attempt). */
  latencyMs: number;
  /** Epoch ms when the first attempt started. */
  sentAt: number;
  attempts: number;
}

export interface SendOptions {
  concurrency: number;
  /** Sender retries on 5xx or a network error, as Acelérala's own sender would (0 = none). */
  retries?: number;
  retryDelayMs?: number;
  /** Start at most this many webhooks per second (a steady trickle instead of a burst); unlimited when absent. */
  ratePerSecond?: number;
}

function postOnce(
  agent: Agent,
  url: URL,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; latencyMs: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const outgoing = httpRequest(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
      },
      (response) => {
        response.resume();
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, latencyMs: performance.now() - started }),
        );
      },
    );
    outgoing.on("error", () => resolve({ status: 0, latencyMs: performance.now() - started }));
    outgoing.end(body);
  });
}

/** Signs each webhook just before it leaves (timestamps stay fresh) and POSTs them with `concurrency` senders. */
export async function sendWebhooks(
  pipeline: Pipeline,
  requests: readonly WebhookRequest[],
  options: SendOptions,
): Promise<SentWebhook[]> {
  const url = new URL(`${pipeline.stack.receiverUrl}${WEBHOOK_PATH}`);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const results: SentWebhook[] = new Array(requests.length);
  let next = 0;
  const firstAt = Date.now();
  const sender = async () => {
    for (;;) {
      const index = next++;
      const request = requests[index];
      if (!request) return;
      if (options.ratePerSecond) {
        const due = firstAt + (index * 1000) / options.ratePerSecond;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
      const body = envelopeBody(pipeline.stack.simulator, request);
      const sentAt = Date.now();
      let attempts = 0;
      let answer: { status: number; latencyMs: number };
      for (;;) {
        attempts += 1;
        const headers = signWebhook(
          pipeline.webhookSecret,
          request.eventId,
          Math.floor(Date.now() / 1000),
          body,
        );
        answer = await postOnce(agent, url, body, headers);
        const retryable = answer.status === 0 || answer.status >= 500;
        if (!retryable || attempts > (options.retries ?? 0)) break;
        await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? 200) * attempts));
      }
      results[index] = { orderId: request.orderId, eventId: request.eventId, sentAt, attempts, ...answer };
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, () => sender()));
  } finally {
    agent.destroy();
  }
  return results;
}

export interface ReceiptRow {
  orderId: number;
  state: ReceiptState;
  documentNumber?: string;
  problems?: { rule: string }[];
  createdAt?: string;
  finalizedAt?: string;
  pollCount?: number;
}

/** Every receipt record in the stack's table (a Scan straight to the emulator, not counted). */
export async function readReceipts(pipeline: Pipeline): Promise<Map<number, ReceiptRow>> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: LOCAL_AWS_REGION,
      credentials: LOCAL_AWS_CREDENTIALS,
      endpoint: pipeline.directEnv.AWS_ENDPOINT_URL_DYNAMODB,
    }),
  );
  const rows = new Map<number, ReceiptRow>();
  try {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: pipeline.directEnv.TABLE_NAME,
          FilterExpression: "begins_with(pk, :order)",
          ProjectionExpression:
            "orderId, #state, documentNumber, problems, createdAt, finalizedAt, pollCount",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":order": "ORDER#" },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const row = item as ReceiptRow;
        rows.set(Number(row.orderId), row);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
  return rows;
}

/** Waits until every order has a settled receipt; returns the records and whether it got there in time. */
export async function waitUntilSettled(
  pipeline: Pipeline,
  orderIds: readonly number[],
  timeoutMs: number,
  intervalMs = 500,
): Promise<{ rows: Map<number, ReceiptRow>; settled: boolean; settledAt: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await readReceipts(pipeline);
    const done = orderIds.every((id) => {
      const state = rows.get(id)?.state;
      return state !== undefined && SETTLED_STATES.includes(state);
    });
    if (done || Date.now() > deadline) return { rows, settled: done, settledAt: Date.now() };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Waits until every order has a settled receipt, or until the number of settled ones has not moved for `quietMs`
 * (what is left is stuck: in the DLQ, or waiting out a long back-off), or until `timeoutMs`.
 */
export async function waitUntilQuiet(
  pipeline: Pipeline,
  orderIds: readonly number[],
  options: { quietMs: number; timeoutMs: number; intervalMs?: number },
): Promise<{ rows: Map<number, ReceiptRow>; settled: boolean }> {
  const deadline = Date.now() + options.timeoutMs;
  let lastCount = -1;
  let lastChange = Date.now();
  for (;;) {
    const rows = await readReceipts(pipeline);
    const count = orderIds.filter((id) => {
      const state = rows.get(id)?.state;
      return state !== undefined && SETTLED_STATES.includes(state);
    }).length;
    if (count === orderIds.length) return { rows, settled: true };
    if (count !== lastCount) {
      lastCount = count;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > options.quietMs || Date.now() > deadline) return { rows, settled: false };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  node: string;
  platform: string;
  loadAverage: [number, number, number];
  at: string;
}

/** A 24 KB order-like document: the calibration's workload (parsing, allocating, collecting, as the stack does). */
const CALIBRATION_TEXT = JSON.stringify({
  id: 1,
  lines: Array.from({ length: 200 }, (_, i) => ({
    sku: `SKU-${i}`,
    name: `Producto número ${i}`,
    quantity: i % 7,
    price: "12.50",
    discounts: [{ amount: "1.00", code: "X" }],
  })),
});

/**
 * How fast a core is right now: the shortest of 7 rounds of 100 JSON parse + stringify passes over a 24 KB
 * document, in ms of wall time (the shortest round was not preempted). The load average does not show how fast a
 * shared machine's cores are at the moment (its neighbours are not in it); this gives runs a common yardstick.
 */
export function cpuCalibrationMs(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 7; attempt++) {
    const started = performance.now();
    for (let pass = 0; pass < 100; pass++) JSON.stringify(JSON.parse(CALIBRATION_TEXT));
    best = Math.min(best, performance.now() - started);
  }
  return round(best, 1);
}

export function machineInfo(): MachineInfo {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    freeMemoryGiB: round(freemem() / 2 ** 30, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: [round(one, 2), round(five, 2), round(fifteen, 2)],
    at: new Date().toISOString(),
  };
}

export interface ProcessMemory {
  pid: number;
  command: string;
  /** Peak resident set size (VmHWM), MiB. */
  peakRssMiB: number;
}

function statusField(pid: number, field: string): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match?.[1] ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak RSS of this process and of every live descendant (function environments, DynamoDB Local's JVM). */
export function processMemory(): ProcessMemory[] {
  const result: ProcessMemory[] = [
    {
      pid: process.pid,
      command: HARNESS_LABEL,
      peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
    },
  ];
  for (const { pid, label } of stackProcesses()) {
    const peak = statusField(pid, "VmHWM");
    if (peak === undefined) continue;
    result.push({ pid, command: label, peakRssMiB: round(peak, 1) });
  }
  return result;
}

const HARNESS_LABEL = "harness (simulator, fauxqs, runner, proxies, the webhooks' sender)";

/** The stack's processes under this one: DynamoDB Local's JVM and each function environment. */
function stackProcesses(): { pid: number; label: string }[] {
  const parents = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(pid, Number(afterName[1]));
      commands.set(
        pid,
        readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).slice(0, 6).join(" "),
      );
    } catch {
      // The process ended while we looked.
    }
  }
  const isDescendant = (pid: number): boolean => {
    let current = parents.get(pid);
    for (let depth = 0; current !== undefined && depth < 10; depth++) {
      if (current === process.pid) return true;
      current = parents.get(current);
    }
    return false;
  };
  const result: { pid: number; label: string }[] = [];
  for (const pid of parents.keys()) {
    if (!isDescendant(pid)) continue;
    const label = shortCommand(commands.get(pid) ?? "");
    if (label !== undefined) result.push({ pid, label });
  }
  return result;
}

/** The processes of the stack; others (esbuild's service, shells) are left out. */
function shortCommand(command: string): string | undefined {
  if (command.includes("java")) return "DynamoDB Local (java)";
  const handler = /functions\/([\w-]+)\/index\.ts/.exec(command);
  if (handler) return `${handler[1]} environment`;
  return undefined;
}

/** One request to an in-process server, tagged by the probe's x-bench-span header (epoch ms). */
export interface ServerSpan {
  id: string;
  start: number;
  end: number;
}

/**
 * The time an in-process server (the simulator) spends on each request the probe tagged, from Node's HTTP server
 * channels: the request's arrival to the response's end. The simulator itself is not changed.
 */
export class ServerSpans {
  private spans = new Map<string, ServerSpan>();
  private readonly onStart = (message: unknown) => {
    const { request, response, server } = message as {
      request: IncomingMessage;
      response: { once(event: "finish", listener: () => void): void };
      server: Server;
    };
    if ((server.address() as AddressInfo | null)?.port !== this.port) return;
    const id = request.headers["x-bench-span"];
    if (typeof id !== "string") return;
    const span = { id, start: performance.timeOrigin + performance.now(), end: Number.NaN };
    response.once("finish", () => {
      span.end = performance.timeOrigin + performance.now();
      this.spans.set(id, span);
    });
  };

  constructor(private readonly port: number) {
    subscribe("http.server.request.start", this.onStart);
  }

  get(id: string): ServerSpan | undefined {
    return this.spans.get(id);
  }

  reset(): void {
    this.spans = new Map();
  }

  close(): void {
    unsubscribe("http.server.request.start", this.onStart);
  }
}

/** CPU time (user + system, ms) of this process and of each live descendant of the stack, by pid. */
export interface ProcessCpu {
  pid: number;
  label: string;
  cpuMs: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

export function processCpu(): ProcessCpu[] {
  const own = process.cpuUsage();
  const result: ProcessCpu[] = [
    { pid: process.pid, label: HARNESS_LABEL, cpuMs: (own.user + own.system) / 1000 },
  ];
  for (const { pid, label } of stackProcesses()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // After the name: state is field 3, utime 14 and stime 15 (1-based), i.e. indexes 11 and 12 here.
      const ticks = Number(fields[11]) + Number(fields[12]);
      result.push({ pid, label, cpuMs: (ticks / CLOCK_TICKS_PER_SECOND) * 1000 });
    } catch {
      // The process ended while we looked.
    }
  }
  return result;
}

/**
 * CPU used between two snapshots, by label (a function's environments summed; a process that started in
 * between counts from zero, its start included).
 */
export function cpuBetween(
  before: readonly ProcessCpu[],
  after: readonly ProcessCpu[],
): Record<string, number> {
  const start = new Map(before.map((entry) => [entry.pid, entry.cpuMs]));
  const byLabel: Record<string, number> = {};
  for (const entry of after) {
    byLabel[entry.label] = (byLabel[entry.label] ?? 0) + entry.cpuMs - (start.get(entry.pid) ?? 0);
  }
  return byLabel;
}

/** Sizes (bytes, by AWS's rules) of the receipt records and series counters in the stack's table. */
export async function itemSizes(
  pipeline: Pipeline,
  orderIds?: ReadonlySet<number>,
): Promise<{ records: number[]; counters: number[]; byState: Record<string, number[]> }> {
  const { itemSize } = await import("./item-size");
  const client = new DynamoDBClient({
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    endpoint: pipeline.directEnv.AWS_ENDPOINT_URL_DYNAMODB,
  });
  const records: number[] = [];
  const counters: number[] = [];
  const byState: Record<string, number[]> = {};
  try {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new RawScanCommand({ TableName: pipeline.directEnv.TABLE_NAME, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        const size = itemSize(item);
        const pk = item.pk?.S ?? "";
        if (pk.startsWith("COUNTER#")) counters.push(size);
        else if (pk.startsWith("ORDER#") && item.state?.S) {
          if (orderIds && !orderIds.has(Number(item.orderId?.N))) continue;
          records.push(size);
          const state = item.state.S;
          byState[state] ??= [];
          byState[state].push(size);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
  return { records, counters, byState };
}

/** Lines and bytes each function wrote to its log: what CloudWatch Logs would ingest (before its own overhead). */
export class LogVolume {
  counts: Record<string, { lines: number; bytes: number }> = {};

  add(functionName: string, line: string): void {
    this.counts[functionName] ??= { lines: 0, bytes: 0 };
    this.counts[functionName].lines += 1;
    this.counts[functionName].bytes += Buffer.byteLength(line, "utf8");
  }

  reset(): void {
    this.counts = {};
  }
}

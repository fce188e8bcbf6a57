/**
 * `npm run chaos -- --orders 1000 --fault-rate 0.2 --seed 7 --numbering explicit|auto|repeat`
 *
 * The whole pipeline under faults at rate P, with the merchant changing orders mid-flight, then a DLQ replay,
 * then a reckoning. Faults (all seeded):
 * - Acelérala (simulator): 5xx before commit, 5xx after commit, timeout after commit (connection destroyed once
 *   the receipt is stored, plus a few held until the client's timeout), 429 with Retry-After; together about P
 *   of API requests; and the API numbering receipts the way `--numbering` says (the seed is ambiguous);
 * - DynamoDB (bench/aws-proxy.ts): P/4 of the handlers' requests answered 500 without forwarding, answered 500
 *   after the write was committed, or cut off;
 * - the worker's environment killed with SIGKILL in the middle of a batch (the runner starts a new one): every
 *   second, with probability P;
 * - webhooks: the event sent again with the same webhook-id (P of orders), the simulator's own earlier
 *   orders.created.placed event redelivered (P), and two events of one order sent newest first (P); our sender
 *   retries 5xx like Acelérala's does;
 * - the merchant's edits (about P of orders, and half the orders whose POST fails or is ambiguous, right then):
 *   shipping changed, Boleta ↔ Factura switched, a RUC mistyped and fixed a moment later; each edit is followed
 *   by its orders.updated.placed webhook.
 * Then faults stop, the DLQ is replayed with lib/ops/dlq.ts (`replayDlq`, what `cpe dlq replay` runs), and the run
 * waits until every expected receipt is final or nothing moves any more.
 *
 * The reckoning asks nothing of lib/: what to expect comes from the orders the run made (the order factory says
 * which ones it broke on purpose) and from the orders as the simulator holds them at the end. Every valid order
 * must have exactly one receipt, whose total, document type and customer are the order's final ones — or, when the order
 * changed after a receipt of it landed, a record in NEEDS_ATTENTION with `landed_receipt_differs` that is right
 * about differing. Exits non-zero on any duplicate, missing receipt or mismatch.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import Decimal from "decimal.js";
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from "../infra/local/aws-local-constants";
import type { LocalAwsEnv } from "../infra/local/local-aws";
import {
  changeShipping,
  mistypedRuc,
  switchToBoleta,
  switchToFactura,
  withRuc,
} from "../infra/simulator/order-edits";
import { BROKEN_ORDER_KINDS, makeBrokenOrder, makeOrder } from "../infra/simulator/order-factory";
import { chance, createRandom, deriveRandom, type Random } from "../infra/simulator/random";
import type { InjectedFault } from "../infra/simulator/server";
import { NUMBERING_MODES, type NumberingMode, type StoredReceipt } from "../infra/simulator/state";
import { queueDepth, replayDlq } from "../lib/ops/dlq";
import {
  machineInfo,
  type Pipeline,
  readReceipts,
  round,
  SETTLED_STATES,
  sendWebhooks,
  startPipeline,
  type WebhookRequest,
  waitUntilQuiet,
} from "./harness";

export interface ChaosOptions {
  orders: number;
  faultRate: number;
  seed: number;
  /** How the simulated API numbers receipts (default explicit). */
  numbering?: NumberingMode;
  /** How long new receipts stay out of the API's lists (default 0). */
  listLagMs?: number;
  /** Share of orders the factory breaks on purpose (default 0.05): they must get no receipt. */
  brokenRate?: number;
  /** Share of orders the merchant edits mid-flight (default: the fault rate). */
  editRate?: number;
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
  numbering: NumberingMode;
  /** Orders the factory made valid (the rest it broke on purpose): each must get exactly one receipt. */
  expectedReceipts: number;
  /** Receipts the simulator holds for the orders placed. */
  receipts: number;
  /** Orders with more than one receipt in the simulator. */
  duplicates: number[];
  /** Expected orders without a receipt in the simulator. */
  missing: number[];
  /** Orders with a receipt in the simulator whose DynamoDB record does not name it. */
  unrecorded: number[];
  /**
   * Orders whose receipt's total, document type or customer document is not the order's final one, with no
   * record saying so.
   */
  mismatches: number[];
  /** Orders held as landed_receipt_differs although their receipt matches the final order. */
  falseDiffers: number[];
  /** Orders broken on purpose that got a receipt anyway. */
  brokenIssued: number[];
  /** Orders whose landed receipt differs from the final order, rightly held for a person. */
  heldDiffering: number;
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
    /** Merchant edits by kind, and how many were made while that order's POST was failing or ambiguous. */
    edits: Record<string, number>;
    editsDuringFailedPost: number;
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

/** The sale receipts (Factura, Boleta) the simulator holds per order, whatever the list lag. */
function saleReceiptsByOrder(pipeline: Pipeline): Map<number, StoredReceipt[]> {
  const result = new Map<number, StoredReceipt[]>();
  for (const receipt of pipeline.stack.simulator.allReceipts()) {
    if (receipt.order_id === null || !["01", "03"].includes(receipt.document_type_code)) continue;
    result.set(receipt.order_id, [...(result.get(receipt.order_id) ?? []), receipt]);
  }
  return result;
}

type EditKind = "shipping" | "switch_type" | "ruc_typo";

/** The merchant's edits: each changes the order in the simulator and sends its orders.updated.placed webhook. */
class Merchant {
  readonly counts: Record<string, number> = {};
  duringFailedPost = 0;
  private edited = new Map<number, number>();
  private pending = new Set<Promise<unknown>>();
  private sequence = 0;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly random: Random,
    private readonly seed: number,
  ) {}

  /** Edits `orderId` (at most twice per order); `duringFailedPost` when its POST just failed. */
  edit(orderId: number, duringFailedPost: boolean): void {
    const times = this.edited.get(orderId) ?? 0;
    if (times >= 2) return;
    this.edited.set(orderId, times + 1);
    if (duringFailedPost) this.duringFailedPost++;
    const simulator = this.pipeline.stack.simulator;
    const order = simulator.getOrder(orderId) as { billing_details?: Record<string, unknown> };
    const billing = order.billing_details ?? {};
    const isFactura = billing.receipt_type === "invoice";
    const kinds: EditKind[] = isFactura
      ? ["shipping", "switch_type", "ruc_typo"]
      : ["shipping", "switch_type"];
    const kind = kinds[Math.floor(this.random() * kinds.length)] as EditKind;
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    if (kind === "shipping") {
      const delta = this.random() < 0.5 ? "10.00" : "-5.00";
      simulator.updateOrder(orderId, changeShipping(order, delta));
    } else if (kind === "switch_type") {
      simulator.updateOrder(
        orderId,
        isFactura ? switchToBoleta() : switchToFactura(this.seed * 100_000 + orderId),
      );
    } else {
      const ruc = String(billing.document_number);
      simulator.updateOrder(orderId, withRuc(mistypedRuc(ruc)));
      // The merchant notices and fixes it a moment later.
      this.track(
        new Promise((done) => setTimeout(done, 300 + Math.floor(this.random() * 1_200))).then(() => {
          simulator.updateOrder(orderId, withRuc(ruc));
          return this.notify(orderId);
        }),
      );
    }
    this.track(this.notify(orderId));
  }

  private notify(orderId: number) {
    const eventId = `evt_edit_${this.seed}_${orderId}_${this.sequence++}`;
    return sendWebhooks(this.pipeline, [{ orderId, eventId }], {
      concurrency: 1,
      retries: 6,
      retryDelayMs: 200,
    });
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const rate = options.faultRate;
  const numbering = options.numbering ?? "explicit";
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
      numbering,
      listLagMs: options.listLagMs ?? 0,
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
  let stopListening: (() => void) | undefined;
  try {
    // ---- orders (the factory says which it broke), and the simulator's own (dropped) orders.created.placed ----
    const orderRandom = createRandom(options.seed);
    const brokenRate = options.brokenRate ?? 0.05;
    const orderIds: number[] = [];
    const createdEventOf = new Map<number, string>();
    const valid = new Set<number>();
    const broken = new Set<number>();
    for (let index = 0; index < options.orders; index++) {
      const breakIt = chance(orderRandom, brokenRate);
      const made = breakIt
        ? makeBrokenOrder(
            BROKEN_ORDER_KINDS[Math.floor(orderRandom() * BROKEN_ORDER_KINDS.length)] ?? "totals_mismatch",
            orderRandom,
          )
        : makeOrder(orderRandom);
      const order = stack.simulator.createOrder(made);
      const orderId = Number(order.id);
      orderIds.push(orderId);
      (breakIt ? broken : valid).add(orderId);
      const createdEvent = stack.simulator.deliveries().at(-1);
      if (createdEvent?.event_type === "orders.created.placed")
        createdEventOf.set(orderId, createdEvent.event_id);
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

    // ---- the merchant: edits mid-flight, and right when an order's POST fails or is ambiguous ----
    const editRandom = deriveRandom(options.seed, "chaos-edits");
    const editRate = options.editRate ?? rate;
    const merchant = new Merchant(pipeline, editRandom, options.seed);
    stopListening = stack.simulator.onFault((fault: InjectedFault) => {
      if (fault.route !== "POST /v1/receipts" || fault.kind === "rate_limit") return;
      if (fault.orderId === null || !valid.has(fault.orderId)) return;
      // The first few failing POSTs always get an edit (a short run must see some), half of the rest.
      if (merchant.duringFailedPost < 3 || chance(editRandom, 0.5)) merchant.edit(fault.orderId, true);
    });
    const editedLater = [...valid].filter(() => chance(editRandom, editRate));

    // ---- faults on ----
    stack.simulator.setFaults([
      { kind: "error_before_commit", rate: rate / 4 },
      { kind: "rate_limit", rate: rate / 4, retryAfterSeconds: 1 },
      { kind: "error_after_commit", rate: rate / 8, routes: ["POST /v1/receipts"] },
      {
        kind: "timeout_after_commit",
        rate: rate / 4,
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
      `${options.orders} orders (${valid.size} valid, ${broken.size} broken on purpose), fault rate ${rate}, ` +
        `numbering ${numbering}: ${first.length + later.length} webhooks, ${redeliver.length} redeliveries, ` +
        `${editedLater.length} orders edited mid-flight`,
    );
    const sendOptions = { concurrency: 20, retries: 6, retryDelayMs: 200 };
    const sendingFirst = sendWebhooks(pipeline, shuffle(first, webhookRandom), sendOptions);
    // Edits land while the first events are being handled.
    for (const [index, orderId] of editedLater.entries()) {
      if (index % 10 === 0) await sleep(100);
      merchant.edit(orderId, false);
    }
    const sentFirst = await sendingFirst;
    for (const eventId of redeliver) stack.simulator.redeliverEvent(eventId);
    const sentLater = await sendWebhooks(pipeline, shuffle(later, webhookRandom), sendOptions);
    await merchant.settled();
    const sent = [...sentFirst, ...sentLater];
    const webhookRetries = sent.reduce((total, webhook) => total + webhook.attempts - 1, 0);
    const unsent = sent.filter((webhook) => webhook.status < 200 || webhook.status >= 300);
    if (unsent.length > 0)
      log(`${unsent.length} webhooks never got a 2xx (each is retried by the sender first)`);
    log(`webhooks sent after ${round((Date.now() - started) / 1000, 1)} s; waiting with faults on`);
    await waitUntilQuiet(pipeline, [...valid], { quietMs: 5_000, timeoutMs: settleTimeoutMs });

    // ---- faults off, then replay the DLQ until quiet ----
    clearInterval(killer);
    killer = undefined;
    stopListening();
    stopListening = undefined;
    await merchant.settled();
    stack.simulator.clearFaults();
    proxies.dynamodb.setFaults(null);
    log(`faults off after ${round((Date.now() - started) / 1000, 1)} s`);
    const queueUrl = stack.env.ORDER_EVENTS_QUEUE_URL ?? "";
    const dlqUrl = stack.env.ORDER_EVENTS_DLQ_URL ?? "";
    let replayed = 0;
    let rounds = 0;
    while (rounds < (options.replayRounds ?? 4)) {
      const wait = await waitUntilQuiet(pipeline, [...valid], {
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
    await waitUntilQuiet(pipeline, [...valid], { quietMs: 2_500, timeoutMs: settleTimeoutMs });
    await sleep(1_000); // the last deletes and poller writes
    const rows = await readReceipts(pipeline);
    const leftInDlq = await queueDepth(sqs, dlqUrl);

    // ---- the reckoning: from the orders the run made and the simulator's final orders, never from lib/ ----
    const held = saleReceiptsByOrder(pipeline);
    const report = {
      duplicates: [] as number[],
      missing: [] as number[],
      unrecorded: [] as number[],
      mismatches: [] as number[],
      falseDiffers: [] as number[],
      brokenIssued: [] as number[],
      heldDiffering: 0,
    };
    let receipts = 0;
    for (const orderId of orderIds) {
      const list = held.get(orderId) ?? [];
      receipts += list.length;
      const row = rows.get(orderId);
      if (broken.has(orderId)) {
        if (list.length > 0) report.brokenIssued.push(orderId);
        continue;
      }
      if (list.length > 1) report.duplicates.push(orderId);
      if (list.length === 0) report.missing.push(orderId);
      const [receipt] = list;
      if (list.length !== 1 || !receipt) continue;
      const order = stack.simulator.getOrder(orderId) as {
        total?: unknown;
        billing_details?: { receipt_type?: unknown; document_number?: unknown };
      };
      const wantedType = order.billing_details?.receipt_type === "invoice" ? "01" : "03";
      const customer = (receipt.customer_information ?? {}) as { document_number?: unknown };
      const matches =
        new Decimal(String(receipt.gross_total)).equals(String(order.total)) &&
        receipt.document_type_code === wantedType &&
        String(customer.document_number ?? "-") === String(order.billing_details?.document_number ?? "-");
      const heldAsDiffering =
        row?.state === "NEEDS_ATTENTION" &&
        (row.problems ?? []).some((problem) => problem.rule === "landed_receipt_differs");
      if (matches) {
        if (heldAsDiffering) report.falseDiffers.push(orderId);
        else if (
          !row ||
          !SETTLED_STATES.includes(row.state) ||
          row.documentNumber !== receipt.document_number
        )
          report.unrecorded.push(orderId);
      } else if (heldAsDiffering) {
        report.heldDiffering++;
      } else {
        report.mismatches.push(orderId);
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
      numbering,
      expectedReceipts: valid.size,
      receipts,
      ...report,
      states,
      injected: {
        aceleralaFaults: stats.faults_injected,
        dynamoFaults,
        workerKills,
        duplicateWebhooks,
        redeliveredEvents: redeliver.length,
        reorderedOrders,
        webhookRetries,
        edits: merchant.counts,
        editsDuringFailedPost: merchant.duringFailedPost,
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
    stopListening?.();
    sqs.destroy();
    await pipeline.stop();
  }
}

/** True when the run found nothing wrong. */
export function chaosHeld(report: ChaosReport): boolean {
  return (
    report.duplicates.length === 0 &&
    report.missing.length === 0 &&
    report.unrecorded.length === 0 &&
    report.mismatches.length === 0 &&
    report.falseDiffers.length === 0 &&
    report.brokenIssued.length === 0
  );
}

export function formatChaosReport(report: ChaosReport): string {
  const list = (ids: number[]) => (ids.length === 0 ? "0" : `${ids.length} (${ids.slice(0, 10).join(", ")})`);
  const i = report.injected;
  return [
    `orders: ${report.orders} (valid, each to get exactly one receipt: ${report.expectedReceipts}); API numbering ${report.numbering}`,
    `receipts: ${report.receipts}`,
    `duplicates: ${list(report.duplicates)}`,
    `missing: ${list(report.missing)}`,
    `total, document-type or customer mismatches: ${list(report.mismatches)}`,
    `held as landed_receipt_differs (the order changed after its receipt landed): ${report.heldDiffering}; wrongly: ${list(report.falseDiffers)}`,
    `broken orders that got a receipt: ${list(report.brokenIssued)}`,
    `receipts in the simulator not final in DynamoDB: ${list(report.unrecorded)}`,
    `DynamoDB states: ${Object.entries(report.states)
      .map(([state, count]) => `${state} ${count}`)
      .join(", ")}`,
    `faults: Acelérala ${JSON.stringify(i.aceleralaFaults)}, DynamoDB ${i.dynamoFaults}, worker kills ${i.workerKills}, ` +
      `duplicate webhooks ${i.duplicateWebhooks}, redelivered events ${i.redeliveredEvents}, reordered orders ` +
      `${i.reorderedOrders}, webhook retries ${i.webhookRetries}`,
    `merchant edits: ${JSON.stringify(i.edits)}, ${i.editsDuringFailedPost} while the order's POST was failing or ambiguous`,
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
      numbering: { type: "string", default: "explicit" },
      "list-lag-ms": { type: "string", default: "0" },
    },
  });
  const orders = Number(values.orders);
  const faultRate = Number(values["fault-rate"]);
  const seed = Number(values.seed);
  const listLagMs = Number(values["list-lag-ms"]);
  if (!Number.isInteger(orders) || orders < 1)
    throw new Error(`--orders must be a positive integer, got ${values.orders}`);
  if (!(faultRate >= 0 && faultRate <= 1))
    throw new Error(`--fault-rate must be from 0 to 1, got ${values["fault-rate"]}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (!(NUMBERING_MODES as readonly string[]).includes(values.numbering))
    throw new Error(`--numbering must be one of ${NUMBERING_MODES.join(", ")}, got ${values.numbering}`);
  if (!(listLagMs >= 0 && listLagMs < 3_000))
    throw new Error(
      `--list-lag-ms must be from 0 to 2999 (below the run's look-up delay of 3 s), got ${values["list-lag-ms"]}`,
    );
  const report = await runChaos({
    orders,
    faultRate,
    seed,
    numbering: values.numbering as NumberingMode,
    listLagMs,
    log: (message) => process.stderr.write(`[chaos] ${message}\n`),
  });
  process.stdout.write(`${formatChaosReport(report)}\n`);
  return chaosHeld(report) ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}

import { setTimeout as sleep } from "node:timers/promises";
import type { CliIo } from "../../../lib/cli/io";
import { loadStores } from "../../../lib/config/stores";
import type { LocalStackOptions } from "../stack";
import { planDemoOrders } from "./plan";
import {
  type DemoTimings,
  demoPassed,
  formatDemoTable,
  formatSummary,
  isDemoFinal,
  type OrderObservation,
  type PlacedOrder,
  progressLine,
  seconds,
} from "./report";
import { attachedTarget, DEMO_STORE_ID, type DemoTarget, ownStackTarget } from "./target";
import { formatNotesTable, type UndoPlan, undoProblems, undoSomeSales, waitForNotes } from "./undo";

/**
 * `npm run demo`: places N varied orders in the simulator, watches their receipt records until every one is
 * final (redrawing a live table on a terminal, printing progress lines otherwise), then prints the final
 * table and a summary, and stops what it started.
 */

export interface DemoOptions {
  orders: number;
  seed: number;
  /** Share of broken orders, 0–1 (at least one of each kind when orders ≥ 6 and the rate is above 0). */
  brokenRate: number;
  /** SUNAT's observation rate during the run, 0–1. */
  observationsRate: number;
  timeoutSeconds: number;
  /** Use the `npm start` stack described by this environment file instead of starting one. */
  attachEnvFile?: string;
  /** Overrides of the demo's stack settings (tests pass `emulators` to reuse theirs). */
  stack?: LocalStackOptions;
  /** How often the receipt records are read; default 500 ms. */
  pollIntervalMs?: number;
  /** Aborting (Ctrl-C) stops the watch and the stack. */
  signal?: AbortSignal;
  /** Undo a few accepted sales afterwards (cancel, refund) and check their credit notes; default true. */
  undo?: boolean;
}

export interface DemoIo extends CliIo {
  /** Redraw the table in place (ANSI) rather than print progress lines. */
  isTTY: boolean;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INTERRUPTED = 130;

export interface DemoResult {
  exitCode: number;
  observations: OrderObservation[];
  /** The sales undone after every order was final, with their credit notes. */
  undo?: UndoPlan[];
  timedOut: boolean;
  interrupted: boolean;
  timings?: DemoTimings;
}

const CLEAR_SCREEN = "\x1b[H\x1b[2J\x1b[3J";
/** Progress lines without a change are repeated at most this often (CI logs). */
const PROGRESS_HEARTBEAT_MS = 5_000;
const READ_CONCURRENCY = 16;

export async function runDemo(options: DemoOptions, io: DemoIo): Promise<DemoResult> {
  const started = Date.now();
  const say = (line: string) => io.stdout(`${line}\n`);
  let target: DemoTarget | undefined;
  let restorePolicy: (() => Promise<void>) | undefined;
  const observations: OrderObservation[] = [];
  const interrupted = () => options.signal?.aborted === true;
  try {
    if (options.attachEnvFile) {
      say(`[demo] attaching to the local stack of ${options.attachEnvFile}`);
      target = await attachedTarget(options.attachEnvFile, io);
    } else {
      say("[demo] starting a local stack (DynamoDB Local, fauxqs, simulator, the four functions)…");
      target = await ownStackTarget(options.stack);
    }
    const stackStartMs = Date.now() - started;
    say(`[demo] ${target.description} ready in ${seconds(stackStartMs)}`);
    if (interrupted())
      return { exitCode: EXIT_INTERRUPTED, observations, timedOut: false, interrupted: true };

    const stores = await loadStores(target.storesConfigPath);
    const store = stores.find((candidate) => candidate.store_id === DEMO_STORE_ID);
    if (!store) throw new Error(`the stores file has no store ${DEMO_STORE_ID}`);
    const plans = planDemoOrders({
      orders: options.orders,
      seed: options.seed,
      brokenRate: options.brokenRate,
      store,
    });
    restorePolicy = await target.setObservationRate(options.observationsRate);

    const placingStarted = Date.now();
    for (const plan of plans) {
      if (interrupted()) break;
      const orderId = await target.placeOrder(plan.body);
      const placed: PlacedOrder = { ...plan, orderId, storeId: DEMO_STORE_ID };
      observations.push({ order: placed });
    }
    const placingMs = Date.now() - placingStarted;
    const brokenCount = observations.filter((o) => o.order.kind !== "valid").length;
    say(
      `[demo] placed ${observations.length} orders (${brokenCount} broken) in ${seconds(placingMs)}; ` +
        `seed ${options.seed}, SUNAT observation rate ${options.observationsRate}`,
    );

    const deadline = placingStarted + options.timeoutSeconds * 1000;
    const watch = await watchUntilFinal(target, observations, deadline, options, io, started);
    if (watch === "interrupted" || interrupted()) {
      say("\n[demo] interrupted: stopping");
      return { exitCode: EXIT_INTERRUPTED, observations, timedOut: false, interrupted: true };
    }
    const timedOut = watch === "timeout";
    const settleMs = timedOut ? undefined : Date.now() - placingStarted;
    if (!timedOut) await countReceipts(target, observations);

    const timings: DemoTimings = { totalMs: Date.now() - started, stackStartMs, placingMs, settleMs };
    if (io.isTTY) io.stdout(CLEAR_SCREEN);
    say(formatDemoTable(observations));
    say("");
    say(formatSummary(observations, timings, timedOut));
    let passed = !timedOut && demoPassed(observations);

    // Act two: the merchant undoes a few accepted sales; each gets its credit notes.
    let undo: UndoPlan[] = [];
    if (passed && options.undo !== false && !interrupted()) {
      undo = await undoSomeSales(target, observations);
      say(
        `\n[demo] undoing ${undo.length} sales (cancellations and refunds): waiting for their credit notes…`,
      );
      const notesFinal = await waitForNotes(target, undo, Date.now() + options.timeoutSeconds * 1000);
      say(formatNotesTable(undo));
      const wrong = undo.flatMap((plan) =>
        undoProblems(plan).map((problem) => `  #${plan.orderId}: ${problem}`),
      );
      if (!notesFinal) say("TIMED OUT waiting for credit notes.");
      if (wrong.length > 0) say(`WRONG credit notes:\n${wrong.join("\n")}`);
      else if (notesFinal)
        say("OK: every cancellation and refund got its credit note, never crediting more than the receipt.");
      passed = notesFinal && wrong.length === 0;
    }
    return {
      exitCode: passed ? EXIT_OK : EXIT_FAILED,
      observations,
      undo,
      timedOut,
      interrupted: false,
      timings,
    };
  } catch (error) {
    if (interrupted())
      return { exitCode: EXIT_INTERRUPTED, observations, timedOut: false, interrupted: true };
    io.stderr(`[demo] failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return { exitCode: EXIT_FAILED, observations, timedOut: false, interrupted: false };
  } finally {
    await restorePolicy?.().catch(() => {}); // an attached stack that went away has no policy to restore
    if (target) {
      if (!options.attachEnvFile) say("[demo] stopping the local stack");
      await target.close();
    }
  }
}

/** Reads every record until all are final, the deadline passes or the run is interrupted. */
async function watchUntilFinal(
  target: DemoTarget,
  observations: OrderObservation[],
  deadline: number,
  options: DemoOptions,
  io: DemoIo,
  started: number,
): Promise<"final" | "timeout" | "interrupted"> {
  const interval = options.pollIntervalMs ?? 500;
  let lastProgress = "";
  let lastProgressAt = 0;
  for (;;) {
    await readRecords(target, observations);
    const allFinal = observations.every((observation) => isDemoFinal(observation.record?.state));
    const elapsed = Date.now() - started;
    if (io.isTTY) {
      io.stdout(
        `${CLEAR_SCREEN}${progressLine(observations, elapsed)}\n\n${formatDemoTable(observations)}\n`,
      );
    } else {
      const line = progressLine(observations, elapsed);
      const withoutTime = line.replace(/^\[demo\] \S+ s/, "");
      if (withoutTime !== lastProgress || Date.now() - lastProgressAt >= PROGRESS_HEARTBEAT_MS || allFinal) {
        io.stdout(`${line}\n`);
        lastProgress = withoutTime;
        lastProgressAt = Date.now();
      }
    }
    if (allFinal) return "final";
    if (Date.now() >= deadline) return "timeout";
    if (options.signal?.aborted) return "interrupted";
    try {
      await sleep(interval, undefined, { signal: options.signal });
    } catch {
      return "interrupted";
    }
  }
}

/** Reads the records of the orders not final yet, a few at a time. */
async function readRecords(target: DemoTarget, observations: OrderObservation[]): Promise<void> {
  const pending = observations.filter((observation) => !isDemoFinal(observation.record?.state));
  await inBatches(pending, async (observation) => {
    observation.record = await target.store.get({
      storeId: observation.order.storeId,
      orderId: observation.order.orderId,
    });
  });
}

async function countReceipts(target: DemoTarget, observations: OrderObservation[]): Promise<void> {
  await inBatches(observations, async (observation) => {
    observation.receiptCount = await target.countReceipts(observation.order.orderId);
  });
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += READ_CONCURRENCY)
    await Promise.all(items.slice(start, start + READ_CONCURRENCY).map(work));
}

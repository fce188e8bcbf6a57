import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RequestTiming } from "./aws-proxy";
import type { ServerSpans } from "./harness";
import { percentile, round } from "./harness";

/**
 * Where the receipt worker's time goes, per order: the phases bench/probe.mjs saw in the worker's environments
 * (lib/observability/phases.ts), the HTTP exchanges made inside each, and for each exchange the time the emulator
 * (DynamoDB Local, behind the counting proxy) or the simulator spent on it. The rest of a phase is the worker's:
 * the AWS SDK (serialising, signing, parsing), our code, and waiting for the event loop (a batch's orders run
 * at the same time on one thread).
 */

interface PhaseLine {
  k: "phase";
  phase: string;
  orderId: number;
  document?: string;
  start: number;
  end: number;
}

interface HttpLine {
  k: "http";
  phase?: string;
  orderId?: number;
  target: string;
  id: string;
  start: number;
  end: number;
}

export interface PhaseRow {
  step: string;
  /** Mean wall time per order (ms), and its median over the orders that went through the step. */
  wallMs: number;
  wallP50Ms: number;
  /** Mean per order (or per transaction, for the reservation's write), ms. */
  httpMs: number | null;
  serverMs: number | null;
  workerMs: number | null;
  note?: string;
}

export interface PhaseBreakdown {
  orders: number;
  rows: PhaseRow[];
  /** Reservations written per transaction, on average. */
  reservationsPerTransaction: number;
  /** HTTP exchanges the probe saw that it could not join with the emulator's or simulator's side. */
  unjoined: number;
}

const STEPS: { phase: string; step: string; http: boolean }[] = [
  { phase: "record_read", step: "Record read (GetItem)", http: true },
  { phase: "order_read", step: "Order read (GET /v1/orders/{id}, its schema)", http: true },
  { phase: "build", step: "Build (decision and body, pure)", http: false },
  { phase: "reservation_wait", step: "Reservation: wait for the series' turn", http: false },
  { phase: "reservation_write", step: "Reservation: transaction (counter + records)", http: true },
  { phase: "reservation_read", step: "Reservation: record read back (GetItem)", http: true },
  { phase: "post", step: "POST /v1/receipts", http: true },
  { phase: "state_write", step: "State write (UpdateItem, land)", http: true },
];

export function readProbe(directory: string, from: number, to: number): (PhaseLine | HttpLine)[] {
  const lines: (PhaseLine | HttpLine)[] = [];
  for (const file of readdirSync(directory)) {
    if (!file.endsWith(".jsonl")) continue;
    for (const text of readFileSync(join(directory, file), "utf8").split("\n")) {
      if (!text) continue;
      const line = JSON.parse(text) as PhaseLine | HttpLine;
      if (line.start >= from && line.end <= to) lines.push(line);
    }
  }
  return lines;
}

export function phaseBreakdown(
  lines: readonly (PhaseLine | HttpLine)[],
  orders: number,
  dynamo: readonly RequestTiming[],
  simulator: ServerSpans,
): PhaseBreakdown {
  const proxy = new Map(dynamo.map((timing) => [timing.id, timing]));
  const phases = lines.filter((line): line is PhaseLine => line.k === "phase");
  const exchanges = lines.filter((line): line is HttpLine => line.k === "http");
  let unjoined = 0;
  // The transaction runs in the context of the reservation whose turn wrote the group: its outer phase.
  const phaseOf = (line: HttpLine) => (line.phase === "reservation" ? "reservation_write" : line.phase);
  const serverTime = (line: HttpLine): number | undefined => {
    const timing = proxy.get(line.id);
    if (timing) return timing.upstreamEnd - timing.upstreamStart;
    const span = simulator.get(line.id);
    if (span) return span.end - span.start;
    unjoined += 1;
    return undefined;
  };
  const transactions = exchanges.filter(
    (line) => phaseOf(line) === "reservation_write" && line.target === "TransactWriteItems",
  );
  const reservations = phases.filter((line) => line.phase === "reservation_write").length;
  const seen = new Set(phases.map((line) => line.phase));
  const rows: PhaseRow[] = STEPS.filter(({ phase }) => seen.has(phase)).map(({ phase, step, http }) => {
    const durations = phases.filter((line) => line.phase === phase).map((line) => line.end - line.start);
    const wall = durations.reduce((a, b) => a + b, 0);
    const own = exchanges.filter((line) => phaseOf(line) === phase);
    const httpTotal = own.reduce((total, line) => total + (line.end - line.start), 0);
    const serverTotal = own.reduce((total, line) => total + (serverTime(line) ?? 0), 0);
    const wallOf = {
      step,
      wallMs: round(wall / orders, 2),
      wallP50Ms: round(percentile(durations, 50) || 0, 2),
    };
    if (!http) return { ...wallOf, httpMs: null, serverMs: null, workerMs: wallOf.wallMs };
    if (phase === "reservation_write") {
      // One exchange serves every order of its group: shown per transaction, beside each order's wait for it.
      const count = Math.max(1, transactions.length);
      return {
        ...wallOf,
        httpMs: round(httpTotal / count, 2),
        serverMs: round(serverTotal / count, 2),
        workerMs: null,
        note: "HTTP and emulator per transaction",
      };
    }
    return {
      ...wallOf,
      httpMs: round(httpTotal / orders, 2),
      serverMs: round(serverTotal / orders, 2),
      workerMs: round((wall - httpTotal) / orders, 2),
    };
  });
  return {
    orders,
    rows,
    reservationsPerTransaction: round(reservations / Math.max(1, transactions.length), 2),
    unjoined,
  };
}

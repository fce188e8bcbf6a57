import { tracingChannel } from "node:diagnostics_channel";

/**
 * Where a worker's time goes, for whoever subscribes (the benchmark's probe, an APM agent): each step of issuing a
 * receipt runs inside a Node.js tracing channel. With no subscriber (production), `tracePromise` and `traceSync`
 * call the step directly, so this costs nothing; a subscriber sees when each step starts and ends, for which
 * order, and (binding an AsyncLocalStorage to the start event) which HTTP requests each step made.
 */
export const WORKER_PHASE_CHANNEL = "acelerala-sunat:worker-phase";

export type WorkerPhase =
  /** The order's record, read first (GetItem). */
  | "record_read"
  /** GET /v1/orders/{id}, with the token request when one is due, and the order's schema check. */
  | "order_read"
  /** The receipt domain: the decision and the body, from the order (pure). */
  | "build"
  /** store.reserve: the series' turn in this process, the transaction with the counter, the record read back. */
  | "reservation"
  | "reservation_wait"
  | "reservation_write"
  | "reservation_read"
  /** POST /v1/receipts. */
  | "post"
  /** The record's move to what landed (land: SUBMITTED / ACCEPTED / REJECTED). */
  | "state_write";

export interface PhaseContext {
  phase: WorkerPhase;
  storeId: number;
  orderId: number;
  document?: string;
}

const channel = tracingChannel<unknown, PhaseContext>(WORKER_PHASE_CHANNEL);

type Key = { storeId: number; orderId: number; document?: string };

function contextOf(phase: WorkerPhase, key: Key): PhaseContext {
  const context: PhaseContext = { phase, storeId: key.storeId, orderId: key.orderId };
  if (key.document !== undefined) context.document = key.document;
  return context;
}

/** Runs an asynchronous step of the worker inside the phase channel. */
export function phase<T>(name: WorkerPhase, key: Key, step: () => Promise<T>): Promise<T> {
  if (!channel.hasSubscribers) return step();
  return channel.tracePromise(step, contextOf(name, key));
}

/** Runs a synchronous step of the worker inside the phase channel. */
export function phaseSync<T>(name: WorkerPhase, key: Key, step: () => T): T {
  if (!channel.hasSubscribers) return step();
  return channel.traceSync(step, contextOf(name, key));
}

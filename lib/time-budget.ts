/**
 * How long the functions that call Acelérala may take, derived in this one place from the worst case of the
 * calls they make. The queue definition (lib/queue/queue-definition.ts) takes the worker's timeout and the
 * queue's visibility timeout from here, and so do both stacks; at run time each invocation derives its
 * deadline from the time Lambda says is left, so a message stops before the function would time out.
 */

/** ACELERALA_TIMEOUT_SECONDS' default: how long one call to Acelérala may take before it is abandoned. */
export const DEFAULT_ACELERALA_TIMEOUT_SECONDS = 10;

export const WORKER_TIME_BUDGET = {
  /**
   * The calls to Acelérala one order event makes one after another, in its usual worst case: a token, the
   * order, the look-up of a held number (by number and by order, in parallel), the POST. Rarer paths (a 409, a
   * credit note, seeding a new series) make more calls; the deadline stops them between two calls, and the
   * next receive carries on from what DynamoDB recorded.
   */
  sequentialApiCalls: 4,
  /** The event's DynamoDB reads and writes (a get, the reservation's transaction, the landing): SDK retries included. */
  dynamoDbSeconds: 5,
  /** Time kept after the last message: the back-off calls to SQS, the batch response, the metrics. */
  invocationMarginSeconds: 5,
} as const;

/** The receiver's timeout: a signature check and one SendMessage. */
export const RECEIVER_TIMEOUT_SECONDS = 10;
/** The poller's timeout: under its one-minute schedule, so runs rarely overlap (an overlap is harmless). */
export const POLLER_TIMEOUT_SECONDS = 50;
/**
 * The reconciler's timeout: 15 days of each store's orders and receipts, page by page, and a record read per
 * order; a few minutes for a small store, and an hour's run must end before the next.
 */
export const RECONCILER_TIMEOUT_SECONDS = 10 * 60;

/** AWS guidance for SQS event sources: visibility ≥ 6 × the function timeout, or batches are redelivered. */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

/** The worst case of one message: every sequential call taking its whole timeout, plus DynamoDB. */
export function messageBudgetSeconds(aceleralaTimeoutSeconds = DEFAULT_ACELERALA_TIMEOUT_SECONDS): number {
  return WORKER_TIME_BUDGET.sequentialApiCalls * aceleralaTimeoutSeconds + WORKER_TIME_BUDGET.dynamoDbSeconds;
}

/** The worker's Lambda timeout: one message's worst case and the invocation's margin (45 + 5 = 50 s by default). */
export function workerTimeoutSeconds(aceleralaTimeoutSeconds = DEFAULT_ACELERALA_TIMEOUT_SECONDS): number {
  return messageBudgetSeconds(aceleralaTimeoutSeconds) + WORKER_TIME_BUDGET.invocationMarginSeconds;
}

/** The queue's visibility timeout: 6 × the worker's timeout (300 s by default). */
export function visibilityTimeoutSeconds(
  aceleralaTimeoutSeconds = DEFAULT_ACELERALA_TIMEOUT_SECONDS,
): number {
  return VISIBILITY_TO_TIMEOUT_RATIO * workerTimeoutSeconds(aceleralaTimeoutSeconds);
}

/**
 * The poller stops taking receipts this long before its function would time out: one call's timeout (the last
 * poll it started may take that long) and a margin for the metrics and the gauges.
 */
export function pollerMarginMs(aceleralaTimeoutSeconds = DEFAULT_ACELERALA_TIMEOUT_SECONDS): number {
  return (aceleralaTimeoutSeconds + WORKER_TIME_BUDGET.invocationMarginSeconds) * 1000;
}

/** The point in time (epoch ms) every message of an invocation must have stopped by. */
export function invocationDeadline(nowMs: number, remainingMs: number): number {
  return nowMs + remainingMs - WORKER_TIME_BUDGET.invocationMarginSeconds * 1000;
}

/**
 * Whether a message may start now: one call to Acelérala and its DynamoDB writes (15 s by default) still fit
 * before the deadline, so it can make progress; the per-call deadline stops it in time if it needs more. The
 * function's timeout fits a whole worst case (above), so the first message of every order in the batch (they
 * run side by side) can finish; a later event of the same order gets what is left. When not even a whole
 * invocation could fit one call (a timeout configured far beyond what the function's timeout was derived
 * from), waiting for a fresh invocation would not help: it starts anyway.
 */
export function canStartMessage(
  startedMs: number,
  nowMs: number,
  deadlineMs: number,
  aceleralaTimeoutSeconds = DEFAULT_ACELERALA_TIMEOUT_SECONDS,
): boolean {
  const neededMs = (aceleralaTimeoutSeconds + WORKER_TIME_BUDGET.dynamoDbSeconds) * 1000;
  return deadlineMs - nowMs >= neededMs || deadlineMs - startedMs < neededMs;
}

/** A call was not started because it could not finish before the invocation's deadline. */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
}

/** Throws a DeadlineError when a call that may take `callTimeoutMs` could not finish before `deadlineMs`. */
export function assertTimeForCall(
  call: string,
  deadlineMs: number,
  callTimeoutMs: number,
  now: () => number = Date.now,
): void {
  const left = deadlineMs - now();
  if (left < callTimeoutMs)
    throw new DeadlineError(
      `${call} not started: ${Math.max(0, left)} ms left before the invocation's deadline, and a call may take ${callTimeoutMs} ms`,
    );
}

/**
 * The same object, but a method call that could not finish before `deadlineMs` (less than one call's timeout
 * left) throws a DeadlineError instead of starting: a POST is never begun that the invocation might abandon.
 * A call already started keeps its own timeout, which fits before the deadline.
 */
export function withDeadline<T extends object>(
  target: T,
  deadlineMs: number,
  callTimeoutMs: number,
  now: () => number = Date.now,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        assertTimeForCall(String(property), deadlineMs, callTimeoutMs, now);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

import { acceptedAfterMs, type OrderKey } from "../store/receipt-record";
import { type PendingReceipt, StateConflictError, type SunatAnswer } from "../store/receipt-store";

/**
 * One run of the CDR poller: reads only the receipts whose next poll is due from the sparse pending-CDR
 * index, asks Acelérala for each (bounded concurrency), and records SUNAT's answer, a later poll, or STALE.
 * It stops taking new work before its time budget runs out and leaves the rest for the next run.
 */

export interface CdrStatus {
  /** SUNAT answered (accepted or not). */
  acknowledged: boolean;
  answer: SunatAnswer;
}

export interface PollerStore {
  queryDue(
    now: Date,
    limit: number,
    startKey?: Record<string, unknown>,
  ): Promise<{ records: PendingReceipt[]; nextKey: Record<string, unknown> | undefined }>;
  recordSunatAnswer(key: OrderKey, answer: SunatAnswer, now: Date): Promise<unknown>;
  reschedulePoll(key: OrderKey, nextPollAt: number, now: Date): Promise<void>;
  markStale(key: OrderKey, why: string, now: Date): Promise<void>;
}

export interface PollerOptions {
  /** Stop taking new receipts once this much time is used (leave room before the Lambda timeout). */
  budgetMs: number;
  concurrency: number;
  pageSize: number;
  /** First back-off step; doubles per poll up to `maxDelayMs` (1, 2, 4 … 30 minutes by default). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A receipt with no CDR this long after submission is STALE. */
  maxAgeMs: number;
}

export const DEFAULT_POLLER_OPTIONS: PollerOptions = {
  budgetMs: 45_000,
  concurrency: 8,
  pageSize: 50,
  baseDelayMs: 60_000,
  maxDelayMs: 30 * 60_000,
  maxAgeMs: 72 * 3_600_000,
};

export interface PollSummary {
  checked: number;
  accepted: number;
  rejected: number;
  stillPending: number;
  stale: number;
  /** Another run or the worker changed the receipt first; nothing to do. */
  skipped: number;
  errors: number;
  /** True when due receipts were left for the next run because the budget ran out. */
  budgetExhausted: boolean;
  /** For each receipt accepted in this run: milliseconds from its order event to now. */
  acceptedAfterMs: number[];
}

/** Delay before the (pollCount+1)-th poll: base × 2^pollCount, capped. */
export function nextPollDelayMs(
  pollCount: number,
  options: Pick<PollerOptions, "baseDelayMs" | "maxDelayMs">,
) {
  return Math.min(options.baseDelayMs * 2 ** Math.min(pollCount, 30), options.maxDelayMs);
}

export async function pollDueReceipts(
  deps: {
    store: PollerStore;
    fetchCdr: (record: PendingReceipt) => Promise<CdrStatus>;
    now: () => Date;
    onError?: (record: PendingReceipt, error: unknown) => void;
  },
  options: PollerOptions = DEFAULT_POLLER_OPTIONS,
): Promise<PollSummary> {
  const started = deps.now().getTime();
  const summary: PollSummary = {
    checked: 0,
    accepted: 0,
    rejected: 0,
    stillPending: 0,
    stale: 0,
    skipped: 0,
    errors: 0,
    budgetExhausted: false,
    acceptedAfterMs: [],
  };
  const withinBudget = () => deps.now().getTime() - started < options.budgetMs;

  async function pollOne(record: PendingReceipt): Promise<void> {
    const key = { storeId: record.storeId, orderId: record.orderId };
    const now = deps.now();
    try {
      const status = await deps.fetchCdr(record);
      summary.checked++;
      if (status.acknowledged) {
        const answeredAt = deps.now();
        await deps.store.recordSunatAnswer(key, status.answer, answeredAt);
        if (status.answer.accepted) {
          summary.accepted++;
          summary.acceptedAfterMs.push(acceptedAfterMs(record, answeredAt));
        } else summary.rejected++;
        return;
      }
      const submittedAt = Date.parse(record.submittedAt ?? record.createdAt);
      if (now.getTime() - submittedAt >= options.maxAgeMs) {
        await deps.store.markStale(
          key,
          `no CDR ${Math.round(options.maxAgeMs / 3_600_000)} h after submission`,
          now,
        );
        summary.stale++;
        return;
      }
      await deps.store.reschedulePoll(
        key,
        now.getTime() + nextPollDelayMs(record.pollCount ?? 0, options),
        now,
      );
      summary.stillPending++;
    } catch (error) {
      if (error instanceof StateConflictError) {
        summary.skipped++;
        return;
      }
      // Leave the receipt due: the next run tries again. Counted and reported, never silent.
      summary.errors++;
      deps.onError?.(record, error);
    }
  }

  let startKey: Record<string, unknown> | undefined;
  do {
    if (!withinBudget()) {
      summary.budgetExhausted = true;
      break;
    }
    const page = await deps.store.queryDue(deps.now(), options.pageSize, startKey);
    startKey = page.nextKey;
    const queue = [...page.records];
    const workers = Array.from({ length: Math.min(options.concurrency, queue.length) }, async () => {
      for (let record = queue.shift(); record; record = queue.shift()) {
        if (!withinBudget()) {
          summary.budgetExhausted = true;
          return;
        }
        await pollOne(record);
      }
    });
    await Promise.all(workers);
  } while (startKey && !summary.budgetExhausted);
  return summary;
}

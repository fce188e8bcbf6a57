import type { SunatAnswer } from "../acelerala/sunat-answer";
import { acceptedAfterMs, type OrderKey } from "../store/receipt-record";
import { keyOfItem, type PendingReceipt, StateConflictError } from "../store/receipt-store";

/**
 * One run of the CDR poller: reads only the receipts whose next poll is due from the sparse pending-CDR
 * index, asks Acelérala for each (bounded concurrency), and records SUNAT's answer, a later poll, or STALE.
 * It stops taking new work before its time budget runs out and leaves the rest for the next run.
 */

export interface CdrStatus {
  /** SUNAT's answer as the API reports it now; null while SUNAT has not answered. */
  answer: SunatAnswer | null;
}

export interface PollerStore {
  queryDue(
    now: Date,
    limit: number,
    startKey?: Record<string, unknown>,
  ): Promise<{ records: PendingReceipt[]; nextKey: Record<string, unknown> | undefined }>;
  recordSunatAnswer(
    key: OrderKey,
    documentNumber: string,
    from: "SUBMITTED",
    answer: SunatAnswer,
    now: Date,
  ): Promise<unknown>;
  reschedulePoll(
    key: OrderKey,
    documentNumber: string,
    nextPollAt: number,
    now: Date,
    exception?: SunatAnswer,
  ): Promise<void>;
  markStale(key: OrderKey, documentNumber: string, why: string, now: Date): Promise<void>;
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
  /** SUNAT answered with an exception (0100–1999): not final, asked again later. */
  exceptions: number;
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
    exceptions: 0,
    stale: 0,
    skipped: 0,
    errors: 0,
    budgetExhausted: false,
    acceptedAfterMs: [],
  };
  const withinBudget = () => deps.now().getTime() - started < options.budgetMs;

  async function pollOne(record: PendingReceipt): Promise<void> {
    // The sale receipt or one of the order's credit notes: the index carries the table's keys.
    const key = keyOfItem(record);
    const documentNumber = record.documentNumber ?? "";
    const now = deps.now();
    const submittedAt = Date.parse(record.submittedAt ?? record.createdAt);
    const tooOld = now.getTime() - submittedAt >= options.maxAgeMs;
    const staleWhy = `no CDR ${Math.round(options.maxAgeMs / 3_600_000)} h after submission`;
    try {
      let status: CdrStatus;
      try {
        status = await deps.fetchCdr(record);
      } catch (error) {
        // Failed polls count towards STALE too: a receipt whose polls keep failing must not sit unnoticed.
        summary.errors++;
        deps.onError?.(record, error);
        if (tooOld) {
          await deps.store.markStale(key, documentNumber, `${staleWhy} (the last polls failed)`, now);
          summary.stale++;
        }
        return;
      }
      summary.checked++;
      const answer = status.answer;
      if (answer && answer.outcome !== "exception") {
        const answeredAt = deps.now();
        await deps.store.recordSunatAnswer(key, documentNumber, "SUBMITTED", answer, answeredAt);
        if (answer.outcome === "accepted") {
          summary.accepted++;
          summary.acceptedAfterMs.push(acceptedAfterMs(record, answeredAt));
        } else summary.rejected++;
        return;
      }
      if (tooOld) {
        await deps.store.markStale(key, documentNumber, staleWhy, now);
        summary.stale++;
        return;
      }
      const nextPollAt = now.getTime() + nextPollDelayMs(record.pollCount ?? 0, options);
      await deps.store.reschedulePoll(key, documentNumber, nextPollAt, now, answer ?? undefined);
      if (answer) summary.exceptions++;
      else summary.stillPending++;
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

import { count, type MetricPoint, POLLER_METRICS } from "../observability/metric-names";
import { DEFAULT_POLLER_OPTIONS } from "../poller/poll-cdrs";
import type { ReceiptState } from "../store/lifecycle";
import type { OverdueCount } from "../store/overdue-query";

/**
 * The overdue gauges: how many records have sat in a state longer than anything legitimate keeps them there.
 * The CDR poller counts them on every run (once a minute) and emits them; each has an alarm (infra/aws/stack.ts)
 * and a line in the README's alarm table. Counting costs Queries on two indexes, never a Scan, and each count
 * stops at OVERDUE_CAP (lib/store/overdue-query.ts).
 */

export const OVERDUE_LIMITS = {
  /**
   * RESERVED for this long (since it entered the state): the worker resolves a held number within minutes (its
   * retries are minutes apart), so a number that long unresolved is stuck (the DLQ, an API refusing us). Counted
   * once an attempt has found it unresolved (lib/store/receipt-store.ts, `markUnresolved`): a reservation whose
   * only attempt died and whose message then reached the DLQ is counted when the reconciler re-enqueues it, and
   * the DLQ's own alarm reports the message.
   */
  reservedMs: 15 * 60_000,
  /** NEEDS_ATTENTION for an hour (since it entered the state): the merchant or an operator must act. */
  needsAttentionMs: 60 * 60_000,
  /**
   * Still SUBMITTED this long after submission: the poller marks a receipt STALE at its first poll after
   * maxAgeMs (72 h, failed polls included), and polls are at most maxDelayMs (30 min) apart; 5 minutes more
   * for the run itself. Past that the poller is not doing its job (not running, or its writes fail).
   */
  submittedMs: DEFAULT_POLLER_OPTIONS.maxAgeMs + DEFAULT_POLLER_OPTIONS.maxDelayMs + 5 * 60_000,
  /** A credit note owed for a day (lib/ops/credit-notes-owed.ts; counted by the reconciler). */
  creditNoteOwedMs: 24 * 3_600_000,
} as const;

/** A gauge counts up to this many; its alarm only needs to know there are some. */
export const OVERDUE_CAP = 100;

export interface OverdueSource {
  inStateSince(state: ReceiptState, before: Date, cap: number): Promise<OverdueCount>;
  submittedBefore(before: Date, cap: number): Promise<OverdueCount>;
}

export interface OverdueRecords {
  reserved: OverdueCount;
  needsAttention: OverdueCount;
  submitted: OverdueCount;
}

export async function countOverdueRecords(source: OverdueSource, now: Date): Promise<OverdueRecords> {
  const before = (ms: number) => new Date(now.getTime() - ms);
  const [reserved, needsAttention, submitted] = await Promise.all([
    source.inStateSince("RESERVED", before(OVERDUE_LIMITS.reservedMs), OVERDUE_CAP),
    source.inStateSince("NEEDS_ATTENTION", before(OVERDUE_LIMITS.needsAttentionMs), OVERDUE_CAP),
    source.submittedBefore(before(OVERDUE_LIMITS.submittedMs), OVERDUE_CAP),
  ]);
  return { reserved, needsAttention, submitted };
}

/** The gauges, zeros included: a zero is what brings an alarm back to OK. */
export function overdueMetrics(overdue: OverdueRecords): MetricPoint[] {
  return [
    count(POLLER_METRICS.overdueReserved, overdue.reserved.count),
    count(POLLER_METRICS.overdueNeedsAttention, overdue.needsAttention.count),
    count(POLLER_METRICS.overdueSubmitted, overdue.submitted.count),
  ];
}

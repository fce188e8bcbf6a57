import { count, type MetricPoint, milliseconds, WORKER_METRICS } from "../observability/metric-names";
import { acceptedAfterMs, type ReceiptRecord } from "../store/receipt-record";
import type { IssueOutcome, NoteOutcome } from "./issue-receipt";
import type { ReceiptEventOutcome } from "./receipt-event";

/**
 * What the worker reports about each message it settled: the metrics (WORKER_METRICS) and the log lines, from
 * the outcome lib/worker/issue-receipt.ts or receipt-event.ts returned. Pure, so the mapping is tested without
 * Powertools; lib/worker/worker.ts writes the result.
 */

export interface LogLine {
  level: "info" | "warn";
  message: string;
  fields: Record<string, unknown>;
}

export interface OutcomeReport {
  metrics: MetricPoint[];
  logs: LogLine[];
}

/** Compile-time only: a status added to the outcome types must be mapped here (no metric is ever dropped silently). */
const mapped = (_status: never): void => {};

const problemList = (problems: readonly { field: string; rule: string }[]) =>
  problems.map((p) => `${p.field} ${p.rule}`);

/** A receipt SUNAT answered: accepted (with the latency since its order event) or rejected. */
function answered(record: ReceiptRecord, now: Date): MetricPoint[] {
  if (record.state === "ACCEPTED")
    return [
      count(WORKER_METRICS.accepted),
      milliseconds(WORKER_METRICS.acceptedLatency, acceptedAfterMs(record, now)),
    ];
  if (record.state === "REJECTED") return [count(WORKER_METRICS.rejected)];
  return [];
}

/** Adds one outcome's metrics and its log line to the report. */
function add(
  report: OutcomeReport,
  metrics: MetricPoint[],
  level: LogLine["level"],
  message: string,
  fields: LogLine["fields"],
): void {
  report.metrics.push(...metrics);
  report.logs.push({ level, message, fields });
}

function noteReport(note: NoteOutcome, report: OutcomeReport): void {
  switch (note.status) {
    case "issued":
      add(report, [count(WORKER_METRICS.creditNotesIssued)], "info", "credit note issued", {
        note: note.note,
        receipt_number: note.record.documentNumber,
      });
      break;
    case "waiting":
      add(report, [count(WORKER_METRICS.creditNotesNeeded)], "info", "credit note waits", {
        note: note.note,
        reason: note.reason,
      });
      break;
    case "needs_attention":
      add(report, [count(WORKER_METRICS.needsAttention)], "warn", "credit note needs attention", {
        note: note.note,
        problems: problemList(note.problems),
      });
      break;
    case "already_issued":
    case "skipped":
      break;
    default:
      mapped(note);
  }
}

/** The report of an order event's outcome (the credit notes first, as the worker settled them after the sale). */
export function issueOutcomeReport(outcome: IssueOutcome, now: Date): OutcomeReport {
  const report: OutcomeReport = { metrics: [], logs: [] };
  for (const note of outcome.notes ?? []) noteReport(note, report);
  switch (outcome.status) {
    case "issued": {
      const { state, documentNumber } = outcome.record;
      const metrics = [count(WORKER_METRICS.issued), ...answered(outcome.record, now)];
      add(report, metrics, "info", "receipt issued", { receipt_number: documentNumber, state });
      break;
    }
    case "already_issued":
      add(report, [count(WORKER_METRICS.duplicate)], "info", "order already has its receipt", {
        state: outcome.record.state,
      });
      break;
    case "needs_attention":
      add(report, [count(WORKER_METRICS.needsAttention)], "warn", "order needs attention", {
        problems: problemList(outcome.problems),
      });
      break;
    case "skipped":
      add(report, [count(WORKER_METRICS.skipped)], "info", "order not issued now", {
        reason: outcome.reason,
      });
      break;
    case "retry":
      // The back-off counts and logs it (lib/worker/worker.ts), with the receive it failed on.
      break;
    default:
      mapped(outcome);
  }
  return report;
}

/** The report of a receipt event's outcome: SUNAT's answer recorded, or why nothing changed. */
export function receiptEventReport(outcome: ReceiptEventOutcome, now: Date): OutcomeReport {
  const report: OutcomeReport = { metrics: [], logs: [] };
  if (outcome.status === "unchanged") {
    add(report, [count(WORKER_METRICS.receiptEventUnchanged)], "info", "receipt event changed nothing", {
      reason: outcome.reason,
    });
    return report;
  }
  const { record } = outcome;
  add(report, answered(record, now), "info", "SUNAT's answer recorded from a receipt event", {
    receipt_number: record.documentNumber,
    state: record.state,
    sunat_code: outcome.answer.sunatCode,
  });
  return report;
}

import type { AceleralaOrder } from "../../../lib/acelerala/schemas";
import { maskDocumentNumber } from "../../../lib/observability/redact";
import { dateTimeLabel, linkLabels, orderRow } from "../../../lib/ops/receipt-view";
import { formatTable, safeText } from "../../../lib/ops/text";
import type { ReceiptRecord, ReceiptState } from "../../../lib/store/receipt-record";
import { type DemoOrderPlan, hasDiscounts, hasShipping } from "./plan";

/**
 * How the demo judges and shows its orders: the live/final table (the columns of `cpe receipts`, built with
 * the same view functions, plus the demo's case and verdict), progress lines for logs, and the summary.
 * Pure functions; nothing here prints a customer's document number or e-mail.
 */

export interface PlacedOrder extends DemoOrderPlan {
  orderId: number;
  storeId: number;
}

export interface OrderObservation {
  order: PlacedOrder;
  /** The receipt record in DynamoDB; undefined until the worker writes one. */
  record?: ReceiptRecord;
  /** Receipts Acelérala holds for the order; counted once every order is final. */
  receiptCount?: number;
}

/** States the demo waits for: nothing in the pipeline moves these on by itself. */
const DEMO_FINAL_STATES: readonly ReceiptState[] = ["ACCEPTED", "REJECTED", "NEEDS_ATTENTION", "STALE"];

export function isDemoFinal(state: ReceiptState | undefined): boolean {
  return state !== undefined && DEMO_FINAL_STATES.includes(state);
}

export type Verdict = { status: "pending" } | { status: "ok" } | { status: "wrong"; why: string };

/**
 * A valid order must end ACCEPTED with exactly one receipt in Acelérala; a broken one NEEDS_ATTENTION with
 * the expected rule among its problems and no receipt at all.
 */
export function verdictOf(observation: OrderObservation): Verdict {
  const { order, record, receiptCount } = observation;
  if (!record || !isDemoFinal(record.state)) return { status: "pending" };
  if (record.state !== order.expected)
    return { status: "wrong", why: `expected ${order.expected}, got ${record.state}${reasonSuffix(record)}` };
  if (order.expectedRule && !(record.problems ?? []).some((problem) => problem.rule === order.expectedRule))
    return { status: "wrong", why: `expected rule ${order.expectedRule}, got ${rulesOf(record) || "none"}` };
  const wantedReceipts = order.expected === "ACCEPTED" ? 1 : 0;
  if (receiptCount !== undefined && receiptCount !== wantedReceipts)
    return {
      status: "wrong",
      why: `expected ${wantedReceipts} receipt(s) in Acelérala, found ${receiptCount}`,
    };
  return { status: "ok" };
}

function rulesOf(record: ReceiptRecord): string {
  return (record.problems ?? []).map((problem) => problem.rule).join(", ");
}

function reasonSuffix(record: ReceiptRecord): string {
  if (record.state === "NEEDS_ATTENTION") return ` (${shortReason(record)})`;
  if (record.state === "REJECTED") return ` (SUNAT ${record.sunatCode ?? "?"})`;
  return "";
}

/** SUNAT codes from 4000 up are observations: the receipt is valid but the merchant should look. */
export function hasObservations(record: ReceiptRecord | undefined): boolean {
  return record?.state === "ACCEPTED" && record.sunatCode !== undefined && Number(record.sunatCode) >= 4000;
}

/**
 * Problem and error text can quote customer data. safeText masks e-mails and 8- and 11-digit runs; a broken
 * RUC can have another length, so any remaining run of 7 or more digits is masked too.
 */
export function printableText(text: string): string {
  return safeText(text).replace(/(?<!\d)\d{7,}(?!\d)/g, (digits) => maskDocumentNumber(digits));
}

function shortReason(record: ReceiptRecord): string {
  const problems = record.problems ?? [];
  if (problems.length > 0) return problems.map((problem) => `${problem.field} [${problem.rule}]`).join("; ");
  return record.lastError ? printableText(record.lastError).slice(0, 60) : "-";
}

function detailOf(record: ReceiptRecord | undefined): string {
  if (!record) return "esperando el webhook";
  switch (record.state) {
    case "ACCEPTED":
      return hasObservations(record) ? `observación ${record.sunatCode}` : "";
    case "NEEDS_ATTENTION":
    case "REJECTED":
      return record.state === "REJECTED" ? `SUNAT ${record.sunatCode ?? "?"}` : shortReason(record);
    case "SUBMITTED":
      return "esperando el CDR";
    default:
      return record.lastError ? printableText(record.lastError).slice(0, 60) : "";
  }
}

const VERDICT_MARKS: Readonly<Record<Verdict["status"], string>> = { pending: "…", ok: "✓", wrong: "✗" };

/**
 * Pedido, Fecha (Peru time), Tipo de documento, Estado en API/SUNAT, Total and Enlaces as `cpe receipts`
 * shows them (lib/ops view functions), then the demo's columns: the case, the detail (observation code or
 * the broken rule) and the verdict. Links are named, not spelled out, to keep rows on one line.
 */
export function formatDemoTable(observations: readonly OrderObservation[]): string {
  const headers = ["Pedido", "Fecha", "Tipo de documento", "Estado en API/SUNAT", "Total", "Enlaces"];
  const rows = observations.map((observation) => {
    const { order, record } = observation;
    // The columns of `cpe receipts` come from its own row view: the order as placed, and its record once the
    // worker wrote one.
    const row = orderRow({
      storeId: order.storeId,
      orderId: order.orderId,
      order: order.body as unknown as AceleralaOrder,
      ...(record ? { record } : {}),
    });
    return [
      `#${order.orderId}`,
      // When the worker recorded it (the planned body's own dates are the factory's, not Acelérala's).
      record ? dateTimeLabel(record.createdAt) : "-",
      row.document,
      row.stateLabel,
      row.totalLabel,
      linkLabels(row.links),
      order.description,
      detailOf(record),
      VERDICT_MARKS[verdictOf(observation).status],
    ];
  });
  return formatTable([...headers, "Caso", "Detalle", "OK"], rows);
}

export interface StateCounts {
  placed: number;
  waiting: number;
  byState: Partial<Record<ReceiptState, number>>;
}

export function countStates(observations: readonly OrderObservation[]): StateCounts {
  const counts: StateCounts = { placed: observations.length, waiting: 0, byState: {} };
  for (const { record } of observations) {
    if (!record) counts.waiting++;
    else counts.byState[record.state] = (counts.byState[record.state] ?? 0) + 1;
  }
  return counts;
}

/** "[demo] 12.3 s  placed 50  ACCEPTED 31  NEEDS_ATTENTION 6  SUBMITTED 9  no record yet 4" */
export function progressLine(observations: readonly OrderObservation[], elapsedMs: number): string {
  const counts = countStates(observations);
  const states = Object.entries(counts.byState)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([state, count]) => `${state} ${count}`);
  const waiting = counts.waiting > 0 ? [`no record yet ${counts.waiting}`] : [];
  return [`[demo] ${seconds(elapsedMs)}`, `placed ${counts.placed}`, ...states, ...waiting].join("  ");
}

export function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

export interface DemoTimings {
  totalMs: number;
  stackStartMs: number;
  placingMs: number;
  /** From the first order placed to the last order final (undefined on timeout). */
  settleMs?: number;
}

/** The summary printed under the final table; `wrong` lists every order that did not end as expected. */
export function formatSummary(
  observations: readonly OrderObservation[],
  timings: DemoTimings,
  timedOut: boolean,
): string {
  const lines: string[] = [];
  const orders = observations.map((observation) => observation.order);
  const valid = orders.filter((order) => order.kind === "valid");
  const count = (predicate: (order: PlacedOrder) => boolean) => orders.filter(predicate).length;
  lines.push(
    `Placed ${orders.length} orders: ${valid.length} valid, ${orders.length - valid.length} broken — ` +
      `facturas ${count((o) => o.body.billing_details.receipt_type === "invoice")}, ` +
      `boletas ${count((o) => o.body.billing_details.receipt_type === "ticket")}, ` +
      `USD ${count((o) => o.body.currency_code === "USD")}, ` +
      `with discounts ${count((o) => hasDiscounts(o.body))}, with shipping ${count((o) => hasShipping(o.body))}`,
  );

  const inState = (state: ReceiptState) => observations.filter((o) => o.record?.state === state);
  const accepted = inState("ACCEPTED");
  const observed = accepted.filter((o) => hasObservations(o.record));
  lines.push(
    `ACCEPTED         ${accepted.length}` +
      (observed.length > 0
        ? ` (${observed.length} with SUNAT observations: ${observed
            .map((o) => `#${o.order.orderId} ${o.record?.sunatCode}`)
            .join(", ")})`
        : " (none with observations)"),
  );
  const rejected = inState("REJECTED");
  lines.push(
    `REJECTED         ${rejected.length}` +
      rejected.map((o) => `\n  #${o.order.orderId}  SUNAT ${o.record?.sunatCode ?? "?"}`).join(""),
  );
  const attention = inState("NEEDS_ATTENTION");
  lines.push(`NEEDS_ATTENTION  ${attention.length}`);
  for (const { order, record } of attention) {
    const problems = record?.problems ?? [];
    const reasons =
      problems.length > 0
        ? problems.map((p) => `${p.field} [${p.rule}]: ${printableText(p.message)}`)
        : [printableText(record?.lastError ?? "no reason recorded")];
    lines.push(`  #${order.orderId}  (${order.description})`);
    for (const reason of reasons) lines.push(`      ${reason}`);
  }
  const stale = inState("STALE");
  if (stale.length > 0) lines.push(`STALE            ${stale.length}`);
  const notFinal = observations.filter((o) => !isDemoFinal(o.record?.state));
  if (notFinal.length > 0) {
    lines.push(`NOT FINAL        ${notFinal.length}`);
    for (const { order, record } of notFinal)
      lines.push(`  #${order.orderId}  ${record?.state ?? "no receipt record"}  (${order.description})`);
  }

  const wrong = observations.flatMap((observation) => {
    const verdict = verdictOf(observation);
    return verdict.status === "wrong" ? [{ observation, why: verdict.why }] : [];
  });
  if (timedOut) lines.push(`TIMED OUT with ${notFinal.length} order(s) not final.`);
  if (wrong.length > 0) {
    lines.push(`WRONG            ${wrong.length}`);
    for (const { observation, why } of wrong)
      lines.push(`  #${observation.order.orderId}  (${observation.order.description}): ${why}`);
  }
  if (!timedOut && wrong.length === 0 && notFinal.length === 0)
    lines.push(
      "OK: every valid order ACCEPTED with one receipt, every broken one NEEDS_ATTENTION with the expected rule.",
    );
  lines.push(
    `Elapsed ${seconds(timings.totalMs)} (stack ready ${seconds(timings.stackStartMs)}, ` +
      `placing ${seconds(timings.placingMs)}` +
      (timings.settleMs === undefined
        ? ""
        : `, all final ${seconds(timings.settleMs)} after the first order`) +
      ")",
  );
  return lines.join("\n");
}

/** 0 only when every order is final and as expected. */
export function demoPassed(observations: readonly OrderObservation[]): boolean {
  return observations.every((observation) => verdictOf(observation).status === "ok");
}

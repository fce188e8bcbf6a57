import { setTimeout as sleep } from "node:timers/promises";
import { Decimal } from "decimal.js";
import { formatMoney, formatTable } from "../../../lib/ops/text";
import type { ReceiptRecord } from "../../../lib/store/receipt-record";
import type { OrderObservation } from "./report";
import type { DemoTarget } from "./target";

/**
 * The demo's second act: the merchant undoes a few sales whose receipts SUNAT accepted — two cancellations, a
 * partial refund, and a partial refund followed by the rest — and the pipeline answers each with its credit
 * notes (Nota de crédito 07), issued from the orders' own events. What to expect is worked out here from what
 * the demo did (never from lib/): a cancellation → one note for the whole receipt; each refund → one note for
 * exactly its amount; nothing is ever credited beyond the receipt.
 */

export interface UndoPlan {
  orderId: number;
  storeId: number;
  action: "cancel" | "partial_refund" | "full_refund";
  /** The receipt's total (what SUNAT accepted). */
  receiptTotal: string;
  currency: string;
  /** The refund amounts made, in order. */
  refunds: string[];
  /** The notes expected: motive and amount each. */
  expected: { motive: string; amount: string }[];
  notes?: ReceiptRecord[];
}

const FINAL = new Set(["ACCEPTED", "REJECTED", "NEEDS_ATTENTION", "STALE"]);

/** Picks up to four accepted orders and undoes them (cancel, cancel, partial refund, partial then full refund). */
export async function undoSomeSales(
  target: DemoTarget,
  observations: readonly OrderObservation[],
): Promise<UndoPlan[]> {
  const accepted = observations.filter(
    (observation) => observation.record?.state === "ACCEPTED" && observation.order.kind === "valid",
  );
  const actions: UndoPlan["action"][] = ["cancel", "partial_refund", "full_refund", "cancel"];
  const plans: UndoPlan[] = [];
  for (const [index, action] of actions.entries()) {
    const observation = accepted[index];
    const record = observation?.record;
    if (!observation || !record?.grossTotal) break;
    const total = new Decimal(record.grossTotal);
    const plan: UndoPlan = {
      orderId: observation.order.orderId,
      storeId: observation.order.storeId,
      action,
      receiptTotal: total.toFixed(2),
      currency: record.currencyCode ?? "PEN",
      refunds: [],
      expected: [],
    };
    if (action === "cancel") {
      await target.cancelOrder(plan.orderId);
      plan.expected.push({ motive: "01", amount: plan.receiptTotal });
    } else {
      const part = total.times("0.25").toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2);
      await target.refundOrder(plan.orderId, part);
      plan.refunds.push(part);
      plan.expected.push({ motive: "09", amount: part });
      if (action === "full_refund") {
        // The first refund's note lands before the second refund, as a merchant's would.
        await waitForNotes(target, [plan], Date.now() + 60_000, 1);
        const rest = total.minus(part).toFixed(2);
        await target.refundOrder(plan.orderId, rest);
        plan.refunds.push(rest);
        plan.expected.push({ motive: "09", amount: rest });
      }
    }
    plans.push(plan);
  }
  return plans;
}

/** Reads the plans' notes until each has its expected count final, or the deadline passes. */
export async function waitForNotes(
  target: DemoTarget,
  plans: UndoPlan[],
  deadline: number,
  atLeast?: number,
): Promise<boolean> {
  for (;;) {
    for (const plan of plans)
      plan.notes = await target.store.notesOf({ storeId: plan.storeId, orderId: plan.orderId });
    const done = plans.every((plan) => {
      const final = (plan.notes ?? []).filter((note) => FINAL.has(note.state));
      return final.length >= (atLeast ?? plan.expected.length);
    });
    if (done) return true;
    if (Date.now() >= deadline) return false;
    await sleep(500);
  }
}

/** What went wrong with a plan's notes (empty: exactly as expected). */
export function undoProblems(plan: UndoPlan): string[] {
  const notes = (plan.notes ?? []).filter((note) => note.state !== "SKIPPED");
  const got = notes
    .map((note) => ({
      motive: note.noteMotive ?? "?",
      amount: new Decimal(note.grossTotal ?? "0").toFixed(2),
      state: note.state,
    }))
    .sort((a, b) => a.amount.localeCompare(b.amount));
  const want = [...plan.expected].sort((a, b) => a.amount.localeCompare(b.amount));
  const problems: string[] = [];
  if (got.length !== want.length) problems.push(`expected ${want.length} note(s), got ${got.length}`);
  for (const [index, expected] of want.entries()) {
    const note = got[index];
    if (!note) continue;
    if (note.motive !== expected.motive || note.amount !== expected.amount)
      problems.push(
        `expected motive ${expected.motive} for ${expected.amount}, got ${note.motive} for ${note.amount}`,
      );
    if (note.state !== "ACCEPTED") problems.push(`a note is ${note.state}`);
  }
  const creditedTotal = got.reduce((sum, note) => sum.plus(note.amount), new Decimal(0));
  if (creditedTotal.gt(plan.receiptTotal))
    problems.push(`credited ${creditedTotal} > receipt ${plan.receiptTotal}`);
  return problems;
}

const ACTION_LABELS: Record<UndoPlan["action"], string> = {
  cancel: "pedido anulado",
  partial_refund: "devolución parcial",
  full_refund: "devolución parcial y luego total",
};

/** The notes table: one row per note. */
export function formatNotesTable(plans: readonly UndoPlan[]): string {
  const rows = plans.flatMap((plan) => {
    const notes = (plan.notes ?? []).filter((note) => note.state !== "SKIPPED");
    if (notes.length === 0)
      return [[`#${plan.orderId}`, ACTION_LABELS[plan.action], "-", "-", "-", "-", "SIN NOTA"]];
    return notes.map((note) => [
      `#${plan.orderId}`,
      ACTION_LABELS[plan.action],
      note.documentNumber ?? "-",
      note.noteMotive ?? "-",
      note.affectedDocumentNumber ?? "-",
      formatMoney(note.currencyCode, note.grossTotal),
      note.state === "ACCEPTED" ? "ACEPTADA" : note.state,
    ]);
  });
  return formatTable(
    ["Pedido", "Qué pasó", "Nota de crédito", "Motivo", "Afecta a", "Total", "Estado"],
    rows,
  );
}

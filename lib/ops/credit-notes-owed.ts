import { Decimal } from "decimal.js";
import type { AceleralaOrder, AceleralaTransaction } from "../acelerala/schemas";
import { parseInstant } from "../acelerala/timestamps";
import type { ReceiptRecord } from "../store/receipt-record";

/**
 * Whether an order owes a credit note (Nota de crédito 07) that has not been issued, judged from the order, its
 * refund transactions and what DynamoDB holds, for the reconciler's check (lib/ops/reconcile.ts) and its
 * OverdueCreditNotes gauge. Deliberately not the worker's own rules (lib/worker/credit-notes.ts), so the check
 * does not share the code it checks:
 *
 * - an order is cancelled or refunded (in full): the notes must credit the whole accepted sale receipt;
 * - partially refunded: they must credit the refund transactions' sum (never more than the receipt);
 * - what the notes credit is the gross total of the order's note records that took effect or may still (SUBMITTED,
 *   ACCEPTED, STALE); a note refused (NEEDS_ATTENTION, REJECTED) or not landed (RESERVED) credits nothing yet.
 * Only a sale receipt SUNAT accepted can be credited: until then (SUBMITTED) the worker waits, and a rejected one
 * has nothing to credit. The note is owed since the later of the acceptance and the cancellation or last refund.
 */

export type OwedReason = "canceled" | "refunded" | "partially_refunded";

export interface OwedCreditNote {
  orderId: string;
  /** The accepted sale receipt the notes credit. */
  documentNumber: string;
  reason: OwedReason;
  /** What the notes must credit in all, what the order's notes credit, and the difference. */
  due: string;
  credited: string;
  owed: string;
  /** When it became owed (ISO 8601). */
  since: string;
  /** One of the order's notes waits for a person (NEEDS_ATTENTION): enqueueing the order again would not help. */
  waitsForAttention: boolean;
}

const CREDITING_STATES = new Set(["SUBMITTED", "ACCEPTED", "STALE"]);

type OrderFacts = AceleralaOrder & { canceled?: unknown; modified?: unknown };

/** Why the order owes a note at all, or undefined when it owes none (paid, or not paid yet). */
export function owingReason(order: OrderFacts): OwedReason | undefined {
  if (order.canceled !== null && order.canceled !== undefined && order.canceled !== false) return "canceled";
  if (order.payment_status === "refunded") return "refunded";
  if (order.payment_status === "partially_refunded") return "partially_refunded";
  return undefined;
}

function amount(value: unknown): Decimal {
  try {
    return new Decimal(typeof value === "number" || typeof value === "string" ? value : 0);
  } catch {
    return new Decimal(0);
  }
}

function instant(value: unknown): number | undefined {
  return typeof value === "string" ? parseInstant(value) : undefined;
}

export function owedCreditNote(input: {
  order: OrderFacts;
  sale: ReceiptRecord | undefined;
  notes: readonly ReceiptRecord[];
  /** The order's refund transactions (asked only for refunded orders). */
  refunds: readonly AceleralaTransaction[];
}): OwedCreditNote | undefined {
  const { order, sale, notes, refunds } = input;
  const reason = owingReason(order);
  if (!reason || sale?.state !== "ACCEPTED" || !sale.documentNumber) return undefined;
  const total = amount(sale.grossTotal);
  const refunded = refunds
    .filter((refund) => refund.currency_code === (sale.currencyCode ?? refund.currency_code))
    .reduce((sum, refund) => sum.plus(amount(refund.amount)), new Decimal(0));
  const due = reason === "partially_refunded" ? Decimal.min(refunded, total) : total;
  const credited = notes
    .filter((note) => CREDITING_STATES.has(note.state))
    .reduce((sum, note) => sum.plus(amount(note.grossTotal)), new Decimal(0));
  const owed = due.minus(credited);
  if (owed.lte(0)) return undefined;

  const lastRefund = Math.max(
    ...refunds.map(
      (refund) => instant((refund as { created?: unknown }).created) ?? Number.NEGATIVE_INFINITY,
    ),
  );
  const event =
    reason === "canceled"
      ? (instant(order.canceled) ?? instant(order.modified))
      : Number.isFinite(lastRefund)
        ? lastRefund
        : instant(order.modified);
  const accepted = instant(sale.finalizedAt) ?? instant(sale.updatedAt) ?? 0;
  return {
    orderId: String(order.id),
    documentNumber: sale.documentNumber,
    reason,
    due: due.toFixed(2),
    credited: credited.toFixed(2),
    owed: owed.toFixed(2),
    since: new Date(Math.max(accepted, event ?? 0)).toISOString(),
    waitsForAttention: notes.some((note) => note.state === "NEEDS_ATTENTION"),
  };
}

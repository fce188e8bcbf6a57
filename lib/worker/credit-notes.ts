import { Decimal } from "decimal.js";
import { peruDateOf } from "../acelerala/timestamps";
import {
  buildCreditNote,
  type CreditAllocation,
  CreditAllocationSchema,
  type CreditScope,
  findStoreConfig,
  type StoreConfig,
} from "../receipt";
import type { ReceiptProblemRecord, ReceiptRecord } from "../store/receipt-record";
import { storeNotConfigured } from "./decide";
import type { Decision } from "./issue-receipt";

/**
 * Which credit notes (Nota de crédito 07) an order owes on its accepted sale receipt, and the body of each, from
 * the order as it is now. Pure: the refund transactions, the other notes' records and the clock are given.
 *
 * - each refund transaction (GET /v1/transactions?order_id=…&type=refund) → one note for exactly its amount,
 *   motive 09 "Disminución en el valor" (a transaction names no lines, so 07 "Devolución por ítem" cannot be
 *   told apart), capped at what is left to credit;
 * - `payment_status` "refunded" → one note for whatever is still not credited, motive 06 "Devolución total";
 * - a cancelled order → one note for whatever is still not credited, motive 01 "Anulación de la operación".
 * Taken in that order, so the credited total never exceeds the receipt: what a refund credited, the
 * cancellation does not credit again. A note with nothing left to credit is not issued.
 */

export interface RefundTransaction {
  id: number;
  amount: string;
  currencyCode: string;
}

export interface WantedNote {
  /** The note's record key within the order (`NOTE#<noteId>`): one per refund, per remainder, per cancellation. */
  noteId: string;
  motive: "01" | "02" | "06" | "09";
  scope: CreditScope;
  /** Why the order owes it, for the history and operators. */
  reason: string;
}

type OrderFacts = { canceled?: unknown; payment_status?: unknown };

export function wantedNotes(order: OrderFacts, refunds: readonly RefundTransaction[]): WantedNote[] {
  const notes: WantedNote[] = [...refunds]
    .sort((a, b) => a.id - b.id)
    .map((refund) => ({
      noteId: `refund-${refund.id}`,
      motive: "09" as const,
      scope: { kind: "amount" as const, amount: refund.amount, currency_code: refund.currencyCode },
      reason: `refund transaction ${refund.id} of ${refund.amount} ${refund.currencyCode}`,
    }));
  if (order.payment_status === "refunded")
    notes.push({
      noteId: "refunded",
      motive: "06",
      scope: { kind: "remainder" },
      reason: "the order is refunded",
    });
  if (order.canceled !== null && order.canceled !== undefined && order.canceled !== false)
    notes.push({
      noteId: "canceled",
      motive: "01",
      scope: { kind: "remainder" },
      reason: "the order is cancelled",
    });
  return notes;
}

/** States in which a note may take effect: its credit counts against the receipt. */
const CREDITING_STATES = new Set(["RESERVED", "SUBMITTED", "ACCEPTED", "STALE"]);

/**
 * The allocations of the order's other notes on the same receipt that may take effect (never a rejected or
 * refused one).
 */
export function creditedByOthers(
  notes: readonly ReceiptRecord[],
  except: string,
  affectedDocumentNumber: string,
): CreditAllocation[] {
  return notes
    .filter(
      (note) =>
        note.document !== except &&
        note.affectedDocumentNumber === affectedDocumentNumber &&
        CREDITING_STATES.has(note.state) &&
        note.allocation,
    )
    .flatMap((note) => {
      const parsed = CreditAllocationSchema.safeParse(note.allocation);
      return parsed.success ? [parsed.data] : [];
    });
}

export interface NoteDecisionInput {
  /** The accepted sale receipt as the API holds it. */
  receipt: unknown;
  receiptGrossTotal: string;
  storeId: number;
  stores: readonly StoreConfig[];
  wanted: WantedNote;
  alreadyCredited: readonly CreditAllocation[];
  now: Date;
}

/** The note's decision: issue this body, skip it (nothing left to credit), or a person must look. */
export function decideCreditNote(input: NoteDecisionInput): Decision & { allocation?: CreditAllocation } {
  const store = findStoreConfig(input.stores, input.storeId);
  if (!store) {
    return {
      action: "needs_attention",
      problems: [
        storeNotConfigured(
          `La tienda ${input.storeId} no está configurada: no se puede emitir la nota de crédito.`,
        ),
      ],
    };
  }
  const credited = input.alreadyCredited.reduce(
    (total, allocation) => total.plus(allocation.gross_total),
    new Decimal(0),
  );
  const left = new Decimal(input.receiptGrossTotal).minus(credited);
  if (left.lte(0))
    return { action: "skip", rule: "nothing_left_to_credit", reason: "nothing left to credit" };
  let scope = input.wanted.scope;
  if (scope.kind === "amount" && new Decimal(scope.amount).gt(left)) {
    // A refund larger than what is left (an earlier note credited part of it): credit what is left.
    scope = { ...scope, amount: left.toFixed(2) };
  }
  const built = buildCreditNote(input.receipt, store, {
    motive: input.wanted.motive,
    scope,
    alreadyCredited: input.alreadyCredited,
    issueDate: peruDateOf(input.now.getTime()),
  });
  if (!built.ok) {
    if (built.problems.some((problem) => problem.rule === "nothing_left_to_credit"))
      return { action: "skip", rule: "nothing_left_to_credit", reason: "nothing left to credit" };
    return { action: "needs_attention", problems: built.problems as ReceiptProblemRecord[] };
  }
  const { correlative: _assignedAtReservation, ...body } = built.note as typeof built.note & {
    correlative?: number;
  };
  const customer = built.note.customer_information;
  return {
    action: "issue",
    documentTypeCode: built.note.document_type_code,
    series: built.note.series,
    currencyCode: built.note.currency_code,
    grossTotal: new Decimal(built.note.gross_total).toFixed(2),
    issueDate: built.note.issue_date,
    customer: {
      documentTypeCode: String(customer.document_type_code ?? "-"),
      documentNumber: String(customer.document_number ?? "-"),
    },
    body,
    allocation: built.allocation,
  };
}

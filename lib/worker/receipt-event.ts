import { AceleralaError } from "../acelerala/errors";
import type { AceleralaReceipt } from "../acelerala/schemas";
import { type SunatAnswer, sunatAnswerOf } from "../acelerala/sunat-answer";
import type { OrderKey, ReceiptRecord } from "../store/receipt-record";
import { StateConflictError } from "../store/receipt-store";

/**
 * SUNAT's answer by webhook (`receipts.created`, `receipts.created.accepted`, `receipts.created.rejected`). The
 * event is only a hint: the receipt is read from the API (GET /v1/receipts/{id}), and the answer is recorded with
 * the same conditional write the CDR poller makes (conditional on the state and on the number the record holds),
 * and only when the order's record is SUBMITTED (or STALE: a late answer) and holds that very receipt. Everything
 * else (no record, another receipt, already final, no answer yet, a SUNAT exception) changes nothing and says why;
 * the poller stays the safety net.
 */

/** What handling a receipt event needs: one read of the record, one of the receipt, the poller's write. */
export interface ReceiptEventDeps {
  getRecord(
    key: OrderKey,
  ): Promise<Pick<ReceiptRecord, "state" | "receiptId" | "documentNumber"> | undefined>;
  /** GET /v1/receipts/{id} with the store's credentials. */
  getReceipt(storeId: number, receiptId: number): Promise<AceleralaReceipt>;
  /**
   * The poller's write: SUBMITTED (or STALE) → ACCEPTED | REJECTED, conditional on that state and on the record
   * still holding `documentNumber` (StateConflictError otherwise).
   */
  recordSunatAnswer(
    key: OrderKey,
    documentNumber: string,
    from: "SUBMITTED" | "STALE",
    answer: SunatAnswer,
    now: Date,
  ): Promise<ReceiptRecord>;
  now(): Date;
}

export type ReceiptEventOutcome =
  | { status: "recorded"; record: ReceiptRecord; answer: SunatAnswer }
  | { status: "unchanged"; reason: string };

export async function handleReceiptEvent(
  key: OrderKey,
  receiptId: number,
  deps: ReceiptEventDeps,
): Promise<ReceiptEventOutcome> {
  const record = await deps.getRecord(key);
  if (!record) return { status: "unchanged", reason: "the order has no receipt record here" };
  const { state, documentNumber } = record;
  if ((state !== "SUBMITTED" && state !== "STALE") || documentNumber === undefined)
    return { status: "unchanged", reason: `the order's receipt is ${state}, not waiting for SUNAT` };

  let receipt: AceleralaReceipt;
  try {
    receipt = await deps.getReceipt(key.storeId, receiptId);
  } catch (error) {
    if (error instanceof AceleralaError && error.kind === "not_found")
      return { status: "unchanged", reason: `receipt ${receiptId} not found in Acelérala` };
    throw error; // transient: the message comes back later
  }
  if (!holds(record, receipt)) {
    return {
      status: "unchanged",
      reason: `receipt ${receipt.id} is not the one the order's record holds (${record.receiptId ?? "none"})`,
    };
  }
  const answer = sunatAnswerOf(receipt);
  if (!answer) return { status: "unchanged", reason: "SUNAT has not answered yet; the poller keeps asking" };
  if (answer.outcome === "exception")
    return {
      status: "unchanged",
      reason: `SUNAT answered an exception (${answer.sunatCode ?? "no code"}): not final; the poller keeps asking`,
    };
  try {
    const recorded = await deps.recordSunatAnswer(key, documentNumber, state, answer, deps.now());
    return { status: "recorded", record: recorded, answer };
  } catch (error) {
    if (error instanceof StateConflictError)
      return { status: "unchanged", reason: "another invocation recorded the answer first" };
    throw error;
  }
}

/** The record holds this receipt: same Acelérala id, or (a record without one) the same document number. */
function holds(
  record: Pick<ReceiptRecord, "receiptId" | "documentNumber">,
  receipt: AceleralaReceipt,
): boolean {
  if (record.receiptId !== undefined) return String(record.receiptId) === String(receipt.id);
  return record.documentNumber !== undefined && record.documentNumber === receipt.document_number;
}

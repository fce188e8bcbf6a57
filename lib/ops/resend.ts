import type { AceleralaOrder } from "../acelerala/schemas";
import { classifySunatCode } from "../acelerala/sunat-answer";
import { operatorEvent } from "../queue/order-events";
import type { OrderKey, ReceiptRecord, ReceiptState } from "../store/receipt-record";
import { type Enqueue, queuedOrderId } from "./backfill";

/**
 * `cpe resend ORDER_ID`: the "flujo individual" of the seed's store plugin. It puts one order back on the
 * order-events queue, as the receiver's event reference, so the worker and its exactly-once guard handle it:
 *
 * - no record, NEEDS_ATTENTION (the merchant fixed the order), SKIPPED, CANCELED or RESERVED (stuck): enqueued as
 *   is; the worker re-reads the order and issues it (a NEEDS_ATTENTION number the API never accepted is reused; a
 *   RESERVED one is looked up before anything else);
 * - NEEDS_ATTENTION holding a receipt that landed and differs (landed_receipt_differs): refused, it takes a credit
 *   note and a new receipt;
 * - REJECTED with a rejection code (2000–3999): SUNAT burnt the number. The record is first moved to NEEDS_ATTENTION without a number (the burnt
 *   one stays in `burntNumbers` and the history), then enqueued: the worker reserves a NEW number;
 * - REJECTED on an exception code (0100–1999, records from before answers were classified by code), SUBMITTED,
 *   ACCEPTED, STALE: refused, nothing is enqueued (the worker would do nothing anyway).
 */

/**
 * `resend_<store>_<order>_<epoch ms>`: unique per request, so SQS's 5-minute deduplication never drops a
 * deliberate resend (e.g. a second one after the merchant fixed the order again). Two clicks do enqueue twice;
 * the worker's guard makes the second a no-op.
 */
export function resendEventId(storeId: number, orderId: number | string, now: Date): string {
  return `resend_${storeId}_${orderId}_${now.getTime()}`;
}

/** States from which a resend is refused, with the reason shown to the operator. */
const REFUSED: Partial<Record<ReceiptState, string>> = {
  SUBMITTED: "the API has its receipt and SUNAT has not answered yet; wait for the CDR (cpe status)",
  ACCEPTED: "SUNAT accepted its receipt; to undo it, issue a credit note",
  STALE:
    "its receipt got no SUNAT answer in time; check it in Acelérala before anything else (a resend could duplicate it)",
};

export interface ResendDeps {
  getRecord: (key: OrderKey) => Promise<ReceiptRecord | undefined>;
  /** The order as Acelérala has it now (proves it exists); throws the API's not_found error when unknown. */
  getOrder: (orderId: number) => Promise<AceleralaOrder>;
  markForReissue: (key: OrderKey, why: string, now: Date) => Promise<ReceiptRecord>;
  enqueue: Enqueue;
  now: () => Date;
}

export type ResendResult =
  | {
      outcome: "enqueued";
      eventId: string;
      /** The record's state before the resend (undefined: none). */
      previousState?: ReceiptState;
      /** For REJECTED: the number that stays burnt. */
      burntNumber?: string;
    }
  | { outcome: "refused"; state: ReceiptState; documentNumber?: string; reason: string };

export class ResendError extends Error {
  override name = "ResendError";
}

/** Why a resend of this record is refused, or undefined when it may go ahead. */
function refusalFor(record: ReceiptRecord): string | undefined {
  const byState = REFUSED[record.state];
  if (byState) return byState;
  if (record.state === "NEEDS_ATTENTION" && record.receiptId !== undefined) {
    return `${record.documentNumber ?? "a receipt"} landed in Acelérala for this order and differs from it; a second receipt is never issued: it takes a credit note and a new receipt`;
  }
  // Only SUNAT's rejection (2000–3999) burns a number. A record marked REJECTED on an exception code (0100–1999,
  // e.g. 1032/1033 "already registered") must not be reissued: that risks a second receipt.
  if (record.state === "REJECTED" && classifySunatCode(record.sunatCode, false) !== "rejected") {
    return `SUNAT answered ${record.sunatCode ?? "without a code"}, an exception, not a rejection: ${record.documentNumber ?? "the number"} is not burnt; check it in Acelérala before anything else`;
  }
  return undefined;
}

export async function resendOrder(key: OrderKey, deps: ResendDeps): Promise<ResendResult> {
  const record = await deps.getRecord(key);
  const refusal = record ? refusalFor(record) : undefined;
  if (record && refusal) {
    const refused: ResendResult = { outcome: "refused", state: record.state, reason: refusal };
    if (record.documentNumber) refused.documentNumber = record.documentNumber;
    return refused;
  }
  // Read the order first: an unknown order fails here, before a rejected record is touched.
  const order = await deps.getOrder(key.orderId);
  const result: Extract<ResendResult, { outcome: "enqueued" }> = { outcome: "enqueued", eventId: "" };
  if (record) result.previousState = record.state;
  if (record?.state === "REJECTED") {
    result.burntNumber = record.documentNumber;
    await deps.markForReissue(key, "resend requested", deps.now());
  }
  const now = deps.now();
  result.eventId = resendEventId(key.storeId, key.orderId, now);
  try {
    await deps.enqueue(operatorEvent(key.storeId, queuedOrderId(order), result.eventId, now));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const state =
      record?.state === "REJECTED" ? "NEEDS_ATTENTION (its burnt number is kept in the history)" : "";
    throw new ResendError(
      `order ${key.orderId} could not be enqueued (${detail})${state ? `; its record is now ${state}` : ""}: run cpe resend again`,
    );
  }
  return result;
}

import type { AceleralaReceipt } from "../acelerala/schemas";
import { operatorEvent } from "../queue/order-events";
import type { OrderKey, ReceiptRecord, ReissueRequest } from "../store/receipt-record";
import { type Expect, expectOf } from "../store/receipt-store";
import type { Enqueue } from "./backfill";

/**
 * `cpe reissue ORDER_ID`: the way out of `landed_receipt_differs`. A receipt of the order landed in Acelérala but
 * differs from the order (it changed while the POST was in flight); it is never silently joined by a second one.
 * The operator asks here to undo it: the record notes the request and the order is put back on the queue; the
 * worker then issues a credit note for the whole landed receipt (motive 02 "Anulación por error en el RUC" when it
 * names a RUC the order no longer has, else 01 "Anulación de la operación"), and once SUNAT accepted the note, a
 * new receipt from the order as it is now (lib/worker/issue-receipt.ts, settleReissue). Both go through the same
 * exactly-once guard as any receipt.
 */

export interface ReissueDeps {
  getRecord(key: OrderKey): Promise<ReceiptRecord | undefined>;
  getReceipt(id: number): Promise<AceleralaReceipt>;
  getOrder(id: number): Promise<unknown>;
  requestReissue(key: OrderKey, expect: Expect, reissue: ReissueRequest, now: Date): Promise<ReceiptRecord>;
  enqueue: Enqueue;
  now(): Date;
}

export type ReissueResult =
  | { outcome: "requested"; eventId: string; documentNumber: string; motive: "01" | "02" }
  | { outcome: "refused"; state?: string; reason: string };

export function reissueEventId(storeId: number, orderId: number, now: Date): string {
  return `reissue_${storeId}_${orderId}_${now.getTime()}`;
}

/** 02 when the landed receipt names a RUC the order no longer carries; 01 otherwise. */
export function reissueMotive(receipt: AceleralaReceipt, order: unknown): "01" | "02" {
  const customer = receipt.customer_information;
  const billing = (order as { billing_details?: { document_number?: unknown } } | null)?.billing_details;
  const landedRuc =
    String(customer?.document_type_code ?? "") === "6" ? String(customer?.document_number ?? "") : "";
  return landedRuc !== "" && String(billing?.document_number ?? "") !== landedRuc ? "02" : "01";
}

export async function reissueOrder(
  key: OrderKey,
  deps: ReissueDeps,
  options: { motive?: "01" | "02" } = {},
): Promise<ReissueResult> {
  const record = await deps.getRecord(key);
  if (!record) return { outcome: "refused", reason: "el pedido no tiene registro de comprobante" };
  const differs = (record.problems ?? []).some((problem) => problem.rule === "landed_receipt_differs");
  if (
    record.state !== "NEEDS_ATTENTION" ||
    record.receiptId === undefined ||
    !differs ||
    !record.documentNumber
  ) {
    return {
      outcome: "refused",
      state: record.state,
      reason:
        "solo se reemite un comprobante que llegó y no coincide con el pedido (ATENCIÓN, landed_receipt_differs); " +
        (record.state === "REJECTED" ? "uno rechazado se reemite con cpe resend" : "vea cpe status"),
    };
  }
  if (record.reissue) {
    return {
      outcome: "refused",
      state: record.state,
      reason: `ya está en curso la reemisión de ${record.reissue.documentNumber}`,
    };
  }
  const [receipt, order] = await Promise.all([deps.getReceipt(record.receiptId), deps.getOrder(key.orderId)]);
  const motive = options.motive ?? reissueMotive(receipt, order);
  const now = deps.now();
  await deps.requestReissue(
    key,
    expectOf(record),
    { receiptId: record.receiptId, documentNumber: record.documentNumber, motive, at: now.toISOString() },
    now,
  );
  const eventId = reissueEventId(key.storeId, key.orderId, now);
  await deps.enqueue(operatorEvent(key.storeId, key.orderId, eventId, now));
  return { outcome: "requested", eventId, documentNumber: record.documentNumber, motive };
}

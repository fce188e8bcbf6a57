import { AceleralaError } from "../acelerala/errors";
import type { AceleralaOrder } from "../acelerala/schemas";
import { classifySunatCode } from "../acelerala/sunat-answer";
import { operatorEvent } from "../queue/order-events";
import type { OrderKey, ReceiptRecord, ReceiptState } from "../store/receipt-record";
import { StateConflictError } from "../store/receipt-store";
import { type Enqueue, queuedOrderId } from "./backfill";
import { stateLabel } from "./receipt-view";
import { safeText } from "./text";

/**
 * `cpe resend ID…` and the console's "Enviar documentos al API": the plugin's individual and bulk flows. Each order
 * goes back on the order-events queue as the receiver's event reference, so the worker and its exactly-once
 * guard handle it (a resend can never make a second receipt):
 *
 * - no record, NEEDS_ATTENTION (the merchant fixed the order), SKIPPED, CANCELED or RESERVED (stuck): enqueued as
 *   is; the worker re-reads the order and issues it (a NEEDS_ATTENTION number the API never accepted is reused; a
 *   RESERVED one is looked up before anything else);
 * - NEEDS_ATTENTION holding a receipt that landed and differs (landed_receipt_differs): refused, it takes a credit
 *   note and a new receipt;
 * - REJECTED with a rejection code (2000–3999): SUNAT burnt the number. The record is first moved to NEEDS_ATTENTION without a number (the burnt
 *   one stays in `burntNumbers` and the history), then enqueued: the worker reserves a NEW number;
 * - SUBMITTED, ACCEPTED: already issued, nothing is enqueued (the worker would do nothing anyway);
 * - REJECTED on an exception code (0100–1999, records from before answers were classified by code), STALE:
 *   refused, nothing is enqueued: a person must check the receipt in Acelérala first.
 */

/**
 * `resend_<store>_<order>_<epoch ms>`: unique per request, so SQS's 5-minute deduplication never drops a
 * deliberate resend (e.g. a second one after the merchant fixed the order again). Two clicks do enqueue twice;
 * the worker's guard makes the second a no-op.
 */
export function resendEventId(storeId: number, orderId: number | string, now: Date): string {
  return `resend_${storeId}_${orderId}_${now.getTime()}`;
}

/**
 * States in which the order already has its receipt (or it is on its way): a resend does nothing, and nothing
 * needs a person.
 */
const ALREADY_ISSUED: Partial<Record<ReceiptState, string>> = {
  SUBMITTED: "la API ya tiene su comprobante y SUNAT aún no responde: espere el CDR",
  ACCEPTED: "SUNAT ya aceptó su comprobante; para anularlo o corregirlo se emite una nota de crédito",
};

/** States from which a resend is refused because a person must look first. */
const REFUSED: Partial<Record<ReceiptState, string>> = {
  STALE:
    "su comprobante no recibió respuesta de SUNAT a tiempo: revíselo en Acelérala antes de nada (reenviar podría duplicarlo)",
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
  /** The order has its receipt (or it is on its way): nothing was done, nothing needs doing. */
  | { outcome: "already_issued"; state: ReceiptState; documentNumber?: string; reason: string }
  /** A person must look before anything is sent (the reason says what). */
  | { outcome: "refused"; state: ReceiptState; documentNumber?: string; reason: string };

export class ResendError extends Error {
  override name = "ResendError";
}

/** Why a resend of this record is refused, or undefined when it may go ahead. */
function refusalFor(record: ReceiptRecord): string | undefined {
  const byState = REFUSED[record.state];
  if (byState) return byState;
  if (record.state === "NEEDS_ATTENTION" && record.receiptId !== undefined) {
    return `${record.documentNumber ?? "un comprobante"} llegó a Acelérala para este pedido y no coincide con él; nunca se emite un segundo comprobante: cpe reissue lo anula con una nota de crédito y emite uno nuevo`;
  }
  // Only SUNAT's rejection (2000–3999) burns a number. A record marked REJECTED on an exception code (0100–1999,
  // e.g. 1032/1033 "already registered") must not be reissued: that risks a second receipt.
  if (record.state === "REJECTED" && classifySunatCode(record.sunatCode, false) !== "rejected") {
    return `SUNAT respondió ${record.sunatCode ?? "sin código"}, una excepción y no un rechazo: ${record.documentNumber ?? "el número"} no está quemado; revíselo en Acelérala antes de nada`;
  }
  return undefined;
}

export async function resendOrder(key: OrderKey, deps: ResendDeps): Promise<ResendResult> {
  const record = await deps.getRecord(key);
  if (record) {
    const already = ALREADY_ISSUED[record.state];
    const refusal = already ? undefined : refusalFor(record);
    if (already || refusal) {
      const result: ResendResult = already
        ? { outcome: "already_issued", state: record.state, reason: already }
        : { outcome: "refused", state: record.state, reason: refusal ?? "" };
      if (record.documentNumber) result.documentNumber = record.documentNumber;
      return result;
    }
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
      record?.state === "REJECTED" ? "NEEDS_ATTENTION (su número quemado queda en el historial)" : "";
    throw new ResendError(
      `el pedido ${key.orderId} no se pudo encolar (${detail})${state ? `; su registro queda ahora en ${state}` : ""}: vuelva a enviarlo`,
    );
  }
  return result;
}

/** One order of a bulk resend: what happened, or why it failed (an unknown order, an outage, a race). */
export type BulkResendResult = { orderId: number } & (ResendResult | { outcome: "failed"; error: string });

/**
 * The plugin's bulk "Enviar Documentos al API": `resendOrder` for each order, one after the other (each through
 * the same guard), never stopping at a failure: every order gets its own result. `explain` turns an error into
 * the sentence shown for that order; `onResult` reports progress.
 */
export async function resendOrders(
  storeId: number,
  orderIds: readonly number[],
  deps: ResendDeps,
  options: {
    explain: (error: unknown) => string;
    onResult?: (result: BulkResendResult, done: number, total: number) => void;
  },
): Promise<BulkResendResult[]> {
  const unique = [...new Set(orderIds)];
  const results: BulkResendResult[] = [];
  for (const orderId of unique) {
    let result: BulkResendResult;
    try {
      result = { orderId, ...(await resendOrder({ storeId, orderId }, deps)) };
    } catch (error) {
      result = { orderId, outcome: "failed", error: options.explain(error) };
    }
    results.push(result);
    options.onResult?.(result, results.length, unique.length);
  }
  return results;
}

/** What a person reads about one order's result (Spanish). */
export function describeResendResult(result: BulkResendResult): string {
  switch (result.outcome) {
    case "enqueued": {
      const was = result.previousState
        ? `estaba en ${stateLabel(result.previousState)}`
        : "no tenía comprobante";
      const burnt = result.burntNumber
        ? `; ${result.burntNumber} queda quemado y se emite con un número nuevo`
        : "";
      return `en cola para emitir (${was})${burnt}`;
    }
    case "already_issued":
      return `ya emitido${result.documentNumber ? ` (${result.documentNumber})` : ""}: ${result.reason}`;
    case "refused":
      return `no enviado, requiere revisión${result.documentNumber ? ` (${result.documentNumber})` : ""}: ${result.reason}`;
    case "failed":
      return `falló: ${result.error}`;
  }
}

/** The Spanish word for each outcome, as the console's result table and `cpe resend` show it. */
export const RESEND_OUTCOME_LABELS: Readonly<Record<BulkResendResult["outcome"], string>> = {
  enqueued: "EN COLA",
  already_issued: "YA EMITIDO",
  refused: "REQUIERE REVISIÓN",
  failed: "FALLÓ",
};

/**
 * The sentence a person reads for an order whose resend failed. An unknown order, a race with the worker and a
 * failed enqueue are explained; anything else (an outage, a refused connection) is named with its message.
 */
export function explainResendError(error: unknown): string {
  if (error instanceof AceleralaError && error.kind === "not_found")
    return "Acelérala no tiene este pedido (¿otra tienda, o un número mal escrito?)";
  if (error instanceof ResendError) return error.message;
  if (error instanceof StateConflictError)
    return "otro proceso (el worker u otro envío) cambió su registro primero: revise su estado y vuelva a intentarlo";
  if (error instanceof Error) return safeText(`${error.name}: ${error.message}`);
  return safeText(String(error));
}

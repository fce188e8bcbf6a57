/**
 * What DynamoDB holds about the receipt of one order, and the states it moves through
 * (see ../shared/docs/design.md, "Receipt states").
 */

export const RECEIPT_STATES = [
  "RESERVED", // number allocated, request stored, not yet confirmed by the API
  "SUBMITTED", // the API has it; waiting for SUNAT's answer (sits in the pending-CDR index)
  "ACCEPTED", // SUNAT accepted it (possibly with observations, sunatCode >= 4000)
  "REJECTED", // SUNAT rejected it; its number is burnt
  "NEEDS_ATTENTION", // a business rule is broken, or the API refused the data: a person must act
  "STALE", // no CDR after the maximum age
] as const;

export type ReceiptState = (typeof RECEIPT_STATES)[number];

/** States after which no webhook, retry or replay may change the receipt. */
export const FINAL_STATES: readonly ReceiptState[] = ["SUBMITTED", "ACCEPTED", "REJECTED", "STALE"];

export interface ReceiptProblemRecord {
  field: string;
  rule: string;
  message: string;
}

export interface StateTransition {
  at: string;
  from: ReceiptState | null;
  to: ReceiptState;
  why: string;
}

/** A number SUNAT rejected: it can never be used again, and stays on the record for the history. */
export interface BurntNumber {
  documentNumber: string;
  receiptId?: number;
  sunatCode?: string | null;
  /** When the resend that moved past it was requested. */
  at: string;
}

export interface ReceiptRecord {
  storeId: number;
  orderId: number;
  state: ReceiptState;
  createdAt: string;
  updatedAt: string;
  /** When the order event that led to this receipt reached the queue (for the webhook-to-accepted latency). */
  eventAt?: string;
  /** Set once a number is reserved; never changes for this record afterwards. */
  documentTypeCode?: string;
  series?: string;
  correlative?: number;
  documentNumber?: string;
  currencyCode?: string;
  grossTotal?: string;
  /** The exact JSON body sent to POST /v1/receipts; retries re-send these bytes. */
  requestBody?: string;
  /** Acelérala's receipt id, once the API confirmed it. */
  receiptId?: number;
  submittedAt?: string;
  sunatCode?: string | null;
  sunatMessage?: string | null;
  cdrUrl?: string | null;
  xmlUrl?: string | null;
  pdfUrl?: string | null;
  finalizedAt?: string;
  problems?: ReceiptProblemRecord[];
  lastError?: string;
  pollCount?: number;
  /** Only while SUBMITTED: the sparse pending-CDR index attributes. */
  pendingCdr?: string;
  nextPollAt?: number;
  /** Numbers SUNAT rejected before this order was re-issued under a new one (`cpe resend`), oldest first. */
  burntNumbers?: BurntNumber[];
  history: StateTransition[];
}

export interface OrderKey {
  storeId: number;
  orderId: number;
}

/** Milliseconds from the order event's arrival (`eventAt`, else the record's creation) to `now`. */
export function acceptedAfterMs(record: Pick<ReceiptRecord, "eventAt" | "createdAt">, now: Date): number {
  return Math.max(0, now.getTime() - Date.parse(record.eventAt ?? record.createdAt));
}

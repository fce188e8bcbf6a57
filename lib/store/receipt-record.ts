/**
 * What DynamoDB holds about the receipt of one order, and the states it moves through
 * (see ../shared/docs/design.md, "Receipt states").
 */

import { ISSUED_STATES, type ReceiptState, type StateOrNone } from "./lifecycle";

export { RECEIPT_STATES, type ReceiptState } from "./lifecycle";

/** States after which no webhook, retry or replay may issue the order again (the API holds its receipt). */
export const FINAL_STATES: readonly ReceiptState[] = ISSUED_STATES;

export interface ReceiptProblemRecord {
  field: string;
  rule: string;
  message: string;
}

export interface StateTransition {
  at: string;
  /** "NONE" for the first write; null in records written before the lifecycle table. */
  from: StateOrNone | null;
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

/** A number this order reserved and gave up: proven never landed, so never POSTed again (and never reused). */
export interface ReleasedNumber {
  documentNumber: string;
  at: string;
  why: string;
}

/** A receipt of this order that landed, differed from the order, and was undone by a credit note (`cpe reissue`). */
export interface ReplacedNumber {
  documentNumber: string;
  receiptId: number;
  /** The credit note that undid it. */
  creditNote: string;
  at: string;
}

/** What `cpe reissue` asked for: undo the landed receipt with a credit note of this motive, then issue anew. */
export interface ReissueRequest {
  receiptId: number;
  documentNumber: string;
  /** Catálogo 09: 01 anulación de la operación, 02 anulación por error en el RUC. */
  motive: "01" | "02";
  at: string;
}

/** A number of ours that another receipt (another order's, or one made outside this system) holds. */
export interface TakenNumber {
  documentNumber: string;
  receiptId: number;
  /** The holder's order, or null when the receipt belongs to no order (issued by hand, another system). */
  holderOrderId: number | null;
  at: string;
}

export interface ReceiptRecord {
  storeId: number;
  orderId: number;
  /** A credit note's record: `NOTE#<id>` (absent on the sale receipt's record). */
  document?: string;
  state: ReceiptState;
  createdAt: string;
  updatedAt: string;
  /** When the order event that led to this receipt reached the queue (for the webhook-to-accepted latency). */
  eventAt?: string;
  /**
   * The number the record holds: reserved (RESERVED, or NEEDS_ATTENTION keeping a number the API never
   * registered) or the landed receipt's own (the API may assign another number than the one we sent).
   */
  series?: string;
  correlative?: number;
  documentNumber?: string;
  /** When a POST with the held number was last possibly made; its fate is unknown until resolved. */
  postedAt?: string;
  /** What the last body built (or the landed receipt) says: for operators and for comparing with the order. */
  documentTypeCode?: string;
  currencyCode?: string;
  grossTotal?: string;
  issueDate?: string;
  /** The customer's identity document on the receipt, masked (type code and last digits), for operators. */
  customerDocument?: string;
  /** Acelérala's receipt id, once a receipt of this order landed (also in NEEDS_ATTENTION landed_receipt_differs). */
  receiptId?: number;
  submittedAt?: string;
  sunatCode?: string | null;
  sunatMessage?: string | null;
  cdrUrl?: string | null;
  xmlUrl?: string | null;
  pdfUrl?: string | null;
  finalizedAt?: string;
  /** SKIPPED or CANCELED: why the order gets no receipt now. */
  skipReason?: string;
  /** Credit notes: the Catálogo 09 motive, the receipt the note modifies, what it credits (line by line). */
  noteMotive?: string;
  affectedDocumentNumber?: string;
  allocation?: unknown;
  /** Credit notes: why the order owes it (a refund transaction, a cancellation…). */
  noteReason?: string;
  problems?: ReceiptProblemRecord[];
  lastError?: string;
  pollCount?: number;
  /**
   * Only while NEEDS_ATTENTION, or RESERVED once an attempt left the number unresolved: the open-records index keys
   * (the state, and when it was entered).
   */
  openState?: ReceiptState;
  openSince?: string;
  /** Only while SUBMITTED: the sparse pending-CDR index attributes. */
  pendingCdr?: string;
  nextPollAt?: number;
  /** Numbers SUNAT rejected before this order was re-issued under a new one (`cpe resend`), oldest first. */
  burntNumbers?: BurntNumber[];
  /** Numbers this order reserved and released, proven never landed. */
  releasedNumbers?: ReleasedNumber[];
  /** Numbers this order reserved that another receipt turned out to hold. */
  takenNumbers?: TakenNumber[];
  /** Receipts of this order undone by a credit note and replaced by a new one (`cpe reissue`). */
  replacedNumbers?: ReplacedNumber[];
  /** NEEDS_ATTENTION holding a landed receipt: the operator asked to undo it and issue anew. */
  reissue?: ReissueRequest;
  history: StateTransition[];
}

export interface OrderKey {
  storeId: number;
  orderId: number;
  /**
   * Which document of the order: absent for its sale receipt; `NOTE#<key>` for a credit note (one per
   * cancellation, per refund transaction, per reissue). Every document has its own record and the same lifecycle.
   */
  document?: string;
}

/** Milliseconds from the order event's arrival (`eventAt`, else the record's creation) to `now`. */
export function acceptedAfterMs(record: Pick<ReceiptRecord, "eventAt" | "createdAt">, now: Date): number {
  return Math.max(0, now.getTime() - Date.parse(record.eventAt ?? record.createdAt));
}

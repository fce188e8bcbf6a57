import { Decimal } from "decimal.js";
import type { AceleralaReceipt } from "../acelerala/schemas";
import { sunatAnswerOf } from "../acelerala/sunat-answer";
import type { ReceiptProblemRecord, ReceiptRecord, TakenNumber } from "../store/receipt-record";
import type { LandedReceipt } from "../store/receipt-store";
import type { IssueDecision } from "./issue-receipt";

/**
 * Pure rules about receipts the API already holds: which of them are this order's sale receipt, and whether
 * one that landed is still what the order says (the order can change between any two steps of the worker).
 */

const SALE_DOCUMENT_TYPES = new Set(["01", "03"]);

/** True when the receipt names this order (an id of digits, as a number or a string). */
export function belongsToOrder(receipt: AceleralaReceipt, orderId: number): boolean {
  const owner = receipt.order_id;
  if (owner === null || owner === undefined) return false;
  const text = String(owner).trim();
  return /^\d+$/.test(text) && Number(text) === orderId;
}

/** A Factura or Boleta (not a note). Without a type code, a receipt that affects no document is a sale. */
export function isSaleReceipt(receipt: AceleralaReceipt): boolean {
  if (receipt.document_type_code) return SALE_DOCUMENT_TYPES.has(receipt.document_type_code);
  return !receipt.affected_document_number;
}

/**
 * The receipts that are this order's sale receipt as far as the record can tell: they name this order, are a
 * Factura or Boleta, and are not one the record already put behind it (a burnt number re-issued by resend, a
 * receipt undone by a credit note and replaced by `cpe reissue`).
 */
export function ownSaleReceipts(
  receipts: readonly AceleralaReceipt[],
  orderId: number,
  record: Pick<ReceiptRecord, "burntNumbers" | "replacedNumbers"> | undefined,
): AceleralaReceipt[] {
  const burnt = new Set(
    [...(record?.burntNumbers ?? []), ...(record?.replacedNumbers ?? [])].map(
      (entry) => entry.documentNumber,
    ),
  );
  const seen = new Set<string>();
  return receipts.filter((receipt) => {
    const id = String(receipt.id);
    if (seen.has(id)) return false;
    seen.add(id);
    return belongsToOrder(receipt, orderId) && isSaleReceipt(receipt) && !burnt.has(receipt.document_number);
  });
}

/**
 * The receipts that are this credit note: a note (07) naming this order, modifying this sale receipt, with this
 * motive, and not one another note record of the order already holds.
 */
export function ownNotes(
  receipts: readonly AceleralaReceipt[],
  orderId: number,
  affectedDocumentNumber: string,
  motive: string,
  claimedByOthers: ReadonlySet<string>,
): AceleralaReceipt[] {
  const seen = new Set<string>();
  return receipts.filter((receipt) => {
    const id = String(receipt.id);
    if (seen.has(id) || claimedByOthers.has(id)) return false;
    seen.add(id);
    return (
      belongsToOrder(receipt, orderId) &&
      receipt.document_type_code === "07" &&
      receipt.affected_document_number === affectedDocumentNumber &&
      String(receipt.note_motive_code ?? "") === motive
    );
  });
}

/** What differs between a note that landed and the note the order asks for now: currency and amount. */
export function noteDifferences(receipt: AceleralaReceipt, decision: IssueDecision): string[] {
  const found: string[] = [];
  if (!sameText(receipt.currency_code, decision.currencyCode))
    found.push(`moneda ${receipt.currency_code ?? "?"} y la nota pide ${decision.currencyCode}`);
  const landedTotal = money(receipt.gross_total);
  if (landedTotal === null || !new Decimal(landedTotal).equals(decision.grossTotal))
    found.push(`total ${landedTotal ?? "?"} y la nota pide ${decision.grossTotal}`);
  return found;
}

/** Masked identity document for records and logs: type code and the last 3 characters. */
export function maskDocument(typeCode: unknown, number: unknown): string {
  const text = number === null || number === undefined ? "" : String(number);
  const tail = text === "-" || text === "" ? text || "-" : `…${text.slice(-3)}`;
  return `${typeCode ?? "?"}:${tail}`;
}

function money(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  try {
    return new Decimal(String(value)).toFixed(2);
  } catch {
    return null;
  }
}

export function landedFrom(receipt: AceleralaReceipt): LandedReceipt {
  const customer = receipt.customer_information;
  return {
    receiptId: Number(receipt.id),
    series: receipt.series,
    correlative: receipt.correlative,
    documentTypeCode: receipt.document_type_code ?? "",
    currencyCode: receipt.currency_code ?? "",
    grossTotal: money(receipt.gross_total) ?? "",
    customerDocument: maskDocument(customer?.document_type_code, customer?.document_number),
    sunatAnswer: sunatAnswerOf(receipt),
    xmlUrl: receipt.xml_url ?? null,
    pdfUrl: receipt.pdf_url ?? null,
  };
}

function sameText(left: unknown, right: unknown): boolean {
  return (
    String(left ?? "")
      .trim()
      .toUpperCase() ===
    String(right ?? "")
      .trim()
      .toUpperCase()
  );
}

/**
 * What differs between a receipt that landed and the receipt the order asks for now: document type, currency,
 * total, customer identity. Empty when it matches. Messages in Spanish, for the merchant; a document number
 * appears masked only.
 */
export function differences(receipt: AceleralaReceipt, decision: IssueDecision): string[] {
  const found: string[] = [];
  if (!sameText(receipt.document_type_code, decision.documentTypeCode)) {
    found.push(
      `tipo de documento ${receipt.document_type_code ?? "?"} y el pedido pide ${decision.documentTypeCode}`,
    );
  }
  if (!sameText(receipt.currency_code, decision.currencyCode)) {
    found.push(`moneda ${receipt.currency_code ?? "?"} y el pedido está en ${decision.currencyCode}`);
  }
  const landedTotal = money(receipt.gross_total);
  if (landedTotal === null || !new Decimal(landedTotal).equals(decision.grossTotal)) {
    found.push(`total ${landedTotal ?? "?"} y el pedido cobra ${decision.grossTotal}`);
  }
  const customer = receipt.customer_information;
  if (
    !sameText(customer?.document_type_code, decision.customer.documentTypeCode) ||
    !sameText(customer?.document_number, decision.customer.documentNumber)
  ) {
    found.push(
      `cliente ${maskDocument(customer?.document_type_code, customer?.document_number)} y el pedido indica ${maskDocument(decision.customer.documentTypeCode, decision.customer.documentNumber)}`,
    );
  }
  return found;
}

/** The problem recorded when what landed is not what the order says now. */
export function landedDiffersProblem(receipt: AceleralaReceipt, detail: string): ReceiptProblemRecord {
  return {
    field: "receipt",
    rule: "landed_receipt_differs",
    message:
      `${receipt.document_number} ya está registrado en Acelérala para este pedido, pero difiere del pedido actual (${detail}). ` +
      "No se emite un segundo comprobante: corresponde una nota de crédito y un comprobante nuevo (cpe reissue).",
  };
}

export function takenNumberOf(holder: AceleralaReceipt, now: Date): TakenNumber {
  const owner = holder.order_id;
  return {
    documentNumber: holder.document_number,
    receiptId: Number(holder.id),
    holderOrderId:
      owner === null || owner === undefined || !/^\d+$/.test(String(owner)) ? null : Number(owner),
    at: now.toISOString(),
  };
}

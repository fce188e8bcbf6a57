import type { AceleralaReceipt } from "./schemas";

/**
 * SUNAT's answer to a receipt as Acelérala reports it, classified by SUNAT's response code (not by
 * `sunat_accepted` alone, which says nothing about *why* a receipt was not accepted):
 * - `0`, and `4000` or more: accepted (4000+ with observations the merchant should read);
 * - `2000`–`3999`: rejected; the number is burnt and never used again;
 * - `0100`–`1999`: an exception: the request itself failed (SUNAT down, malformed envelope, "already
 *   registered" 1032/1033). The receipt is neither accepted nor rejected and its number is NOT burnt: ask
 *   again later, never re-issue it under a new number.
 * A code that is not a number falls back to `sunat_accepted`.
 */

export type SunatOutcome = "accepted" | "rejected" | "exception";

export interface SunatAnswer {
  outcome: SunatOutcome;
  sunatCode: string | null;
  sunatMessage: string | null;
  cdrUrl: string | null;
  xmlUrl: string | null;
  pdfUrl: string | null;
}

export function classifySunatCode(code: string | null | undefined, acceptedFlag: boolean): SunatOutcome {
  const text = (code ?? "").trim();
  if (!/^\d{1,4}$/.test(text)) return acceptedFlag ? "accepted" : "rejected";
  const value = Number(text);
  if (value === 0 || value >= 4000) return "accepted";
  if (value >= 2000) return "rejected";
  return "exception";
}

/** SUNAT's answer, or null while SUNAT has not answered (`sunat_acknowledged` false). */
export function sunatAnswerOf(receipt: AceleralaReceipt): SunatAnswer | null {
  if (!receipt.sunat_acknowledged) return null;
  return {
    outcome: classifySunatCode(receipt.sunat_code, receipt.sunat_accepted === true),
    sunatCode: receipt.sunat_code ?? null,
    sunatMessage: receipt.sunat_message ?? null,
    cdrUrl: receipt.cdr_url ?? null,
    xmlUrl: receipt.xml_url ?? null,
    pdfUrl: receipt.pdf_url ?? null,
  };
}

/** The links of a receipt, whatever SUNAT said so far (the XML and PDF exist before SUNAT answers). */
export function receiptLinks(receipt: AceleralaReceipt): Pick<SunatAnswer, "cdrUrl" | "xmlUrl" | "pdfUrl"> {
  return {
    cdrUrl: receipt.cdr_url ?? null,
    xmlUrl: receipt.xml_url ?? null,
    pdfUrl: receipt.pdf_url ?? null,
  };
}

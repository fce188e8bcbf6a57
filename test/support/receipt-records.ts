import type { SunatAnswer } from "../../lib/acelerala/sunat-answer";
import type { OrderKey, ReceiptRecord } from "../../lib/store/receipt-record";
import {
  type DocumentFacts,
  expectOf,
  type LandedReceipt,
  type ReceiptStore,
} from "../../lib/store/receipt-store";

/** Fixtures for tests that need receipt records in a given state, written through the store's own moves. */

export const ACCEPTED_ANSWER: SunatAnswer = {
  outcome: "accepted",
  sunatCode: "0",
  sunatMessage: "aceptada",
  cdrUrl: "http://x/cdr.zip",
  xmlUrl: "http://x/r.xml",
  pdfUrl: "http://x/r.pdf",
};

export const REJECTED_ANSWER: SunatAnswer = {
  ...ACCEPTED_ANSWER,
  outcome: "rejected",
  sunatCode: "2335",
  sunatMessage: "alterado",
};

export function factsFor(series: string, grossTotal = "40.00"): DocumentFacts {
  return {
    documentTypeCode: series.startsWith("B") ? "03" : "01",
    currencyCode: "PEN",
    grossTotal,
    issueDate: "2026-11-21",
    customerDocument: series.startsWith("B") ? "1:…678" : "6:…034",
  };
}

/** A reservation of the next number of `series` for an order with no record. */
export function reserveNew(
  store: ReceiptStore,
  key: OrderKey,
  series: string,
  now: Date,
  grossTotal = "40.00",
): Promise<ReceiptRecord> {
  return store.reserve({
    key,
    expect: expectOf(undefined),
    series,
    facts: factsFor(series, grossTotal),
    now,
  });
}

export function landedOf(
  record: ReceiptRecord,
  receiptId: number,
  answer: SunatAnswer | null,
): LandedReceipt {
  return {
    ...factsFor(record.series ?? "F001", record.grossTotal),
    receiptId,
    series: record.series ?? "F001",
    correlative: record.correlative ?? 1,
    sunatAnswer: answer,
    xmlUrl: "http://x/r.xml",
    pdfUrl: "http://x/r.pdf",
  };
}

/** An order's receipt reserved and landed: SUBMITTED (answer null) or final. */
export async function issuedRecord(
  store: ReceiptStore,
  key: OrderKey,
  options: {
    series?: string;
    receiptId?: number;
    answer?: SunatAnswer | null;
    now: Date;
    nextPollAt?: number;
    grossTotal?: string;
  },
): Promise<ReceiptRecord> {
  const reserved = await reserveNew(store, key, options.series ?? "F001", options.now, options.grossTotal);
  return store.land(
    key,
    expectOf(reserved),
    landedOf(reserved, options.receiptId ?? 67_000 + key.orderId, options.answer ?? null),
    options.nextPollAt ?? 0,
    "API holds the receipt",
    options.now,
  );
}

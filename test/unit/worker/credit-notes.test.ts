import { describe, expect, it } from "vitest";
import type { StoreConfig } from "../../../lib/receipt";
import type { ReceiptRecord } from "../../../lib/store/receipt-record";
import { creditedByOthers, decideCreditNote, wantedNotes } from "../../../lib/worker/credit-notes";
import { seedReceiptObject } from "../receipt/credit-note-fixtures";
import { demoStore } from "../receipt/helpers";

const NOW = new Date("2026-11-30T15:00:00Z");
const receipt = () => ({ ...seedReceiptObject(), order_id: 32204 });
let stores: StoreConfig[];
stores = [demoStore()];

const refund = (id: number, amount: string) => ({ id, amount, currencyCode: "PEN" });

describe("wantedNotes", () => {
  it("owes nothing on a paid order", () => {
    expect(wantedNotes({ payment_status: "paid", canceled: null }, [])).toEqual([]);
  });

  it("one note per refund transaction (motive 09, its amount), then the remainder of a refunded order, then the cancellation", () => {
    const notes = wantedNotes({ payment_status: "refunded", canceled: "2026-11-30T10:00:00Z" }, [
      refund(9, "5.00"),
      refund(4, "10.00"),
    ]);
    expect(notes.map((note) => [note.noteId, note.motive, note.scope])).toEqual([
      ["refund-4", "09", { kind: "amount", amount: "10.00", currency_code: "PEN" }],
      ["refund-9", "09", { kind: "amount", amount: "5.00", currency_code: "PEN" }],
      ["refunded", "06", { kind: "remainder" }],
      ["canceled", "01", { kind: "remainder" }],
    ]);
  });
});

describe("decideCreditNote", () => {
  const input = (wanted: ReturnType<typeof wantedNotes>[number], alreadyCredited = [] as never[]) => ({
    receipt: receipt(),
    receiptGrossTotal: "40.00",
    storeId: 511,
    stores,
    wanted,
    alreadyCredited,
    now: NOW,
  });

  it("builds a note of exactly the refund's amount in the credit series of the receipt's letter", () => {
    const [wanted] = wantedNotes({ payment_status: "partially_refunded" }, [refund(1, "12.50")]);
    const decision = decideCreditNote(input(wanted as never));
    expect(decision).toMatchObject({
      action: "issue",
      documentTypeCode: "07",
      series: "FC01",
      grossTotal: "12.50",
      issueDate: "2026-11-30",
      body: {
        order_id: 32204,
        affected_document_number: "F777-36862",
        note_motive_code: "09",
        currency_code: "PEN",
      },
    });
    expect(decision).not.toHaveProperty("body.correlative");
  });

  it("credits only what is left: a cancellation after a 12.50 refund credits 27.50; nothing left → no note", () => {
    const [partial] = wantedNotes({ payment_status: "partially_refunded" }, [refund(1, "12.50")]);
    const first = decideCreditNote(input(partial as never));
    if (first.action !== "issue" || !first.allocation) throw new Error("no first note");
    const on = "F777-36862";
    const records = [
      {
        document: "NOTE#refund-1",
        state: "ACCEPTED",
        allocation: first.allocation,
        affectedDocumentNumber: on,
      },
      {
        document: "NOTE#refund-2",
        state: "REJECTED",
        allocation: first.allocation,
        affectedDocumentNumber: on,
      },
      {
        document: "NOTE#refund-3",
        state: "ACCEPTED",
        allocation: first.allocation,
        affectedDocumentNumber: "F777-1",
      },
    ] as ReceiptRecord[];
    const credited = creditedByOthers(records, "NOTE#canceled", on);
    expect(credited).toHaveLength(1); // a rejected note, or one on another receipt, credits nothing here
    const [cancel] = wantedNotes({ canceled: "2026-11-30T10:00:00Z" }, []);
    const second = decideCreditNote({ ...input(cancel as never), alreadyCredited: credited as never[] });
    expect(second).toMatchObject({ action: "issue", grossTotal: "27.50", body: { note_motive_code: "01" } });
    if (second.action !== "issue" || !second.allocation) throw new Error("no second note");
    const nothing = decideCreditNote({
      ...input(cancel as never),
      alreadyCredited: [first.allocation, second.allocation] as never[],
    });
    expect(nothing).toEqual({
      action: "skip",
      rule: "nothing_left_to_credit",
      reason: "nothing left to credit",
    });
  });

  it("caps a refund larger than what is left at what is left", () => {
    const [big] = wantedNotes({ payment_status: "partially_refunded" }, [refund(1, "30.00")]);
    const [other] = wantedNotes({ payment_status: "partially_refunded" }, [refund(2, "25.00")]);
    const first = decideCreditNote(input(big as never));
    if (first.action !== "issue" || !first.allocation) throw new Error("no first note");
    expect(
      decideCreditNote({ ...input(other as never), alreadyCredited: [first.allocation] as never[] }),
    ).toMatchObject({
      action: "issue",
      grossTotal: "10.00",
    });
  });

  it("names the rule when the store is not configured", () => {
    const [cancel] = wantedNotes({ canceled: "x" }, []);
    expect(decideCreditNote({ ...input(cancel as never), storeId: 999 })).toMatchObject({
      action: "needs_attention",
      problems: [{ rule: "store_not_configured" }],
    });
  });
});

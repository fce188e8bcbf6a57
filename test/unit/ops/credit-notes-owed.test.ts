import { describe, expect, it } from "vitest";
import type { AceleralaTransaction } from "../../../lib/acelerala/schemas";
import { owedCreditNote } from "../../../lib/ops/credit-notes-owed";
import type { ReceiptRecord } from "../../../lib/store/receipt-record";

// Whether an order owes a credit note its notes do not cover yet: judged from amounts, not the worker's rules.

const ACCEPTED_AT = "2026-01-10T12:00:00.000Z";

function sale(state: ReceiptRecord["state"] = "ACCEPTED", grossTotal = "118.00"): ReceiptRecord {
  return {
    storeId: 511,
    orderId: 42,
    state,
    documentNumber: "F001-7",
    grossTotal,
    currencyCode: "PEN",
    createdAt: ACCEPTED_AT,
    updatedAt: ACCEPTED_AT,
    finalizedAt: ACCEPTED_AT,
    history: [],
  };
}

function note(state: ReceiptRecord["state"], grossTotal: string, id = "canceled"): ReceiptRecord {
  return { ...sale(state, grossTotal), document: `NOTE#${id}`, documentNumber: "FC01-1" };
}

const refund = (id: number, amount: string | number, created?: string): AceleralaTransaction =>
  ({
    id,
    order_id: 42,
    type: "refund",
    amount,
    currency_code: "PEN",
    ...(created ? { created } : {}),
  }) as AceleralaTransaction;

const cancelled = { id: 42, payment_status: "paid", canceled: "2026-01-12T08:00:00.000Z" };

describe("owedCreditNote", () => {
  it("a cancelled order owes its whole accepted receipt, since the later of the acceptance and the cancellation", () => {
    expect(owedCreditNote({ order: cancelled, sale: sale(), notes: [], refunds: [] })).toEqual({
      orderId: "42",
      documentNumber: "F001-7",
      reason: "canceled",
      due: "118.00",
      credited: "0.00",
      owed: "118.00",
      since: "2026-01-12T08:00:00.000Z",
      waitsForAttention: false,
    });
    const acceptedLater = { ...sale(), finalizedAt: "2026-01-13T00:00:00.000Z" };
    expect(owedCreditNote({ order: cancelled, sale: acceptedLater, notes: [], refunds: [] })?.since).toBe(
      "2026-01-13T00:00:00.000Z",
    );
  });

  it("owes nothing until SUNAT accepted the receipt, for a rejected one, or for a paid order", () => {
    for (const state of ["SUBMITTED", "REJECTED", "RESERVED", "NEEDS_ATTENTION"] as const)
      expect(owedCreditNote({ order: cancelled, sale: sale(state), notes: [], refunds: [] })).toBeUndefined();
    expect(owedCreditNote({ order: cancelled, sale: undefined, notes: [], refunds: [] })).toBeUndefined();
    const paid = { id: 42, payment_status: "paid", canceled: null };
    expect(owedCreditNote({ order: paid, sale: sale(), notes: [], refunds: [] })).toBeUndefined();
  });

  it("counts only notes that took effect or may still (SUBMITTED, ACCEPTED, STALE)", () => {
    const covered = [
      note("ACCEPTED", "100.00"),
      note("SUBMITTED", "10.00", "r1"),
      note("STALE", "8.00", "r2"),
    ];
    expect(owedCreditNote({ order: cancelled, sale: sale(), notes: covered, refunds: [] })).toBeUndefined();
    const refused = [
      note("ACCEPTED", "100.00"),
      note("REJECTED", "18.00", "r1"),
      note("RESERVED", "18.00", "r2"),
    ];
    expect(owedCreditNote({ order: cancelled, sale: sale(), notes: refused, refunds: [] })).toMatchObject({
      credited: "100.00",
      owed: "18.00",
      waitsForAttention: false,
    });
    const held = [note("NEEDS_ATTENTION", "118.00")];
    expect(owedCreditNote({ order: cancelled, sale: sale(), notes: held, refunds: [] })).toMatchObject({
      owed: "118.00",
      waitsForAttention: true,
    });
  });

  it("a partial refund owes the refunds' sum (never more than the receipt), since the last refund", () => {
    const order = { id: 42, payment_status: "partially_refunded", modified: "2026-01-20T00:00:00.000Z" };
    const refunds = [
      refund(1, "20.00", "2026-01-11T00:00:00.000Z"),
      refund(2, 30.5, "2026-01-14T09:30:00.000-05:00"),
    ];
    expect(
      owedCreditNote({ order, sale: sale(), notes: [note("ACCEPTED", "20.00", "refund-1")], refunds }),
    ).toMatchObject({
      reason: "partially_refunded",
      due: "50.50",
      credited: "20.00",
      owed: "30.50",
      since: "2026-01-14T14:30:00.000Z",
    });
    expect(owedCreditNote({ order, sale: sale("ACCEPTED", "40.00"), notes: [], refunds })?.due).toBe("40.00");
    const inDollars = { ...refund(3, "99.00"), currency_code: "USD" };
    expect(owedCreditNote({ order, sale: sale(), notes: [], refunds: [inDollars] })).toBeUndefined();
  });

  it("a refunded order owes the whole receipt; without refund times it is owed since the order's last change", () => {
    const order = { id: 42, payment_status: "refunded", modified: "2026-01-15T00:00:00.000Z" };
    expect(owedCreditNote({ order, sale: sale(), notes: [], refunds: [] })).toMatchObject({
      reason: "refunded",
      due: "118.00",
      since: "2026-01-15T00:00:00.000Z",
    });
  });
});

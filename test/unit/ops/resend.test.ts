import { describe, expect, it } from "vitest";
import { AceleralaError } from "../../../lib/acelerala/errors";
import { type ResendDeps, ResendError, resendEventId, resendOrder } from "../../../lib/ops/resend";
import type { ReceiptRecord, ReceiptState } from "../../../lib/store/receipt-record";

const NOW = new Date("2026-01-21T15:00:00.123Z");
const KEY = { storeId: 511, orderId: 32204 };

function deps(
  state: ReceiptState | undefined,
  options: { enqueueFails?: boolean; orderMissing?: boolean; record?: Partial<ReceiptRecord> } = {},
) {
  const calls: string[] = [];
  const record: ReceiptRecord | undefined = state
    ? {
        ...KEY,
        state,
        createdAt: "",
        updatedAt: "",
        history: [],
        documentNumber: "F001-5",
        ...options.record,
      }
    : undefined;
  const fake: ResendDeps = {
    getRecord: async () => record,
    getOrder: async (id) => {
      calls.push(`getOrder ${id}`);
      if (options.orderMissing)
        throw new AceleralaError({
          kind: "not_found",
          route: "GET /v1/orders/{id}",
          retryable: false,
          ambiguous: false,
        });
      return { id, payment_status: "paid" };
    },
    markForReissue: async (_key, why) => {
      calls.push(`markForReissue ${why}`);
      return record as ReceiptRecord;
    },
    enqueue: async (event) => {
      calls.push(`enqueue ${event.webhookId} ${event.type} ${event.orderId}`);
      if (options.enqueueFails) throw new Error("SQS is down");
    },
    now: () => NOW,
  };
  return { fake, calls };
}

describe("resendOrder", () => {
  it("enqueues an order without a record, or NEEDS_ATTENTION, SKIPPED, CANCELED or RESERVED, as is", async () => {
    for (const state of [undefined, "NEEDS_ATTENTION", "SKIPPED", "CANCELED", "RESERVED"] as const) {
      const { fake, calls } = deps(state);
      const result = await resendOrder(KEY, fake);
      expect(result).toMatchObject({ outcome: "enqueued", eventId: "resend_511_32204_1769007600123" });
      expect(calls).toEqual([
        "getOrder 32204",
        "enqueue resend_511_32204_1769007600123 orders.updated.placed 32204",
      ]);
    }
  });

  it("burns a REJECTED number before enqueueing, so the worker takes a new one", async () => {
    const { fake, calls } = deps("REJECTED");
    expect(await resendOrder(KEY, fake)).toMatchObject({
      outcome: "enqueued",
      previousState: "REJECTED",
      burntNumber: "F001-5",
    });
    expect(calls).toEqual([
      "getOrder 32204",
      "markForReissue resend requested",
      expect.stringMatching(/^enqueue resend_/),
    ]);
  });

  it("refuses SUBMITTED, ACCEPTED and STALE without enqueueing", async () => {
    for (const state of ["SUBMITTED", "ACCEPTED", "STALE"] as const) {
      const { fake, calls } = deps(state);
      const result = await resendOrder(KEY, fake);
      expect(result).toMatchObject({ outcome: "refused", state, documentNumber: "F001-5" });
      expect(calls).toEqual([]);
    }
  });

  it("never reissues on a SUNAT exception code (the number is not burnt), nor over a landed receipt", async () => {
    for (const code of ["1033", "0100"]) {
      const { fake, calls } = deps("REJECTED", { record: { sunatCode: code } });
      const result = await resendOrder(KEY, fake);
      expect(result).toMatchObject({ outcome: "refused", state: "REJECTED" });
      expect(result.outcome === "refused" && result.reason).toMatch(
        new RegExp(`SUNAT answered ${code}, an exception`),
      );
      expect(calls).toEqual([]);
    }
    const { fake, calls } = deps("NEEDS_ATTENTION", { record: { receiptId: 70, documentNumber: "B001-3" } });
    const result = await resendOrder(KEY, fake);
    expect(result.outcome === "refused" && result.reason).toMatch(
      /B001-3 landed in Acelérala for this order and differs/,
    );
    expect(calls).toEqual([]);
    const rejected = deps("REJECTED", { record: { sunatCode: "2335" } });
    expect(await resendOrder(KEY, rejected.fake)).toMatchObject({
      outcome: "enqueued",
      burntNumber: "F001-5",
    });
  });

  it("touches nothing for an order Acelérala does not know", async () => {
    const { fake, calls } = deps("REJECTED", { orderMissing: true });
    await expect(resendOrder(KEY, fake)).rejects.toBeInstanceOf(AceleralaError);
    expect(calls).toEqual(["getOrder 32204"]);
  });

  it("says what state a failed enqueue leaves the record in", async () => {
    const { fake } = deps("REJECTED", { enqueueFails: true });
    await expect(resendOrder(KEY, fake)).rejects.toThrow(ResendError);
    await expect(resendOrder(KEY, deps("REJECTED", { enqueueFails: true }).fake)).rejects.toThrow(
      /SQS is down.*now NEEDS_ATTENTION.*run cpe resend again/,
    );
  });

  it("gives every resend its own id, so FIFO deduplication never drops one", () => {
    expect(resendEventId(511, 1, NOW)).not.toBe(resendEventId(511, 1, new Date(NOW.getTime() + 1)));
  });
});

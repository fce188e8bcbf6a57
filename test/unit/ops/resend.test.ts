import { describe, expect, it } from "vitest";
import { AceleralaError } from "../../../lib/acelerala/errors";
import {
  describeResendResult,
  explainResendError,
  type ResendDeps,
  ResendError,
  resendEventId,
  resendOrder,
  resendOrders,
} from "../../../lib/ops/resend";
import type { ReceiptRecord, ReceiptState } from "../../../lib/store/receipt-record";
import { StateConflictError } from "../../../lib/store/receipt-store";

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

  it("does nothing for SUBMITTED and ACCEPTED (already issued), and refuses STALE (a person must look)", async () => {
    for (const state of ["SUBMITTED", "ACCEPTED"] as const) {
      const { fake, calls } = deps(state);
      const result = await resendOrder(KEY, fake);
      expect(result).toMatchObject({ outcome: "already_issued", state, documentNumber: "F001-5" });
      expect(calls).toEqual([]);
    }
    const { fake, calls } = deps("STALE");
    expect(await resendOrder(KEY, fake)).toMatchObject({
      outcome: "refused",
      state: "STALE",
      reason: expect.stringMatching(/revíselo en Acelérala/),
    });
    expect(calls).toEqual([]);
  });

  it("never reissues on a SUNAT exception code (the number is not burnt), nor over a landed receipt", async () => {
    for (const code of ["1033", "0100"]) {
      const { fake, calls } = deps("REJECTED", { record: { sunatCode: code } });
      const result = await resendOrder(KEY, fake);
      expect(result).toMatchObject({ outcome: "refused", state: "REJECTED" });
      expect(result.outcome === "refused" && result.reason).toMatch(
        new RegExp(`SUNAT respondió ${code}, una excepción`),
      );
      expect(calls).toEqual([]);
    }
    const { fake, calls } = deps("NEEDS_ATTENTION", { record: { receiptId: 70, documentNumber: "B001-3" } });
    const result = await resendOrder(KEY, fake);
    expect(result.outcome === "refused" && result.reason).toMatch(
      /B001-3 llegó a Acelérala para este pedido y no coincide/,
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
      /SQS is down.*ahora en NEEDS_ATTENTION.*vuelva a enviarlo/,
    );
  });

  it("gives every resend its own id, so FIFO deduplication never drops one", () => {
    expect(resendEventId(511, 1, NOW)).not.toBe(resendEventId(511, 1, new Date(NOW.getTime() + 1)));
  });
});

describe("resendOrders (the bulk send of cpe resend ID… and the console)", () => {
  it("sends each order once, in order, and reports every one, a failure included", async () => {
    const records = new Map<number, ReceiptRecord>([
      [
        2,
        {
          storeId: 511,
          orderId: 2,
          state: "ACCEPTED",
          documentNumber: "B001-9",
          createdAt: "",
          updatedAt: "",
          history: [],
        },
      ],
      [
        3,
        {
          storeId: 511,
          orderId: 3,
          state: "STALE",
          documentNumber: "B001-10",
          createdAt: "",
          updatedAt: "",
          history: [],
        },
      ],
    ]);
    const enqueued: number[] = [];
    const progress: string[] = [];
    const results = await resendOrders(
      511,
      [1, 2, 3, 4, 1],
      {
        getRecord: async (key) => records.get(key.orderId),
        getOrder: async (id) => {
          if (id === 4)
            throw new AceleralaError({
              kind: "not_found",
              route: "GET /v1/orders/{id}",
              retryable: false,
              ambiguous: false,
            });
          return { id, payment_status: "paid" };
        },
        markForReissue: async () => {
          throw new Error("not expected");
        },
        enqueue: async (event) => {
          enqueued.push(event.orderId);
        },
        now: () => NOW,
      },
      {
        explain: explainResendError,
        onResult: (result, done, total) => progress.push(`${done}/${total} ${result.outcome}`),
      },
    );
    expect(results.map((r) => [r.orderId, r.outcome])).toEqual([
      [1, "enqueued"],
      [2, "already_issued"],
      [3, "refused"],
      [4, "failed"],
    ]);
    expect(enqueued).toEqual([1]);
    expect(progress).toEqual(["1/4 enqueued", "2/4 already_issued", "3/4 refused", "4/4 failed"]);
    expect(results.map(describeResendResult)).toEqual([
      "en cola para emitir (no tenía comprobante)",
      expect.stringMatching(/^ya emitido \(B001-9\): SUNAT ya aceptó/),
      expect.stringMatching(
        /^no enviado, requiere revisión \(B001-10\): su comprobante no recibió respuesta/,
      ),
      "falló: Acelérala no tiene este pedido (¿otra tienda, o un número mal escrito?)",
    ]);
  });

  it("explains a lost race and an outage in a sentence, without customer data", () => {
    expect(
      explainResendError(
        new StateConflictError({ storeId: 511, orderId: 1 }, { state: "REJECTED", documentNumber: "F001-1" }),
      ),
    ).toMatch(/otro proceso .* cambió su registro primero/);
    expect(explainResendError(new Error("connect ECONNREFUSED for admin@shop.pe"))).toBe(
      "Error: connect ECONNREFUSED for a***@shop.pe",
    );
  });
});

import { describe, expect, it } from "vitest";
import { AceleralaError } from "../../../lib/acelerala/errors";
import type { AceleralaReceipt } from "../../../lib/acelerala/schemas";
import type { SunatAnswer } from "../../../lib/acelerala/sunat-answer";
import type { ReceiptRecord, ReceiptState } from "../../../lib/store/receipt-record";
import { StateConflictError } from "../../../lib/store/receipt-store";
import { handleReceiptEvent, type ReceiptEventDeps } from "../../../lib/worker/receipt-event";

const KEY = { storeId: 511, orderId: 32203 };
const NOW = new Date("2026-11-21T10:00:00Z");

function receipt(fields: Partial<AceleralaReceipt> = {}): AceleralaReceipt {
  return {
    id: 67349,
    order_id: 32203,
    series: "F001",
    correlative: 7,
    document_number: "F001-7",
    sunat_acknowledged: true,
    sunat_accepted: true,
    sunat_code: "0",
    sunat_message: "La Factura numero F001-7, ha sido aceptada",
    cdr_url: "https://files/67349.zip",
    xml_url: "https://files/67349.xml",
    pdf_url: "https://files/67349.pdf",
    ...fields,
  };
}

function fakes(
  record: Partial<ReceiptRecord> | undefined,
  options: { receipt?: AceleralaReceipt | Error; conflict?: boolean } = {},
) {
  const calls: string[] = [];
  const recorded: SunatAnswer[] = [];
  const deps: ReceiptEventDeps = {
    getRecord: async () => {
      calls.push("getRecord");
      return record as ReceiptRecord | undefined;
    },
    getReceipt: async (storeId, receiptId) => {
      calls.push(`getReceipt ${storeId} ${receiptId}`);
      const answer = options.receipt ?? receipt();
      if (answer instanceof Error) throw answer;
      return answer;
    },
    recordSunatAnswer: async (_key, documentNumber, from, answer, now) => {
      calls.push(`recordSunatAnswer ${documentNumber} from ${from} ${now.toISOString()}`);
      if (options.conflict) throw new StateConflictError(KEY, { state: from, documentNumber });
      recorded.push(answer);
      return { ...(record as ReceiptRecord), state: answer.outcome === "accepted" ? "ACCEPTED" : "REJECTED" };
    },
    now: () => NOW,
  };
  return { deps, calls, recorded };
}

const submitted = (state: ReceiptState = "SUBMITTED") => ({
  ...KEY,
  state,
  receiptId: 67349,
  documentNumber: "F001-7",
});

describe("handleReceiptEvent", () => {
  it("reads the receipt and records SUNAT's answer on the SUBMITTED record that holds it", async () => {
    const { deps, calls, recorded } = fakes(submitted());
    const outcome = await handleReceiptEvent(KEY, 67349, deps);
    expect(outcome).toMatchObject({ status: "recorded", record: { state: "ACCEPTED" } });
    expect(calls).toEqual([
      "getRecord",
      "getReceipt 511 67349",
      `recordSunatAnswer F001-7 from SUBMITTED ${NOW.toISOString()}`,
    ]);
    expect(recorded).toEqual([
      {
        outcome: "accepted",
        sunatCode: "0",
        sunatMessage: "La Factura numero F001-7, ha sido aceptada",
        cdrUrl: "https://files/67349.zip",
        xmlUrl: "https://files/67349.xml",
        pdfUrl: "https://files/67349.pdf",
      },
    ]);
  });

  it("records a rejection the same way", async () => {
    const rejected = receipt({ sunat_accepted: false, sunat_code: "2335" });
    const { deps } = fakes(submitted(), { receipt: rejected });
    expect(await handleReceiptEvent(KEY, 67349, deps)).toMatchObject({
      status: "recorded",
      record: { state: "REJECTED" },
      answer: { outcome: "rejected", sunatCode: "2335" },
    });
  });

  it("records a late answer on a STALE receipt, conditional on its number", async () => {
    const { deps, calls } = fakes(submitted("STALE"));
    expect((await handleReceiptEvent(KEY, 67349, deps)).status).toBe("recorded");
    expect(calls.at(-1)).toBe(`recordSunatAnswer F001-7 from STALE ${NOW.toISOString()}`);
  });

  it("changes nothing on a SUNAT exception sent as rejected (0100): not final, the number is not burnt", async () => {
    const exception = receipt({ sunat_accepted: false, sunat_code: "0100", cdr_url: null });
    const { deps, calls } = fakes(submitted(), { receipt: exception });
    expect(await handleReceiptEvent(KEY, 67349, deps)).toEqual({
      status: "unchanged",
      reason: "SUNAT answered an exception (0100): not final; the poller keeps asking",
    });
    expect(calls).not.toContainEqual(expect.stringMatching(/^recordSunatAnswer/));
  });

  it("a record without an Acelérala id is matched by its document number", async () => {
    const { deps } = fakes({ ...submitted(), receiptId: undefined });
    expect((await handleReceiptEvent(KEY, 67349, deps)).status).toBe("recorded");
  });

  it.each([
    [undefined, "the order has no receipt record here"],
    [submitted("RESERVED"), "the order's receipt is RESERVED, not waiting for SUNAT"],
    [submitted("ACCEPTED"), "the order's receipt is ACCEPTED, not waiting for SUNAT"],
    [submitted("NEEDS_ATTENTION"), "the order's receipt is NEEDS_ATTENTION, not waiting for SUNAT"],
  ])("changes nothing, without calling the API, when the record is %j", async (record, reason) => {
    const { deps, calls } = fakes(record);
    expect(await handleReceiptEvent(KEY, 67349, deps)).toEqual({ status: "unchanged", reason });
    expect(calls).toEqual(["getRecord"]);
  });

  it("changes nothing when the receipt is not the one the record holds", async () => {
    const { deps, calls } = fakes({ ...submitted(), receiptId: 5 }, { receipt: receipt({ id: 67349 }) });
    expect(await handleReceiptEvent(KEY, 67349, deps)).toEqual({
      status: "unchanged",
      reason: "receipt 67349 is not the one the order's record holds (5)",
    });
    expect(calls).not.toContainEqual(expect.stringMatching(/^recordSunatAnswer/));
    const byNumber = fakes(
      { ...submitted(), receiptId: undefined, documentNumber: "F001-8" },
      { receipt: receipt() },
    );
    expect((await handleReceiptEvent(KEY, 67349, byNumber.deps)).status).toBe("unchanged");
  });

  it("changes nothing while SUNAT has not answered (receipts.created): the poller keeps asking", async () => {
    const { deps, calls } = fakes(submitted(), { receipt: receipt({ sunat_acknowledged: false }) });
    expect(await handleReceiptEvent(KEY, 67349, deps)).toEqual({
      status: "unchanged",
      reason: "SUNAT has not answered yet; the poller keeps asking",
    });
    expect(calls).toEqual(["getRecord", "getReceipt 511 67349"]);
  });

  it("the poller got there first: nothing to do", async () => {
    const { deps } = fakes(submitted(), { conflict: true });
    expect(await handleReceiptEvent(KEY, 67349, deps)).toEqual({
      status: "unchanged",
      reason: "another invocation recorded the answer first",
    });
  });

  it("an unknown receipt changes nothing; a transient API failure is thrown, so the message comes back", async () => {
    const route = "GET /v1/receipts/{id}";
    const notFound = new AceleralaError({
      kind: "not_found",
      route,
      status: 404,
      retryable: false,
      ambiguous: false,
    });
    expect(
      (await handleReceiptEvent(KEY, 67349, fakes(submitted(), { receipt: notFound }).deps)).status,
    ).toBe("unchanged");
    const outage = new AceleralaError({
      kind: "server",
      route,
      status: 503,
      retryable: true,
      ambiguous: false,
    });
    await expect(handleReceiptEvent(KEY, 67349, fakes(submitted(), { receipt: outage }).deps)).rejects.toBe(
      outage,
    );
  });
});

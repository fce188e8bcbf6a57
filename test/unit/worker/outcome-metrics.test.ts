import { describe, expect, it } from "vitest";
import type { SunatAnswer } from "../../../lib/acelerala/sunat-answer";
import type { ReceiptRecord } from "../../../lib/store/receipt-record";
import type { IssueOutcome } from "../../../lib/worker/issue-receipt";
import { issueOutcomeReport, receiptEventReport } from "../../../lib/worker/outcome-metrics";

// The worker's outcome-to-metric mapping: every metric the handler emitted before it moved into lib/, by name
// (written out here, not read from lib/observability, so a renamed metric fails this test).

const NOW = new Date("2026-01-21T15:00:00.000Z");

function record(state: ReceiptRecord["state"], extra: Partial<ReceiptRecord> = {}): ReceiptRecord {
  return {
    storeId: 511,
    orderId: 1,
    state,
    documentNumber: "B001-9",
    createdAt: "2026-01-21T14:59:00.000Z",
    updatedAt: "2026-01-21T14:59:58.000Z",
    history: [],
    ...extra,
  };
}

const metricsOf = (outcome: IssueOutcome) =>
  issueOutcomeReport(outcome, NOW).metrics.map((m) => `${m.name} ${m.unit} ${m.value}`);

describe("issueOutcomeReport", () => {
  it("an issued receipt SUNAT accepted in the POST: issued, accepted and the latency from its order event", () => {
    const outcome: IssueOutcome = {
      status: "issued",
      record: record("ACCEPTED", { eventAt: "2026-01-21T14:59:57.500Z" }),
    };
    expect(metricsOf(outcome)).toEqual([
      "ReceiptsIssued Count 1",
      "ReceiptsAccepted Count 1",
      "WebhookToAcceptedLatency Milliseconds 2500",
    ]);
    expect(issueOutcomeReport(outcome, NOW).logs).toEqual([
      { level: "info", message: "receipt issued", fields: { receipt_number: "B001-9", state: "ACCEPTED" } },
    ]);
  });

  it("an issued receipt SUNAT rejected, or still waiting for its answer", () => {
    expect(metricsOf({ status: "issued", record: record("REJECTED") })).toEqual([
      "ReceiptsIssued Count 1",
      "ReceiptsRejected Count 1",
    ]);
    expect(metricsOf({ status: "issued", record: record("SUBMITTED") })).toEqual(["ReceiptsIssued Count 1"]);
  });

  it("a duplicate, a broken order, a skipped one; a retry is counted by the back-off, not here", () => {
    expect(metricsOf({ status: "already_issued", record: record("ACCEPTED") })).toEqual([
      "DuplicateEventsIgnored Count 1",
    ]);
    const problems = [{ field: "billing_details.document_number", rule: "ruc_invalid", message: "…" }];
    const attention = issueOutcomeReport({ status: "needs_attention", problems }, NOW);
    expect(attention.metrics.map((m) => m.name)).toEqual(["ReceiptsNeedingAttention"]);
    expect(attention.logs[0]).toMatchObject({
      level: "warn",
      fields: { problems: ["billing_details.document_number ruc_invalid"] },
    });
    expect(metricsOf({ status: "skipped", reason: "not paid" })).toEqual(["OrdersSkipped Count 1"]);
    expect(metricsOf({ status: "retry", reason: "503" })).toEqual([]);
  });

  it("each credit note: issued, still needed, or needing attention (already issued and skipped count nothing)", () => {
    const outcome: IssueOutcome = {
      status: "retry",
      reason: "B001-9 is not accepted by SUNAT yet",
      notes: [
        { note: "refund-1", status: "issued", record: record("ACCEPTED", { documentNumber: "BC01-1" }) },
        { note: "refund-2", status: "already_issued", record: record("ACCEPTED") },
        { note: "refunded", status: "skipped", reason: "nothing left to credit" },
        {
          note: "canceled",
          status: "needs_attention",
          problems: [{ field: "motive", rule: "credit_exceeds_receipt", message: "…" }],
        },
        { note: "refund-3", status: "waiting", reason: "SUNAT has not answered" },
      ],
    };
    expect(metricsOf(outcome)).toEqual([
      "CreditNotesIssued Count 1",
      "ReceiptsNeedingAttention Count 1",
      "CreditNotesNeeded Count 1",
    ]);
    expect(issueOutcomeReport(outcome, NOW).logs.map((l) => l.message)).toEqual([
      "credit note issued",
      "credit note needs attention",
      "credit note waits",
    ]);
  });

  it("the notes of an order whose sale receipt was already issued come with its duplicate count", () => {
    const outcome: IssueOutcome = {
      status: "already_issued",
      record: record("ACCEPTED"),
      notes: [{ note: "canceled", status: "issued", record: record("SUBMITTED") }],
    };
    expect(metricsOf(outcome)).toEqual(["CreditNotesIssued Count 1", "DuplicateEventsIgnored Count 1"]);
  });
});

describe("receiptEventReport", () => {
  const answer = { outcome: "accepted", sunatCode: "0" } as SunatAnswer;

  it("an answer recorded from a receipt event: accepted (with its latency) or rejected", () => {
    const accepted = receiptEventReport(
      { status: "recorded", record: record("ACCEPTED", { eventAt: "2026-01-21T14:59:00.000Z" }), answer },
      NOW,
    );
    expect(accepted.metrics).toEqual([
      { name: "ReceiptsAccepted", unit: "Count", value: 1 },
      { name: "WebhookToAcceptedLatency", unit: "Milliseconds", value: 60_000 },
    ]);
    expect(accepted.logs[0]?.fields).toMatchObject({ state: "ACCEPTED", sunat_code: "0" });
    const rejected = receiptEventReport({ status: "recorded", record: record("REJECTED"), answer }, NOW);
    expect(rejected.metrics.map((m) => m.name)).toEqual(["ReceiptsRejected"]);
  });

  it("an event that changed nothing says why", () => {
    const report = receiptEventReport({ status: "unchanged", reason: "already ACCEPTED" }, NOW);
    expect(report.metrics).toEqual([{ name: "ReceiptEventsUnchanged", unit: "Count", value: 1 }]);
    expect(report.logs[0]?.fields).toEqual({ reason: "already ACCEPTED" });
  });
});

import { describe, expect, it } from "vitest";
import { chaosHeld, formatChaosReport, runChaos } from "../../../bench/chaos";
import { localAwsEnv } from "../../support/local-stack";

// A short chaos run (bench/chaos.ts) in CI, under each way the API may number receipts: orders through the whole
// local pipeline while Acelérala answers 5xx (before and after storing), times out after committing and
// rate-limits, DynamoDB calls fail, worker environments are killed mid-batch, webhooks arrive twice and out of
// order, and the merchant edits orders mid-flight (often right while their POST is failing); then the DLQ is
// replayed. The reckoning uses nothing of lib/: every valid order has exactly one receipt equal to its final
// total and document type, or is rightly held as landed_receipt_differs.

describe.each([
  { numbering: "explicit" as const, orders: 90, seed: 11 },
  { numbering: "auto" as const, orders: 60, seed: 12 },
])("chaos: the pipeline under faults and edits, numbering $numbering", ({ numbering, orders, seed }) => {
  it(`holds at fault rate 0.2 over ${orders} orders, with every kind of fault injected`, async () => {
    const report = await runChaos({
      orders,
      faultRate: 0.2,
      seed,
      numbering,
      emulators: localAwsEnv(),
      namePrefix: `chaos-${numbering}-${process.pid}`,
      settleTimeoutMs: 40_000,
    });
    const summary = formatChaosReport(report);
    // The faults and edits really happened (otherwise this test would prove nothing).
    expect(report.injected.aceleralaFaults.error_before_commit, summary).toBeGreaterThan(0);
    expect(report.injected.aceleralaFaults.timeout_after_commit, summary).toBeGreaterThan(0);
    expect(report.injected.aceleralaFaults.rate_limit, summary).toBeGreaterThan(0);
    expect(report.injected.dynamoFaults, summary).toBeGreaterThan(0);
    expect(report.injected.duplicateWebhooks + report.injected.redeliveredEvents, summary).toBeGreaterThan(0);
    expect(report.injected.reorderedOrders, summary).toBeGreaterThan(0);
    expect(
      Object.values(report.injected.edits).reduce((a, b) => a + b, 0),
      summary,
    ).toBeGreaterThan(0);
    expect(report.injected.editsDuringFailedPost, summary).toBeGreaterThan(0);
    // And the invariant held.
    expect(report.duplicates, summary).toEqual([]);
    expect(report.missing, summary).toEqual([]);
    expect(report.mismatches, summary).toEqual([]);
    expect(report.falseDiffers, summary).toEqual([]);
    expect(report.brokenIssued, summary).toEqual([]);
    expect(report.unrecorded, summary).toEqual([]);
    expect(chaosHeld(report), summary).toBe(true);
    expect(report.dlq.leftInDlq, summary).toBe(0);
  }, 150_000);
});

import { describe, expect, it } from "vitest";
import { formatChaosReport, runChaos } from "../../../bench/chaos";
import { localAwsEnv } from "../../support/local-stack";

// A short chaos run (bench/chaos.ts) in CI: about 100 orders through the whole local pipeline while Acelérala
// answers 5xx, times out after committing and rate-limits, DynamoDB calls fail (before and after committing),
// worker environments are killed mid-batch and webhooks arrive twice and out of order; then the DLQ is replayed.
// The invariant: every order that should have a receipt has exactly one.

describe("chaos: the pipeline under faults", () => {
  it("issues exactly one receipt per order at fault rate 0.2, with every kind of fault injected", async () => {
    const report = await runChaos({
      orders: 100,
      faultRate: 0.2,
      seed: 11,
      emulators: localAwsEnv(),
      namePrefix: `chaos-${process.pid}`,
      settleTimeoutMs: 40_000,
    });
    const summary = formatChaosReport(report);
    // The faults really happened (otherwise this test would prove nothing).
    expect(report.injected.aceleralaFaults.error_before_commit, summary).toBeGreaterThan(0);
    expect(report.injected.aceleralaFaults.timeout_after_commit, summary).toBeGreaterThan(0);
    expect(report.injected.aceleralaFaults.rate_limit, summary).toBeGreaterThan(0);
    expect(report.injected.dynamoFaults, summary).toBeGreaterThan(0);
    expect(report.injected.duplicateWebhooks + report.injected.redeliveredEvents, summary).toBeGreaterThan(0);
    expect(report.injected.reorderedOrders, summary).toBeGreaterThan(0);
    // And the invariant held.
    expect(report.duplicates, summary).toEqual([]);
    expect(report.missing, summary).toEqual([]);
    expect(report.unrecorded, summary).toEqual([]);
    expect(report.receipts, summary).toBe(report.expectedReceipts);
    expect(report.dlq.leftInDlq, summary).toBe(0);
  }, 120_000);
});

import { describe, expect, it } from "vitest";
import { countOverdueRecords, type OverdueSource, overdueMetrics } from "../../../lib/ops/overdue-records";
import type { OverdueCount } from "../../../lib/store/overdue-query";

// The overdue gauges: which state is asked about with which limit, and what is emitted.

const NOW = new Date("2026-01-21T15:00:00.000Z");
const found = (count: number): OverdueCount => ({ count, capped: false, sample: [] });

describe("countOverdueRecords", () => {
  it("asks for RESERVED untouched 15 min, NEEDS_ATTENTION untouched 1 h, SUBMITTED 72 h 35 min ago, 100 at most", async () => {
    const asked: string[] = [];
    const source: OverdueSource = {
      inStateSince: async (state, before, cap) => {
        asked.push(`${state} before ${before.toISOString()} cap ${cap}`);
        return found(state === "RESERVED" ? 2 : 0);
      },
      submittedBefore: async (before, cap) => {
        asked.push(`SUBMITTED before ${before.toISOString()} cap ${cap}`);
        return found(1);
      },
    };
    const overdue = await countOverdueRecords(source, NOW);
    expect(asked.sort()).toEqual([
      "NEEDS_ATTENTION before 2026-01-21T14:00:00.000Z cap 100",
      "RESERVED before 2026-01-21T14:45:00.000Z cap 100",
      // 72 h (the STALE limit) + 30 min (the longest time between two polls) + 5 min (the run).
      "SUBMITTED before 2026-01-18T14:25:00.000Z cap 100",
    ]);
    expect(overdueMetrics(overdue)).toEqual([
      { name: "OverdueReserved", unit: "Count", value: 2 },
      { name: "OverdueNeedsAttention", unit: "Count", value: 0 },
      { name: "OverdueSubmitted", unit: "Count", value: 1 },
    ]);
  });

  it("fails when a count fails, rather than emitting a gauge of zero that would clear its alarm", async () => {
    const source: OverdueSource = {
      inStateSince: async () => found(0),
      submittedBefore: async () => {
        throw new Error("ResourceNotFoundException: index pending-cdr");
      },
    };
    await expect(countOverdueRecords(source, NOW)).rejects.toThrow(/pending-cdr/);
  });
});

import { describe, expect, it } from "vitest";
import { retryDelaySeconds, retryPlan } from "../../../lib/worker/retry";

describe("retry back-off", () => {
  it("doubles from the base per receive, honours what the API asked for, and never waits over 15 minutes", () => {
    expect([1, 2, 3, 4].map((receives) => retryDelaySeconds(receives, 10))).toEqual([10, 20, 40, 80]);
    expect(retryDelaySeconds(1, 10, 2.2)).toBe(3);
    expect(retryDelaySeconds(2, 10, 0)).toBe(0);
    expect(retryDelaySeconds(20, 10)).toBe(900);
    expect(retryDelaySeconds(1, 10, 3_600)).toBe(900);
  });

  it("lets the fifth receive go to the dead-letter queue instead of setting a delay", () => {
    expect(retryPlan(4, 10)).toEqual({ kind: "retry", delaySeconds: 80 });
    expect(retryPlan(5, 10)).toEqual({ kind: "dead_letter" });
    expect(retryPlan(5, 10, 30)).toEqual({ kind: "dead_letter" });
  });
});

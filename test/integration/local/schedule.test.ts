import type { ScheduledEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import {
  type InvocationOutcome,
  type LambdaFunction,
  startLambdaFunction,
} from "../../../infra/local/runner/lambda-function";
import { type Schedule, startSchedule } from "../../../infra/local/runner/schedule";

const started: Array<{ schedule: Schedule; fn: LambdaFunction }> = [];
afterEach(async () => {
  for (const { schedule, fn } of started.splice(0)) {
    await schedule.stop();
    await fn.stop();
  }
});

interface TickResult {
  event: ScheduledEvent;
  startedAt: number;
  endedAt: number;
}

function startTicking(tickMs: number, intervalSeconds: number, runImmediately: boolean) {
  const outcomes: InvocationOutcome[] = [];
  const fn = startLambdaFunction({
    name: "cdr-poller",
    handler: "test/integration/local/handlers/scheduled.ts#tick",
    env: { TICK_MS: String(tickMs) },
    timeoutSeconds: 10,
    output: () => {},
  });
  const schedule = startSchedule({
    function: fn,
    intervalSeconds,
    runImmediately,
    onInvocation: (o) => outcomes.push(o),
  });
  started.push({ schedule, fn });
  return { outcomes, schedule };
}

function results(outcomes: InvocationOutcome[]): TickResult[] {
  return outcomes.map((outcome) => {
    if (!outcome.ok) throw new Error(outcome.error.message);
    return outcome.result as TickResult;
  });
}

describe("the local schedule", () => {
  it("invokes with an EventBridge scheduled event", async () => {
    const { outcomes } = startTicking(10, 0.3, false);
    await expect.poll(() => outcomes.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const [first] = results(outcomes);
    expect(first?.event).toEqual({
      version: "0",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:000000000000:rule/cdr-poller-schedule"],
      detail: {},
    });
  });

  it("never overlaps itself when an invocation outlasts the period", async () => {
    const { outcomes, schedule } = startTicking(500, 0.1, true);
    await expect.poll(() => outcomes.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await schedule.stop();
    const ticks = results(outcomes);
    for (let index = 1; index < ticks.length; index++) {
      expect(ticks[index]?.startedAt).toBeGreaterThanOrEqual(
        ticks[index - 1]?.endedAt ?? Number.POSITIVE_INFINITY,
      );
    }
    expect(schedule.skippedTicks).toBeGreaterThan(0);
    expect(new Set(ticks.map((tick) => tick.event.id)).size).toBe(ticks.length);
  });
});

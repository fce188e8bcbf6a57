import { randomUUID } from "node:crypto";
import type { ScheduledEvent } from "aws-lambda";
import { LOCAL_AWS_REGION, type LocalLog } from "../aws-local-constants";
import type { InvocationOutcome, LambdaFunction } from "./lambda-function";

export interface ScheduleOptions {
  function: LambdaFunction;
  /** Period between invocations (LOCAL_CDR_POLL_SECONDS); fractions allowed for tests. */
  intervalSeconds: number;
  /** Rule name used in the event's `resources` ARN. Default `<function name>-schedule`. */
  ruleName?: string;
  region?: string;
  /** Invoke once right away instead of waiting a full period first (EventBridge waits). Default false. */
  runImmediately?: boolean;
  log?: LocalLog;
  onInvocation?: (outcome: InvocationOutcome) => void;
}

export interface Schedule {
  /** Ticks skipped because the previous invocation was still running. */
  readonly skippedTicks: number;
  /** Stops the timer and waits for a running invocation to finish. */
  stop(): Promise<void>;
}

/**
 * Invokes a function with an EventBridge "Scheduled Event" every `intervalSeconds`, never overlapping itself:
 * a tick that comes while the previous invocation still runs is skipped (unlike EventBridge, which would run
 * both, so the local poller never races itself).
 */
export function startSchedule(options: ScheduleOptions): Schedule {
  if (!(options.intervalSeconds > 0))
    throw new Error(`intervalSeconds must be > 0, got ${options.intervalSeconds}`);
  const region = options.region ?? LOCAL_AWS_REGION;
  const ruleArn = `arn:aws:events:${region}:000000000000:rule/${options.ruleName ?? `${options.function.name}-schedule`}`;
  let running: Promise<void> | undefined;
  let skippedTicks = 0;
  let stopped = false;

  const tick = () => {
    if (stopped) return;
    if (running) {
      skippedTicks++;
      return;
    }
    const event: ScheduledEvent = {
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      region,
      resources: [ruleArn],
      detail: {},
    };
    running = options.function.invoke(event).then((outcome) => {
      running = undefined;
      if (!outcome.ok) options.log?.(`${options.function.name} (scheduled) failed: ${outcome.error.message}`);
      options.onInvocation?.(outcome);
    });
  };

  const timer = setInterval(tick, options.intervalSeconds * 1000);
  if (options.runImmediately) tick();
  return {
    get skippedTicks() {
      return skippedTicks;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

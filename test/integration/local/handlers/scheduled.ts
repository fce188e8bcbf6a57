// Trivial scheduled handler: takes longer than the test's period, so overlapping would be visible.
import type { ScheduledEvent } from "aws-lambda";

export async function tick(
  event: ScheduledEvent,
): Promise<{ event: ScheduledEvent; startedAt: number; endedAt: number }> {
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.TICK_MS ?? 300)));
  return { event, startedAt, endedAt: Date.now() };
}

import { ORDER_EVENTS_QUEUE } from "../queue/queue-definition";

/**
 * When a message that failed transiently comes back. SQS's own ceiling on a message's visibility is 12 h; we
 * never wait more than 15 min between tries.
 */
export const MAX_RETRY_DELAY_SECONDS = 15 * 60;

/** Seconds before a failed message is tried again: what the API asked for, else exponential back-off. */
export function retryDelaySeconds(receiveCount: number, baseSeconds: number, requested?: number): number {
  const delay = requested ?? baseSeconds * 2 ** Math.max(0, receiveCount - 1);
  return Math.min(Math.ceil(delay), MAX_RETRY_DELAY_SECONDS);
}

export type RetryPlan =
  /** The message comes back after `delaySeconds` (its visibility is changed to that). */
  | { kind: "retry"; delaySeconds: number }
  /** This was its last receive: SQS moves it to the dead-letter queue. */
  | { kind: "dead_letter" };

/** What becomes of a message that failed on its `receives`-th receive. */
export function retryPlan(receives: number, baseSeconds: number, requested?: number): RetryPlan {
  if (receives >= ORDER_EVENTS_QUEUE.maxReceiveCount) return { kind: "dead_letter" };
  return { kind: "retry", delaySeconds: retryDelaySeconds(receives, baseSeconds, requested) };
}

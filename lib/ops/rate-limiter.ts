/**
 * At most `perSecond` acquisitions per second, evenly spaced (1/perSecond seconds apart), so N messages take
 * at least (N − 1) / perSecond seconds. Clock and sleep are injectable for tests.
 */
export interface RateLimiter {
  /** Resolves when the next message may go. */
  acquire(): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function createRateLimiter(perSecond: number | undefined, clock: Clock = systemClock): RateLimiter {
  if (perSecond === undefined) return { acquire: async () => {} };
  if (!(perSecond > 0)) throw new RangeError(`rate must be more than 0 per second; got ${perSecond}`);
  const spacingMs = 1000 / perSecond;
  let nextAt: number | undefined;
  return {
    async acquire() {
      const now = clock.now();
      if (nextAt !== undefined && now < nextAt) await clock.sleep(nextAt - now);
      nextAt = Math.max(now, nextAt ?? now) + spacingMs;
    },
  };
}

import { describe, expect, it } from "vitest";
import { type Clock, createRateLimiter } from "../../../lib/ops/rate-limiter";

function fakeClock(): Clock & { sleeps: number[]; time: number } {
  const clock = {
    time: 1_000,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

describe("createRateLimiter", () => {
  it("spaces acquisitions 1/rate seconds apart: N take (N − 1)/rate seconds", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(4, clock);
    for (let i = 0; i < 5; i++) await limiter.acquire();
    expect(clock.sleeps).toEqual([250, 250, 250, 250]);
    expect(clock.time - 1_000).toBe(1_000);
  });
  it("does not wait when the work itself is slower than the rate", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(2, clock);
    await limiter.acquire();
    clock.time += 800;
    await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
    clock.time += 100;
    await limiter.acquire();
    expect(clock.sleeps).toEqual([400]);
  });
  it("is a no-op without a rate, and refuses a rate of 0", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(undefined, clock);
    for (let i = 0; i < 3; i++) await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
    expect(() => createRateLimiter(0, clock)).toThrow(RangeError);
  });
});

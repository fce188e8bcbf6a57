/**
 * Seeded pseudo-random numbers (mulberry32) so that faults, SUNAT outcomes, webhook drops and the order
 * factory are reproducible: the same seed and the same sequence of calls give the same results.
 * Not for secrets (tokens use node:crypto).
 */
export type Random = () => number;

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent stream per concern, so one concern's draws do not shift another's. */
export function deriveRandom(seed: number, stream: string): Random {
  let hash = seed >>> 0;
  for (const char of stream) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return createRandom(hash);
}

export function randomInt(random: Random, min: number, maxInclusive: number): number {
  return min + Math.floor(random() * (maxInclusive - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

export function chance(random: Random, probability: number): boolean {
  return probability > 0 && random() < probability;
}

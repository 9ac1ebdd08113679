// Every random choice of a run comes from one seed. Independent streams (network, faults,
// clients, each peer's engine per incarnation) are derived from it, so adding a draw in one
// stream does not reshuffle the others.
import { seededRandom, type Random } from '@meshraft/core';

/** Mixes a seed with stream labels into a new 32-bit seed (splitmix-style avalanche). */
export function deriveSeed(seed: number, ...labels: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const label of [...labels, labels.length]) {
    h = Math.imul(h ^ (label >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

export const Stream = { network: 1, faults: 2, clients: 3, engine: 4, scenario: 5, storage: 6, churn: 7, tabs: 8, directory: 9, liveness: 10, workers: 11, workerTimers: 12 } as const;

export function streamRandom(seed: number, ...labels: number[]): Random {
  return seededRandom(deriveSeed(seed, ...labels));
}

/** Helpers over a Random. */
export class Dice {
  constructor(readonly random: Random) {}
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  chance(p: number): boolean {
    return p > 0 && this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K | null {
    let total = 0;
    for (const w of Object.values<number | undefined>(weights)) total += w ?? 0;
    if (total <= 0) return null;
    let r = this.random() * total;
    for (const [key, w] of Object.entries<number | undefined>(weights)) {
      r -= w ?? 0;
      if (r < 0) return key as K;
    }
    return null;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

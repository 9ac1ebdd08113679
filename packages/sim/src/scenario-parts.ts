// The building blocks the scenarios' plans share: the sim's engine config, peer sets, link
// qualities, clients and fault schedules. Each scenario draws from its run's dice in its own order.
import { resolveConfig, type RaftConfig } from '@meshraft/core';
import type { ClientPlan } from './clients';
import type { FaultPlan } from './faults';
import type { LinkQuality } from './network';
import type { PeerSpec, ScenarioOptions, ScenarioPlan } from './scenarios';
import type { Dice } from './seeds';

export function simConfig(dice: Dice, overrides: Partial<RaftConfig> = {}): RaftConfig {
  return resolveConfig({
    electionTimeoutMs: 150,
    electionJitterMs: 150,
    heartbeatMs: 30,
    bootstrapDelayMs: 50,
    forwardTimeoutMs: 600,
    // The defaults assume ~1 s election timeouts; keep the same ratio (2x) at the sim's speed, so a
    // lost catch-up request is re-sent after a few heartbeats rather than after 13 election timeouts.
    catchUpRequestTimeoutMs: 300,
    maxInflightAppends: dice.int(1, 8),
    maxBatchEntries: dice.pick([1, 4, 64]),
    ...overrides,
  });
}

/** Peer ids p1..pN; optionally one observer and one reluctant peer (voters stay >= 3). */
export function peerSpecs(dice: Dice, n: number, allowSpecial: boolean): PeerSpec[] {
  const specs: PeerSpec[] = [];
  for (let i = 1; i <= n; i++) specs.push({ id: `p${i}`, preference: 'normal' });
  if (allowSpecial && n >= 4 && dice.chance(0.3)) specs[n - 1].preference = 'observer';
  if (allowSpecial && dice.chance(0.3)) specs[0].preference = { reluctant: dice.int(2, 4) };
  return specs;
}

export function peerCount(dice: Dice, options: ScenarioOptions, choices: number[]): number {
  const n = options.peers ?? dice.pick(choices);
  if (!Number.isInteger(n) || n < 3 || n > 7) throw new RangeError(`peers must be 3..7, got ${n}`);
  return n;
}

export const flakyLinks: LinkQuality = { minDelayMs: 1, maxDelayMs: 10, lossRate: 0.005, duplicateRate: 0.005, reorderRate: 0.02, reorderSpikeMs: 40 };
const badLinks: LinkQuality = { minDelayMs: 1, maxDelayMs: 30, lossRate: 0.2, duplicateRate: 0.1, reorderRate: 0.3, reorderSpikeMs: 100 };

export function clients(dice: Dice, healAt: number, overrides: Partial<ClientPlan> = {}): ClientPlan {
  return {
    count: dice.int(3, 5),
    opsPerClient: 14,
    keys: ['a', 'b', 'c'],
    mix: { put: 0.35, get: 0.4, cas: 0.25 },
    stopAt: healAt,
    opTimeoutMs: 1500,
    attemptTimeoutMs: 400,
    thinkMs: [0, 60],
    ...overrides,
  };
}

/** The run settings most scenarios share (flaky links, 0.2-2 ms fsyncs, a 10 ms tick); each states what differs. */
export function runPlan(plan: Omit<ScenarioPlan, 'links' | 'fsyncMs' | 'tickMs'> & Partial<Pick<ScenarioPlan, 'links' | 'fsyncMs' | 'tickMs'>>): ScenarioPlan {
  return { links: flakyLinks, fsyncMs: [0.2, 2], tickMs: 10, ...plan };
}

/**
 * A fault schedule from `startAt` (300 ms unless given) until `healAt`, with degraded links as bad
 * as `badLinks`: what every scenario's schedule shares; each states its own mix and timings.
 */
export function faultSchedule(healAt: number, mix: Omit<FaultPlan, 'healAt' | 'degraded' | 'startAt'> & { startAt?: number }): FaultPlan {
  return { startAt: 300, healAt, degraded: badLinks, ...mix };
}

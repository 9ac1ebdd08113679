// Scenarios: how a run is shaped (peers, engine config, links, clients, fault schedule). They live
// in a registry so more can be added (e.g. 'churn' with membership changes, 'tabs') without
// touching the simulator. Every choice is drawn from the run's scenario stream.
import type { LeadershipPreference, PeerId, RaftConfig } from '@meshraft/core';
import type { ChurnPlan } from './churn';
import type { DirectoryPlan } from './directory';
import type { TabsPlan } from './tabs-plan';
import type { ClientPlan } from './clients';
import type { FaultPlan } from './faults';
import type { LinkQuality } from './network';
import { clients, faultSchedule, flakyLinks, peerCount, peerSpecs, runPlan, simConfig } from './scenario-parts';
import type { Dice } from './seeds';
import { tabScenarios } from './tab-scenarios';

export interface ScenarioOptions {
  /** Force the number of peers (3-7); otherwise the scenario picks. */
  peers?: number;
}

export interface PeerSpec {
  id: PeerId;
  preference: LeadershipPreference;
}

export interface ScenarioPlan {
  peers: PeerSpec[];
  config: RaftConfig;
  links: LinkQuality;
  fsyncMs: [number, number];
  tickMs: number;
  clients: ClientPlan;
  faults: FaultPlan;
  /** After the faults heal, a leader must be elected and all peers converge within this much virtual time. */
  livenessBoundMs: number;
  /**
   * How the group's first configuration comes about. 'all' (default): every initial peer starts
   * from one bootstrap configuration. 'first': only the first peer bootstraps {voters: [first]};
   * the others start empty and join it through the log (automatic membership).
   */
  bootstrap?: 'all' | 'first';
  /** Membership churn: peers joining, leaving and dying mid-run. */
  churn?: ChurnPlan;
  /** Tab life: peers are tabs that open, close, reload, crash and reopen (replaces `peers`). */
  tabs?: TabsPlan & { directory: DirectoryPlan };
}

export interface Scenario {
  name: string;
  description: string;
  plan(dice: Dice, options: ScenarioOptions): ScenarioPlan;
}

const registry = new Map<string, Scenario>();

export function registerScenario(scenario: Scenario): void {
  if (registry.has(scenario.name)) throw new RangeError(`scenario '${scenario.name}' is already registered`);
  registry.set(scenario.name, scenario);
}

export function getScenario(name: string): Scenario | undefined {
  return registry.get(name);
}

export function scenarioNames(): string[] {
  return [...registry.keys()];
}

// ---------- the scenarios ----------

/**
 * A scenario of faults only: a fixed group of peers, clients until the faults heal, then
 * convergence. What each one varies, in the order its plan draws from the dice (heal time, peer
 * count and preferences, engine config, clients).
 */
interface FaultScenario {
  name: string;
  description: string;
  healAt: [number, number];
  peerChoices: number[];
  /** One observer and one reluctant peer may be drawn. */
  specialPeers: boolean;
  config?: Partial<RaftConfig>;
  run?: Partial<Pick<ScenarioPlan, 'links' | 'fsyncMs' | 'tickMs'>>;
  clients?: Partial<ClientPlan>;
  faults: Omit<FaultPlan, 'healAt' | 'degraded' | 'startAt'> & { startAt?: number };
  livenessBoundMs: number;
}

function registerFaultScenario(scenario: FaultScenario): void {
  registerScenario({
    name: scenario.name,
    description: scenario.description,
    plan(dice, options) {
      const healAt = dice.int(...scenario.healAt);
      return runPlan({
        peers: peerSpecs(dice, peerCount(dice, options, scenario.peerChoices), scenario.specialPeers),
        config: simConfig(dice, scenario.config),
        ...scenario.run,
        clients: clients(dice, healAt, scenario.clients),
        faults: faultSchedule(healAt, scenario.faults),
        livenessBoundMs: scenario.livenessBoundMs,
      });
    },
  });
}

registerFaultScenario({
  name: 'basic',
  description: 'a mix of every fault: partitions, one-way cuts, crashes, pauses, a sleeping leader, bad links',
  healAt: [2000, 3500], peerChoices: [3, 3, 4, 5, 5, 6, 7], specialPeers: true,
  run: { fsyncMs: [0.2, 3] },
  faults: {
    weights: { partition: 3, 'one-way': 2, 'isolate-leader': 2, crash: 2, 'crash-leader': 2, pause: 1, 'sleep-leader': 1, degrade: 2 },
    gapMs: [100, 450], durationMs: [100, 800], downtimeMs: [30, 600],
    triggers: { isolateNewLeader: 0.05, crashNewLeader: 0.05, crashAfterVote: 0.05, crashAfterEarlyVote: 0.05, delayMs: [0, 30] },
  },
  livenessBoundMs: 5000,
});

registerFaultScenario({
  name: 'sleepy-leader',
  description: 'leaders fall asleep cut off from the others while clients keep reading from them (stale reads)',
  healAt: [2500, 3500], peerChoices: [3, 5], specialPeers: false,
  clients: { mix: { put: 0.4, get: 0.5, cas: 0.1 }, keys: ['a', 'b'], preferLeaderRate: 0.5, thinkMs: [0, 30] },
  faults: { gapMs: [300, 700], weights: { 'sleep-leader': 6, partition: 1, crash: 1 }, durationMs: [300, 800], downtimeMs: [50, 300] },
  livenessBoundMs: 5000,
});

registerFaultScenario({
  name: 'vote-crash',
  description: 'split elections with voters that crash and restart right after granting a vote, and candidates right after asking for votes',
  healAt: [2500, 3500], peerChoices: [3, 3, 5], specialPeers: false,
  // A narrow jitter makes simultaneous candidates (and so two requests per voter) common.
  config: { electionJitterMs: 15 },
  run: { links: { ...flakyLinks, minDelayMs: 2, maxDelayMs: 20 }, tickMs: 5 },
  clients: { count: 3 },
  faults: { gapMs: [150, 400], weights: { 'crash-leader': 4, 'isolate-leader': 2, partition: 1 }, durationMs: [100, 500], downtimeMs: [100, 500], triggers: { crashAfterVote: 0.6, crashAfterEarlyVote: 0.3 } },
  livenessBoundMs: 5000,
});

registerFaultScenario({
  name: 'leader-churn',
  description: 'Figure-8 style churn: new leaders are cut off or crash right after election, one entry per append',
  healAt: [3000, 4000], peerChoices: [3, 5, 5], specialPeers: false,
  config: { maxBatchEntries: 1 },
  run: { links: { ...flakyLinks, lossRate: 0.05, reorderRate: 0.1 } },
  clients: { count: 4, mix: { put: 0.6, get: 0.2, cas: 0.2 }, thinkMs: [0, 20] },
  faults: {
    weights: { 'crash-leader': 3, 'isolate-leader': 3, partition: 2, crash: 1, degrade: 1 },
    startAt: 200, gapMs: [150, 400], durationMs: [80, 500], downtimeMs: [50, 400],
    triggers: { isolateNewLeader: 0.35, crashNewLeader: 0.2, isolateAfterCommit: 0.3, delayMs: [0, 25] },
  },
  livenessBoundMs: 6000,
});

registerScenario({
  name: 'churn',
  description: 'membership churn (joins, graceful leaves, crashes, auto-removal) with frequent compaction and snapshot installs, under the faults of basic',
  plan(dice, options) {
    const healAt = dice.int(3500, 5000);
    const initial = peerCount(dice, options, [3, 3, 4]);
    const peers = peerSpecs(dice, initial, true);
    // Peers joining mid-run: empty logs, no bootstrap; they are added as learners and promoted.
    const joins: ChurnPlan['joins'] = [];
    const joiners = dice.int(1, 3);
    for (let i = 1; i <= joiners; i++) {
      const preference: LeadershipPreference = dice.chance(0.15) ? 'observer' : 'normal';
      joins.push({ at: dice.int(300, healAt - 500), id: `p${initial + i}`, preference });
    }
    const times = (n: number, from: number, to: number) => Array.from({ length: n }, () => dice.int(from, to));
    return runPlan({
      peers,
      bootstrap: 'first',
      config: simConfig(dice, {
        // Small thresholds so that snapshots, compaction and catch-up (entries and snapshot
        // chunks from several peers) happen many times per run.
        compactAfterEntries: dice.pick([30, 40, 60]),
        catchUpThreshold: dice.pick([8, 16, 32]),
        catchUpBatchSize: dice.pick([4, 16, 64]),
        snapshotChunkBytes: dice.pick([256, 1024, 65536]),
        autoRemoveAfterMs: dice.int(1200, 2000),
        maxVoters: dice.pick([3, 5, 5]),
      }),
      fsyncMs: [0.2, 3],
      clients: clients(dice, healAt, { count: dice.int(4, 6), opsPerClient: 60, thinkMs: [0, 30] }),
      faults: faultSchedule(healAt, {
        gapMs: [150, 500],
        weights: { partition: 3, 'one-way': 2, 'isolate-leader': 2, crash: 3, 'crash-leader': 2, pause: 1, 'sleep-leader': 1, degrade: 2 },
        durationMs: [100, 800],
        downtimeMs: [30, 900],
        triggers: { isolateNewLeader: 0.05, crashNewLeader: 0.05, crashAfterVote: 0.05, crashAfterEarlyVote: 0.05, delayMs: [0, 30] },
        reconnectOnHeal: true,
      }),
      churn: {
        joins,
        leaves: times(dice.int(1, 2), 600, healAt - 800),
        kills: times(dice.chance(0.7) ? 1 : 0, 500, healAt - 1000),
        leaveTimeoutMs: 2000,
        until: healAt - 300,
      },
      livenessBoundMs: 8000,
    });
  },
});

for (const scenario of tabScenarios) registerScenario(scenario);

// Scenarios: how a run is shaped (peers, engine config, links, clients, fault schedule). They live
// in a registry so more can be added (e.g. 'churn' with membership changes, 'tabs') without
// touching the simulator. Every choice is drawn from the run's scenario stream.
import { resolveConfig, type LeadershipPreference, type PeerId, type RaftConfig } from '@meshraft/core';
import type { ChurnPlan } from './churn';
import type { DirectoryPlan } from './directory';
import type { GracefulAction, RoughAction, TabsPlan } from './tabs-plan';
import type { ClientPlan } from './clients';
import type { FaultPlan } from './faults';
import type { LinkQuality } from './network';
import type { Dice } from './seeds';

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

// ---------- building blocks ----------

function simConfig(dice: Dice, overrides: Partial<RaftConfig> = {}): RaftConfig {
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
function peerSpecs(dice: Dice, n: number, allowSpecial: boolean): PeerSpec[] {
  const specs: PeerSpec[] = [];
  for (let i = 1; i <= n; i++) specs.push({ id: `p${i}`, preference: 'normal' });
  if (allowSpecial && n >= 4 && dice.chance(0.3)) specs[n - 1].preference = 'observer';
  if (allowSpecial && dice.chance(0.3)) specs[0].preference = { reluctant: dice.int(2, 4) };
  return specs;
}

function peerCount(dice: Dice, options: ScenarioOptions, choices: number[]): number {
  const n = options.peers ?? dice.pick(choices);
  if (!Number.isInteger(n) || n < 3 || n > 7) throw new RangeError(`peers must be 3..7, got ${n}`);
  return n;
}

const flakyLinks: LinkQuality = { minDelayMs: 1, maxDelayMs: 10, lossRate: 0.005, duplicateRate: 0.005, reorderRate: 0.02, reorderSpikeMs: 40 };
const badLinks: LinkQuality = { minDelayMs: 1, maxDelayMs: 30, lossRate: 0.2, duplicateRate: 0.1, reorderRate: 0.3, reorderSpikeMs: 100 };

function clients(dice: Dice, healAt: number, overrides: Partial<ClientPlan> = {}): ClientPlan {
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
function runPlan(plan: Omit<ScenarioPlan, 'links' | 'fsyncMs' | 'tickMs'> & Partial<Pick<ScenarioPlan, 'links' | 'fsyncMs' | 'tickMs'>>): ScenarioPlan {
  return { links: flakyLinks, fsyncMs: [0.2, 2], tickMs: 10, ...plan };
}

/**
 * A fault schedule from `startAt` (300 ms unless given) until `healAt`, with degraded links as bad
 * as `badLinks`: what every scenario's schedule shares; each states its own mix and timings.
 */
function faultSchedule(healAt: number, mix: Omit<FaultPlan, 'healAt' | 'degraded' | 'startAt'> & { startAt?: number }): FaultPlan {
  return { startAt: 300, healAt, degraded: badLinks, ...mix };
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

registerScenario({
  name: 'tabs',
  description:
    'browser tab life: tabs open, close (one at a time, the leader, a majority at once), reload, crash and reopen, the signaling server restarts, and finally every tab closes and the app is reopened from local data',
  plan: (dice) => tabsPlan(dice, false),
});

registerScenario({
  name: 'tabs-reload',
  description:
    "tabs, with reloads among the crashes and reopens of the rough phase: a tab reloads while a crashed voter's identity waits to be adopted, and its reload may adopt it",
  plan: (dice) => tabsPlan(dice, true),
});

registerScenario({
  name: 'tabs-chaos',
  description:
    'tabs of one profile closed, reloaded, crashed and opened at random (leaders among them), one action every half to one and a half election timeouts, down to a single tab, as the packed-app chaos check does; then every crashed identity is adopted and the group must converge',
  plan: (dice) => tabsChaosPlan(dice, 1),
});

registerScenario({
  name: 'tabs-chaos-two',
  description:
    "tabs-chaos with the tabs spread over two profiles (two devices) and signaling restarts, as the packed-app check's (h) runs it; a hunting scenario (a profile whose tabs may continue the group only once the profile designated to re-found it opens one waits for it, a documented limit)",
  plan: (dice) => tabsChaosPlan(dice, 2),
});

registerScenario({
  name: 'tabs-chaos-three',
  description:
    'tabs-chaos-two over three profiles (three devices): which one re-founds a group whose voters departed on several devices is read from their notices, for any number of devices; a hunting scenario like tabs-chaos-two',
  plan: (dice) => tabsChaosPlan(dice, 3),
});

/**
 * The engine configuration of every tabs scenario. Batches of 64 or 512 entries (the default):
 * the promises checked here are about the default configuration, and a new tab that needs seconds
 * to copy a few hundred entries one by one is a replication test (the other scenarios send one
 * entry per append often enough).
 */
function tabsEngineConfig(dice: Dice): RaftConfig {
  return simConfig(dice, { compactAfterEntries: dice.pick([60, 200]), autoRemoveAfterMs: dice.int(1500, 2500), maxVoters: dice.pick([3, 5, 5]), maxBatchEntries: dice.pick([64, 512]) });
}

/**
 * The product's promises in election timeouts (the default is 1 s): writes within 2 s of a close
 * or reload, within 3 s of a majority closing at once; a reloaded or reopened tab online within
 * 2 s. Here 1 s is the sim's 150 ms timeout (it runs about 6.7x faster).
 */
function tabsBounds(config: RaftConfig): TabsPlan['bounds'] {
  const timeout = config.electionTimeoutMs;
  return { singleMs: 2 * timeout, multiMs: 3 * timeout, onlineMs: 2 * timeout };
}

/** The 'tabs-chaos' plans: the packed-app check's chaos (consumer/lib/chaos.mjs), at the simulator's speed; 2 `profiles` as its (h). */
function tabsChaosPlan(dice: Dice, profiles: 1 | 2 | 3): ScenarioPlan {
  const config = tabsEngineConfig(dice);
  const timeout = config.electionTimeoutMs;
  const at: number[] = [];
  let t = 900;
  for (let i = dice.int(30, 90); i > 0; i--) {
    at.push(t);
    t += dice.int(Math.round(timeout / 2), Math.round((3 * timeout) / 2));
  }
  const recoverAt = t + 300;
  const finaleAt = recoverAt + 1200;
  const healAt = finaleAt + 3000;
  return runPlan({
    peers: [],
    config,
    fsyncMs: [0.2, 3],
    // Writers all along the chaos, in every tab (a client picks a running peer per operation).
    clients: clients(dice, healAt - 300, { count: dice.int(3, 5), opsPerClient: 400, thinkMs: [0, 40] }),
    // No link faults: the check runs the tabs of one browser.
    faults: faultSchedule(healAt, { stopAt: 0, gapMs: [150, 500], weights: {}, durationMs: [100, 600], downtimeMs: [30, 300], reconnectOnHeal: true, linkEvents: true }),
    tabs: {
      initialTabs: dice.int(3, 5),
      graceful: [],
      rough: [],
      chaos: { at, minTabs: 1, profiles },
      recoverAt,
      finale: { at: finaleAt, together: dice.chance(0.6), reopen: dice.int(1, 3) },
      bounds: tabsBounds(config),
      maxTabs: 5,
      directory: { restarts: profiles > 1 ? Array.from({ length: dice.int(1, 3) }, () => dice.int(at[0], t)) : [], outageMs: [100, 600], reregisterMaxMs: 300 },
    },
    livenessBoundMs: 6000,
  });
}

/** The tabs scenarios' plan; `roughReloads` adds reloads to the rough phase (without it, the draws are those of 'tabs' alone). */
function tabsPlan(dice: Dice, roughReloads: boolean): ScenarioPlan {
  const config = tabsEngineConfig(dice);
  const electionMax = config.electionTimeoutMs + config.electionJitterMs;
  // Phase 1: graceful actions only, each one checked for availability, at least an election
  // timeout apart (closing tabs "at least a second apart" with the default 1 s timeout).
  const graceful: TabsPlan['graceful'] = [];
  let t = 700;
  const steps = dice.int(8, 14);
  for (let i = 0; i < steps; i++) {
    const action = dice.weighted<GracefulAction>({ open: 4, 'open-away': 1, close: 2, 'close-leader': 2, 'close-many': 1, reload: 2, 'reload-leader': 1 })!;
    graceful.push({ at: t, action });
    t += dice.int(config.electionTimeoutMs, electionMax + 400);
  }
  // Phase 2: crashes, reopens, partitions and signaling restarts; no availability promise.
  const roughStart = t + 300;
  const rough: TabsPlan['rough'] = [];
  const roughEnd = roughStart + dice.int(1500, 2500);
  for (let i = dice.int(2, 5); i > 0; i--) {
    const at = dice.int(roughStart, roughEnd);
    const action: RoughAction = roughReloads ? dice.weighted<RoughAction>({ crash: 2, reopen: 2, reload: 2 })! : dice.chance(0.5) ? 'crash' : 'reopen';
    rough.push({ at, action });
  }
  const restarts = Array.from({ length: dice.int(1, 2) }, () => dice.int(roughStart, roughEnd));
  const recoverAt = roughEnd + 600;
  const finaleAt = recoverAt + 1200;
  const healAt = finaleAt + 3000;
  return runPlan({
    peers: [],
    config,
    fsyncMs: [0.2, 3],
    clients: clients(dice, healAt - 300, { count: dice.int(3, 5), opsPerClient: 80, thinkMs: [0, 40] }),
    faults: faultSchedule(healAt, {
      startAt: roughStart,
      stopAt: roughEnd,
      gapMs: [150, 500],
      weights: { partition: 2, 'one-way': 1, 'isolate-leader': 1, pause: 1, degrade: 2 },
      durationMs: [100, 600],
      downtimeMs: [30, 300],
      reconnectOnHeal: true,
      // A browser's links: a cut is a WebRTC link that died and reconnected (the mesh reports both).
      linkEvents: true,
    }),
    tabs: {
      initialTabs: dice.int(2, 5),
      graceful,
      rough,
      recoverAt,
      finale: { at: finaleAt, together: dice.chance(0.6), reopen: dice.int(1, 3) },
      bounds: tabsBounds(config),
      maxTabs: 7,
      directory: { restarts, outageMs: [100, 600], reregisterMaxMs: 300 },
    },
    livenessBoundMs: 6000,
  });
}

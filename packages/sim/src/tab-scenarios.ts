// The tabs scenarios: peers are browser tabs of one or more profiles that open, close, reload,
// crash and reopen (tabs.ts runs them); scenarios.ts registers them after the fault and churn ones.
import type { RaftConfig } from '@meshraft/core';
import { clients, faultSchedule, runPlan, simConfig } from './scenario-parts';
import type { Scenario, ScenarioPlan } from './scenarios';
import type { Dice } from './seeds';
import type { GracefulAction, RoughAction, TabsPlan } from './tabs-plan';

export const tabScenarios: Scenario[] = [];

tabScenarios.push({
  name: 'tabs',
  description:
    'browser tab life: tabs open, close (one at a time, the leader, a majority at once), reload, crash and reopen, the signaling server restarts, and finally every tab closes and the app is reopened from local data',
  plan: (dice) => tabsPlan(dice, false),
});

tabScenarios.push({
  name: 'tabs-reload',
  description:
    "tabs, with reloads among the crashes and reopens of the rough phase: a tab reloads while a crashed voter's identity waits to be adopted, and its reload may adopt it",
  plan: (dice) => tabsPlan(dice, true),
});

tabScenarios.push({
  name: 'tabs-chaos',
  description:
    'tabs of one profile closed, reloaded, crashed and opened at random (leaders among them), one action every half to one and a half election timeouts, down to a single tab, as the packed-app chaos check does; then every crashed identity is adopted and the group must converge',
  plan: (dice) => tabsChaosPlan(dice, 1),
});

tabScenarios.push({
  name: 'tabs-chaos-two',
  description:
    "tabs-chaos with the tabs spread over two profiles (two devices) and signaling restarts, as the packed-app check's (h) runs it; a hunting scenario (a profile whose tabs may continue the group only once the profile designated to re-found it opens one waits for it, a documented limit)",
  plan: (dice) => tabsChaosPlan(dice, 2),
});

tabScenarios.push({
  name: 'tabs-chaos-three',
  description:
    'tabs-chaos-two over three profiles (three devices): which one re-founds a group whose voters departed on several devices is read from their notices, for any number of devices; a hunting scenario like tabs-chaos-two',
  plan: (dice) => tabsChaosPlan(dice, 3),
});

tabScenarios.push({
  name: 'tabs-chaos-all',
  description:
    'tabs-chaos with the actions that take two tabs or every tab at once among the draws, as the packed-app check (g) draws them: two tabs close together, every tab closes and tabs reopen, every tab crashes and the session is restored, every tab reloads at once',
  plan: (dice) => tabsChaosPlan(dice, 1, true),
});

tabScenarios.push({
  name: 'tabs-chaos-all-two',
  description: 'tabs-chaos-all over two profiles (two devices) with signaling restarts, as tabs-chaos-two',
  plan: (dice) => tabsChaosPlan(dice, 2, true),
});

tabScenarios.push({
  name: 'tabs-slow-disk',
  description:
    "tabs-chaos-all-two with writes as slow as a loaded browser's IndexedDB (1 to 12 ms a batch, where the others take 0.2 to 3): tabs close more often with a batch still being written, which their Worker lands after the page's notice went out (a lone voter's new term, a commit index past the notice)",
  plan: (dice) => tabsChaosPlan(dice, 2, true, [1, 12]),
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

/** The 'tabs-chaos' plans: the packed-app check's chaos (consumer/lib/chaos.mjs), at the simulator's speed; 2 `profiles` as its (h), `everyTab` as its (g). */
function tabsChaosPlan(dice: Dice, profiles: 1 | 2 | 3, everyTab = false, fsyncMs: [number, number] = [0.2, 3]): ScenarioPlan {
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
    fsyncMs,
    // Writers all along the chaos, in every tab (a client picks a running peer per operation).
    clients: clients(dice, healAt - 300, { count: dice.int(3, 5), opsPerClient: 400, thinkMs: [0, 40] }),
    // No link faults: the check runs the tabs of one browser.
    faults: faultSchedule(healAt, { stopAt: 0, gapMs: [150, 500], weights: {}, durationMs: [100, 600], downtimeMs: [30, 300], reconnectOnHeal: true, linkEvents: true }),
    tabs: {
      initialTabs: dice.int(3, 5),
      graceful: [],
      rough: [],
      chaos: { at, minTabs: 1, profiles, everyTab },
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

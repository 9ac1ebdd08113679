// (g) Chaos on the installed app: Chromium tabs of the Vite build (page query machine=registers),
// a writer in every tab (src/writer.mjs: put, strong get, compare-and-set on three keys), and for
// CHAOS_MS a seeded random schedule of tab closes (graceful: pagehide runs, the tab departs; one tab,
// the leader's, two at once, or every tab, reopened a moment later), reloads (one tab, or every tab
// at once), renderer crashes (no pagehide; any tab or the leader's, or every tab with the session
// restored a moment later; at most one crashed identity not yet adopted by a new tab) and new tabs,
// 3 to 5 tabs open. Then:
//   (1) the history of every tab's operations is linearizable (the e2e suite's History and the
//       simulator's checker, packages/sim/src/lin-checker.ts);
//   (2) no acknowledged write is lost: every write that resolved is in the final state of every
//       open tab, none is applied twice, and none that failed with OfflineError or ClosedError
//       (both say "not executed"; one that may have committed fails with TimeoutError) is there;
//   (3) the group comes back: one leader, every open tab online and at the same applied index with
//       the same state (waited for, not timed), once a tab was reopened on a crashed identity still
//       unadopted when the chaos ended (a user reopens a crashed tab; Raft waits for it when the
//       voters left are not a majority without it);
//   (4) it was not vacuous: enough actions and acknowledged operations, every last writer issued some.
// The seed is printed; CONSUMER_CHAOS_SEED replays its schedule of actions (the writers' choice of
// operations and all timing stay free).
import { tsImport } from 'tsx/esm/api';
import { assert, waitFor } from './checks.mjs';
import { describeDivergence } from './divergence.mjs';
import { brief, openInOrder, waitForGroup } from './group.mjs';
import { appStarted } from './peers.mjs';

/** How long the schedule runs (CONSUMER_CHAOS_MS overrides it for a longer or shorter hunt). */
const CHAOS_MS = envNumbers('CONSUMER_CHAOS_MS', [45_000])[0];
/**
 * The fewest open tabs a close or crash may leave, and the tabs at the start (the most the
 * schedule keeps open); CONSUMER_CHAOS_TABS="min,max" overrides them (min 1 lets the group shrink
 * to a single tab).
 */
const [MIN_TABS, MAX_TABS] = envNumbers('CONSUMER_CHAOS_TABS', [3, 5]);
/** Pause between one action's start and the next one's, drawn in [min, max) ms (CONSUMER_CHAOS_GAP_MS="min,max"). */
const GAP_MS = envNumbers('CONSUMER_CHAOS_GAP_MS', [1500, 3500]);
const WRITER = { keys: ['a', 'b', 'c'], pauseMs: 100 };
/** Floors that make the run count (a slow machine still passes them by far). */
const FLOORS = { actions: 8, completedOps: 150, acknowledgedWrites: 50 };

/** `fallback`, or the comma-separated non-negative integers of env[name] (as many, in order, min <= max). */
function envNumbers(name, fallback) {
  const given = process.env[name];
  if (given === undefined || given === '') return fallback;
  const values = given.split(',').map(Number);
  const valid = values.length === fallback.length && values.every((n) => Number.isSafeInteger(n) && n >= 0) && values.every((n, i) => i === 0 || n >= values[i - 1]);
  assert(valid, `${name}=${given}: expected ${fallback.length} non-negative integer(s), ascending, like ${fallback.join(',')}`);
  return values;
}

/** Actions that leave no tab of the group running: the group is down until a reopened tab serves. */
const EVERY_TAB_GONE = new Set(['close-all', 'crash-all', 'reload-all']);

/**
 * The most down time one such action excuses. A reopen that takes longer (the slowest seen on a
 * busy machine took about 21 s) is a stall the floors must still catch, not a reason to lower them.
 */
const MAX_EXCUSED_DOWN_MS = 30_000;

/**
 * The share of [start, end] the group was up: outside the windows from each action that left no
 * tab running until the first acknowledged write issued after it (until `end` if none was), each
 * window at most MAX_EXCUSED_DOWN_MS long.
 */
export function shareUp(schedule, acknowledged, start, end) {
  const windows = schedule
    .filter(({ action, at }) => EVERY_TAB_GONE.has(action) && at < end)
    .map(({ at }) => {
      const rets = acknowledged.filter((op) => op.call >= at).map((op) => op.ret);
      return [at, Math.min(end, at + MAX_EXCUSED_DOWN_MS, rets.length ? Math.min(...rets) : end)];
    })
    .sort((a, b) => a[0] - b[0]);
  let down = 0;
  let reached = start;
  for (const [from, to] of windows) {
    const begin = Math.max(from, reached);
    if (to > begin) down += to - begin;
    reached = Math.max(reached, to);
  }
  return end > start ? Math.max(0, 1 - down / (end - start)) : 1;
}

/** The seed of this run: CONSUMER_CHAOS_SEED, or a fresh one. */
export function chaosSeed() {
  const given = process.env.CONSUMER_CHAOS_SEED;
  if (given === undefined) return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(given);
  assert(Number.isSafeInteger(seed) && seed >= 0, `CONSUMER_CHAOS_SEED=${given} is not a non-negative integer`);
  return seed;
}

/** Workspace test machinery (TypeScript), loaded through tsx on the runner's side: the app never sees it. */
async function machinery() {
  const [{ History }, { crash, recordFigures }, { seededRandom }, { defaultRaftConfig }] = await Promise.all([
    tsImport('../../e2e/support/history.ts', import.meta.url),
    tsImport('../../e2e/support/lifecycle.ts', import.meta.url),
    tsImport('../../packages/core/src/rng.ts', import.meta.url),
    tsImport('../../packages/core/src/config.ts', import.meta.url),
  ]);
  return { History, crash, recordFigures, seededRandom, defaultRaftConfig };
}

/**
 * Runs `settle`; when it fails, the error also tells what each open tab knew then (its whole status,
 * the mesh links and the frames it sent and dropped, and how its state compares with the
 * acknowledged writes), which is what a group that did not settle has to be diagnosed from: a tab
 * whose state lacks acknowledged writes another tab holds says the group lost writes, not only
 * that it did not settle.
 */
async function withDiagnosis(open, schedule, settle, acknowledgedIds = () => []) {
  try {
    return await settle();
  } catch (error) {
    const acknowledged = acknowledgedIds();
    const tabs = await Promise.all(
      open.map(async (tab) => {
        try {
          const [status, stats, applied, tombstones] = await Promise.all([tab.status(), tab.call('stats'), tab.query('applied', 'weak'), profileTombstones(tab.page)]);
          const { mesh, frames, routes, slotChoice, rejoins, retiredPeerIds, refounded, frozenRestarts, frozenChecks, client } = stats;
          const held = new Set(applied.result);
          const missing = acknowledged.filter((id) => !held.has(id));
          const state = { position: applied.position, values: applied.result.length, acknowledgedMissing: missing.length, firstMissing: missing.slice(0, 10) };
          return { label: tab.label, status, state, client, slotChoice, rejoins, retiredPeerIds, refounded, frozenRestarts, frozenChecks, tombstones, mesh, routes, frames };
        } catch (failure) {
          return { label: tab.label, unavailable: String(failure) };
        }
      }),
    );
    const actions = schedule.map(({ action, at, tabs }) => `${Math.round(at)} ms ${action}${tabs ? ` (${tabs})` : ''}`);
    error.message += `\nthe schedule: ${actions.join(', ')}\nopen tabs then:\n${tabs.map((t) => JSON.stringify(t)).join('\n')}`;
    throw error;
  }
}

/**
 * The departures this tab's browser profile recorded (the runtime's tombstones in localStorage: the
 * notice, when it was written, whether the tab departed from this profile, and what its engine knew
 * had departed before it), by peer id: what the start-up rules of a frozen tab decide from.
 */
function profileTombstones(page) {
  return page.evaluate(() => {
    // Relayed notices first: a tab's own record (meshraft:departed:) wins over a relayed copy, as in the runtime.
    const out = {};
    for (const prefix of ['meshraft:departed-relayed:', 'meshraft:departed:']) {
      for (const key of Object.keys(localStorage)) if (key.startsWith(prefix)) out[key.slice(key.lastIndexOf(':') + 1)] = JSON.parse(localStorage.getItem(key) ?? 'null');
    }
    return out;
  });
}

/** How long the tabs' completed operations took, call to return (ms): count, p50, p90, p99, max. */
function latencySummary(entries) {
  const took = entries.filter((op) => op.ret !== null).map((op) => op.ret - op.call).sort((a, b) => a - b);
  if (took.length === 0) return { n: 0 };
  const at = (q) => Math.round(took[Math.min(took.length - 1, Math.floor(q * took.length))]);
  return { n: took.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(took[took.length - 1]) };
}

/** Values of the preloaded puts start with this (the writers' ids never do). */
const PRELOAD_PREFIX = 'pre:';

/**
 * Appends `entries` puts from `leader`'s tab (window.app.preload of the consumer app), 2,000 per
 * executeMany; returns how many it appended.
 */
async function appendPreload(leader, { entries, pad = 0 }) {
  for (let from = 0; from < entries; from += 2000) {
    const count = Math.min(2000, entries - from);
    await leader.page.evaluate((a) => window.app.preload(a.prefix, a.from, a.count, a.pad), { prefix: PRELOAD_PREFIX, from, count, pad });
  }
  return entries;
}

/** `fn` of every item, all at once or one after the other (each settled before the next starts); the results in order. */
async function atOnceOrInTurn(items, atOnce, fn) {
  if (atOnce) return Promise.all(items.map(fn));
  const results = [];
  for (const item of items) results.push(await fn(item));
  return results;
}

/** page.close with beforeunload handlers run, so pagehide fires and the tab departs; resolves once closed. */
async function closeGracefully(tab) {
  // A Playwright page (Chromium) or a puppeteer one (Firefox): each has its own way to wait for an event.
  const closed = tab.page.waitForEvent ? tab.page.waitForEvent('close') : new Promise((resolve) => tab.page.once('close', resolve));
  await tab.page.close({ runBeforeUnload: true });
  await closed;
}

/**
 * Runs the chaos of `seed` on the page at `url` in `profiles` (browser profiles of
 * lib/peers.mjs: one is the tabs of one browser; with several, the tabs are spread over them and
 * reach each other over WebRTC only, as on several devices). With `signal` (lib/signal.mjs), the
 * schedule also restarts the signaling server. `crashes: false` leaves renderer crashes out of
 * the schedule (the way a test kills a renderer is Chromium's: CDP Page.crash); `floors`
 * replaces FLOORS. `preload: { entries, pad }` first appends that many puts (values `pre:<n>`, each
 * padded with `pad` characters) from the leader's tab in batches of 2,000, while the writers run, so
 * the chaos acts on a long log (with a low compactAfterEntries in `url`, one that compacts and that
 * new tabs catch up on from snapshots). `compacting`: the page compacts (a low compactAfterEntries
 * in `url`), so every tab open at the end must have taken or restored a snapshot. `track(opening)`
 * registers each tab with the scenario (lib/checks, run.mjs). Returns the figures.
 */
export async function runChaos({ profiles, url, seed, track, signal = null, crashes = true, floors = FLOORS, figuresName = 'consumer-chaos', preload = null, compacting = false }) {
  const { History, crash, recordFigures, seededRandom, defaultRaftConfig } = await machinery();
  // The engine's own generator: the same seed gives the same schedule.
  const rand = seededRandom(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  /** Labels of the tabs the running action touched (for the diagnosis; no random draw). */
  let touched = [];
  const history = new History();
  for (const profile of profiles) await history.bind(profile.context);

  let tabsOpened = 0;
  let writersStarted = 0;
  const startWriter = (tab) => tab.call('startWriter', { client: `w${writersStarted++}`, ...WRITER });
  const openTab = async (where) => {
    const tab = await track(profiles[where].open(url, `chaos tab ${tabsOpened++}${profiles.length > 1 ? ` (profile ${where})` : ''}`));
    tab.profileIndex = where;
    touched.push(tab.label);
    return tab;
  };

  let open = await openInOrder(Array.from({ length: MAX_TABS }, (_, i) => () => openTab(i % profiles.length)));
  // The app keeps the default maxVoters: tabs past it join as learners.
  await waitForGroup(open, Math.min(MAX_TABS, defaultRaftConfig.maxVoters));
  for (const tab of open) await startWriter(tab);

  // The profile of a crashed identity no new tab has adopted yet (only a tab of the same profile
  // can): at most one at a time, and it is reopened before the group must settle (see below).
  let crashedUnadopted = null;
  const remove = (tab) => {
    touched.push(tab.label);
    open = open.filter((t) => t !== tab);
    return tab;
  };
  /** The open tab that leads now (the first one while none does: no draw, the schedule stays replayable). */
  const leaderTab = async () => {
    const statuses = await Promise.all(open.map((tab) => tab.status()));
    return open[statuses.findIndex((s) => s.role === 'leader')] ?? open[0];
  };
  const preloaded = preload ? await appendPreload(await leaderTab(), preload) : 0;
  const crashTab = async (tab) => {
    await crash(remove(tab).page);
    crashedUnadopted = tab.profileIndex;
  };
  /** Reloads a tab's page and waits until the app started again (its writer is not restarted). */
  const reloadPage = async (tab) => {
    await tab.page.reload();
    await appStarted(tab.page, tab.label);
  };
  /** How long the user takes to open tabs again after every tab went: 0.3-2 s. */
  const userPause = () => new Promise((resolve) => setTimeout(resolve, 300 + rand() * 1700));
  /** Opens a tab in each of `where` (profile indexes), all at once or one by one, each with a writer. */
  const reopen = async (where, atOnce) => {
    const reopened = await atOnceOrInTurn(where, atOnce, openTab);
    for (const tab of reopened) await startWriter(tab);
    open.push(...reopened);
  };
  const actions = {
    close: () => closeGracefully(remove(pick(open))),
    'close-leader': async () => closeGracefully(remove(await leaderTab())),
    'close-two': () => {
      const gone = [remove(pick(open)), remove(pick(open))];
      return Promise.all(gone.map(closeGracefully));
    },
    crash: () => crashTab(pick(open)),
    'crash-leader': async () => crashTab(await leaderTab()),
    reload: async () => {
      const tab = pick(open);
      touched.push(tab.label);
      await reloadPage(tab);
      await startWriter(tab);
    },
    open: async () => {
      // A new tab adopts the crashed identity when there is one (in that identity's profile).
      const where = crashedUnadopted ?? (profiles.length > 1 ? Math.floor(rand() * profiles.length) : 0);
      const tab = await openTab(where);
      await startWriter(tab);
      open.push(tab);
      crashedUnadopted = null;
    },
    // The user closes every tab (each departs: pagehide runs), all at once or one after the other,
    // and opens tabs again 0.3-2 s later, all at once or one by one: one of them re-founds the group
    // from this profile's most up-to-date log, the others join it, and every acknowledged write is
    // there. With several profiles the tabs reopen spread over all of them, as the closed ones were:
    // only the profile holding the last departure may re-found (docs/tab-lifecycle.md).
    'close-all': async () => {
      await atOnceOrInTurn([...open].map(remove), rand() < 0.5, closeGracefully);
      await userPause();
      const count = Math.max(MIN_TABS, profiles.length) + Math.floor(rand() * (MAX_TABS - Math.max(MIN_TABS, profiles.length) + 1));
      await reopen(Array.from({ length: count }, (_, i) => i % profiles.length), rand() < 0.5);
    },
    // The browser dies with every tab in it (each renderer crashed: no pagehide, no departure), and
    // 0.3-2 s later the user restores the session: each profile opens as many tabs as it had, and
    // they adopt the crashed identities, logs and votes (a majority of the voters is among them).
    'crash-all': async () => {
      const gone = [...open].map(remove);
      await Promise.all(gone.map((tab) => crash(tab.page)));
      await userPause();
      await reopen(gone.map((tab) => tab.profileIndex), true);
    },
    // Every tab reloads at once (an app update that reloads its tabs, the user's "reload all"):
    // each departs in pagehide while the new pages of the others already start and claim slots.
    'reload-all': async () => {
      const tabs = [...open];
      touched.push(...tabs.map((tab) => tab.label));
      await Promise.all(tabs.map(reloadPage));
      for (const tab of tabs) await startWriter(tab);
    },
    // The server stops (SIGTERM) and starts again on its port 0.5-3 s later; the writers go on.
    'restart-signaling': () => signal.restart(500 + Math.floor(rand() * 2500)),
  };
  const eligible = () => [
    ...(open.length > MIN_TABS ? ['close', 'close-leader'] : []),
    ...(open.length > MIN_TABS + 1 ? ['close-two'] : []),
    ...(crashes && open.length > MIN_TABS && crashedUnadopted === null ? ['crash', 'crash-leader'] : []),
    ...(open.length < MAX_TABS ? ['open'] : []),
    // Not with signaling restarts: tabs reopened after every tab closed re-found the group only once
    // the server has been up for its young window (up to 20 s, docs/tab-lifecycle.md), and these
    // restarts come every few seconds, so the run would mostly measure that wait.
    ...(crashedUnadopted === null && !signal ? ['close-all', 'reload-all'] : []),
    ...(crashedUnadopted === null && crashes ? ['crash-all'] : []),
    'reload',
    ...(signal ? ['restart-signaling'] : []),
  ];

  const schedule = [];
  /** Runs `action`, recording it in the schedule with the tabs it touched. */
  const perform = async (action) => {
    const entry = { action, at: history.now() };
    schedule.push(entry);
    touched = [];
    await actions[action]();
    entry.tabs = touched.join(' + ');
  };
  const chaosStart = history.now();
  const chaosEnd = Date.now() + CHAOS_MS;
  while (Date.now() < chaosEnd) {
    const started = Date.now();
    const gap = GAP_MS[0] + rand() * (GAP_MS[1] - GAP_MS[0]);
    await perform(pick(eligible()));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + gap - Date.now())));
  }

  // A crashed identity no tab adopted yet still holds its vote. When the voters left are not a
  // majority without it, no leader can be elected until it is back, as for any Raft server, and
  // that happens with more tabs open: a tab that just opened or reloaded is a learner until the
  // leader promotes it, so a group can be down to two voters for a while (seed 144035212 of (h):
  // the last tab of profile 0 crashed while the two tabs of profile 1 besides the other voter were
  // not promoted yet). A user reopens a crashed tab; so does the check, in that identity's profile,
  // before the group must settle. (No random draw: the schedule stays replayable.)
  // The checks' names promise every kind of action the schedule may draw (closes, every tab gone,
  // reloads, crashes, opens): a schedule that drew none of a kind performs one now, making room
  // first when the tab count does not allow it (a function of the schedule: still replayable).
  const promised = [
    ...(signal ? [] : [['close-all']]),
    ...(crashes ? [['crash-all']] : []),
    ['open'],
    ['close', 'close-leader', 'close-two'],
    ['reload'],
    ...(crashes ? [['crash', 'crash-leader']] : []),
  ];
  for (const kind of promised) {
    if (schedule.some(({ action }) => kind.includes(action))) continue;
    if (crashedUnadopted !== null) await perform('open');
    if ((kind[0] === 'close' || kind[0] === 'crash') && open.length <= MIN_TABS) await perform('open');
    if (kind[0] === 'open' && open.length >= MAX_TABS) await perform('close');
    await perform(kind[0]);
  }
  if (crashedUnadopted !== null) await perform('open');
  // With a signaling server, the check promises restarts: a schedule that drew none restarts it once
  // now, while the writers go on (a function of the schedule, so it stays replayable).
  if (signal && !schedule.some(({ action }) => action === 'restart-signaling')) await perform('restart-signaling');

  // (3) The chaos stops: the writers finish their operation in flight, then the group settles.
  const stoppedAt = history.now();
  const issued = await Promise.all(open.map((tab) => tab.call('stopWriter')));
  // What the group looked like while it settled (each change, ms after the writers stopped): the
  // figures show it when settling took long, to tell which tab held it up.
  const settling = [];
  const noteSettling = (detail) => {
    if (settling.length < 30 && settling.at(-1)?.detail !== detail) settling.push({ atMs: Math.round(history.now() - stoppedAt), detail });
  };
  const final = await withDiagnosis(open, schedule, () => waitFor(
    `after the chaos, one leader and all ${open.length} open tabs at the same applied index with the same state`,
    async () => {
      const statuses = await Promise.all(open.map((tab) => tab.status()));
      const leaders = new Set(statuses.map((s) => s.leader));
      const leading = statuses.filter((s) => s.role === 'leader');
      const agreed =
        leaders.size === 1 &&
        leading.length === 1 &&
        leaders.has(leading[0].peerId) &&
        statuses.every((s) => s.online && s.applied === statuses[0].applied);
      if (!agreed) {
        const detail = JSON.stringify(statuses.map((s) => [...brief(s), `applied=${s.applied}`]));
        noteSettling(detail);
        return { ok: false, detail };
      }
      const states = await Promise.all(open.map((tab) => tab.query('applied', 'weak')));
      const same = states.every((s) => s.position === states[0].position && JSON.stringify(s.result) === JSON.stringify(states[0].result));
      if (same) return { ok: true, detail: { index: states[0].position, values: states[0].result } };
      const atOneIndex = states.every((s) => s.position === states[0].position);
      const positions = atOneIndex ? await Promise.all(open.map((tab) => tab.query('positions', 'weak').then((p) => p.result, () => null))) : null;
      const detail = atOneIndex ? describeDivergence(open.map((tab) => tab.label), states, positions) : states.map((s) => [s.position, s.result.length]);
      return { ok: false, detail: JSON.stringify(detail) };
    },
    { timeoutMs: 180_000 },
  ), () => history.entries().filter((op) => op.input.kind !== 'get' && op.ret !== null).map((op) => op.id));
  const settledMs = Math.round(history.now() - stoppedAt);
  // What each open tab's page did with snapshots (GroupStats.client: the applier and snapshot taker).
  const appliers = (await Promise.all(open.map((tab) => tab.call('stats')))).map(({ client }) => client);

  const entries = history.entries();
  const writes = entries.filter((op) => op.input.kind !== 'get');
  const acknowledged = writes.filter((op) => op.ret !== null);
  const counts = history.counts();
  /** For each action: ms from its start to the first acknowledged write issued after it started. */
  const backOnlineMs = {};
  for (const { action, at } of schedule) {
    const rets = acknowledged.filter((op) => op.call >= at).map((op) => op.ret);
    (backOnlineMs[action] ??= []).push(rets.length ? Math.round(Math.min(...rets) - at) : null);
  }
  // The floors count operations while the group could serve: a schedule that closes or crashes
  // every tab again and again leaves it down for most of the run (each reopen takes seconds on a
  // busy machine: seed 982559766 of (g), nine such actions in 45 s, the group up a tenth of the run),
  // and they shrink with the share of the run it was up.
  const upShare = shareUp(schedule, acknowledged, chaosStart, stoppedAt);
  const floorOf = (n) => Math.ceil(n * upShare);
  const figures = {
    seed,
    profiles: profiles.length,
    actions: schedule.map((s) => s.action),
    history: counts,
    acknowledgedWrites: acknowledged.length,
    finalIndex: final.index,
    appliedCommands: final.values.length,
    preloaded,
    openTabs: open.length,
    finalVoters: (await open[0].status()).members.voters.length,
    backOnlineMs,
    upShare: Math.round(upShare * 100) / 100,
    settledAfterStopMs: settledMs,
    opLatencyMs: latencySummary(entries),
    snapshots: appliers.map((c) => ({ taken: c?.snapshotsTaken, restored: c?.snapshotsRestored, restoreFailures: c?.restoreFailures, gaps: c?.gaps })),
    ...(settledMs > 2000 ? { settling } : {}),
  };
  recordFigures(figuresName, figures);

  // (1) Linearizable.
  const verdict = history.check();
  assert(verdict.status === 'ok', `seed ${seed}: the history is not linearizable: ${verdict.status} on key ${verdict.key}\n${verdict.detail ?? ''}`);
  // (2) Nothing acknowledged is lost, nothing applied twice, nothing an OfflineError or a ClosedError called unexecuted applied.
  const times = new Map();
  for (const value of final.values) times.set(value, (times.get(value) ?? 0) + 1);
  const lost = acknowledged.filter((op) => !times.has(op.id)).map((op) => op.id);
  assert(lost.length === 0, `seed ${seed}: ${lost.length} acknowledged writes are not in the final state: ${lost.slice(0, 20).join(', ')}`);
  const twice = [...times].filter(([, n]) => n > 1).map(([value]) => value);
  assert(twice.length === 0, `seed ${seed}: applied more than once: ${twice.slice(0, 20).join(', ')}`);
  const issuedIds = new Set(writes.map((op) => op.id));
  const preloadedHeld = final.values.filter((value) => value.startsWith(PRELOAD_PREFIX)).length;
  assert(preloadedHeld === preloaded, `seed ${seed}: ${preloadedHeld} of the ${preloaded} preloaded puts are in the final state`);
  const unknown = final.values.filter((value) => !issuedIds.has(value) && !value.startsWith(PRELOAD_PREFIX));
  assert(unknown.length === 0, `seed ${seed}: the state holds values no writer issued: ${unknown.slice(0, 20).join(', ')}`);
  const notExecuted = (error) => error?.startsWith('OfflineError') || error?.startsWith('ClosedError');
  const unexecutedApplied = writes.filter((op) => notExecuted(op.error) && times.has(op.id)).map((op) => `${op.id} (${op.error})`);
  assert(unexecutedApplied.length === 0, `seed ${seed}: writes rejected as not executed were applied: ${unexecutedApplied.slice(0, 10).join(', ')}`);
  // The pages applied the log whole: no restore failed, no entry skipped (every open tab).
  const byTab = appliers.map((c, i) => [open[i].label, c]);
  const broken = byTab.filter(([, c]) => !c || c.restoreFailures !== 0 || c.gaps !== 0 || c.decodeErrors !== 0);
  assert(broken.length === 0, `seed ${seed}: a page's applier failed a restore, skipped entries or could not decode one: ${JSON.stringify(broken)}`);
  if (compacting) {
    const untouched = byTab.filter(([, c]) => c.snapshotsTaken + c.snapshotsRestored === 0).map(([label]) => label);
    assert(untouched.length === 0, `seed ${seed}: the log compacts, yet ${untouched.join(', ')} neither took nor restored a snapshot`);
  }
  // (4) Not vacuous.
  assert(schedule.length >= floors.actions, `seed ${seed}: only ${schedule.length} actions (floor ${floors.actions})`);
  const opsFloor = floorOf(floors.completedOps);
  const writesFloor = floorOf(floors.acknowledgedWrites);
  assert(counts.completed >= opsFloor, `seed ${seed}: only ${counts.completed} operations completed (floor ${opsFloor}: ${floors.completedOps} x the ${upShare.toFixed(2)} of the run the group was up)`);
  assert(acknowledged.length >= writesFloor, `seed ${seed}: only ${acknowledged.length} writes acknowledged (floor ${writesFloor}: ${floors.acknowledgedWrites} x ${upShare.toFixed(2)})`);
  assert(issued.every((n) => n > 0), `seed ${seed}: a writer of an open tab issued nothing: ${issued.join(', ')}`);
  if (signal) {
    const restarts = schedule.filter(({ action }) => action === 'restart-signaling').length;
    assert(restarts > 0 && signal.restarts >= restarts, `seed ${seed}: the signaling server restarted ${signal.restarts} times, the schedule says ${restarts}`);
  }
  return figures;
}

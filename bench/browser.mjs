#!/usr/bin/env node
// Browser benchmark (a measurement, not a test): real Chromium tabs on this machine, meshraft and
// Yjs + y-webrtc side by side in the same tabs of the same run. Writes bench/results/browser.json:
//   baseline.rttMs / baseline.idbTxMs   raw data-channel round trip between two tabs, one small IDB tx;
//                                       floorMs = their p50s added (what one commit must at least cost)
//   commitLatencyMs                     execute() on the leader of 3 tabs, one at a time
//   commitLatencyStrictMs               the same with the `durability: 'strict'` option (every write
//                                       flushed to the disk before it counts as stored)
//   visibleMs / yjsVisibleMs            from a write in the leader's tab until all three tabs applied
//                                       it (meshraft) / until both other tabs saw it (Yjs), clocks of
//                                       the tabs aligned over a BroadcastChannel
//   throughput.execute / executeMany    100-byte commands, many in flight, three runs each (the median;
//                                       the first, cold run too), with the writer's long tasks over all
//                                       (wall clock, and from a trace: tasks with >= 50 ms of CPU time,
//                                       longTasksCpu, and each wall-clock long task's CPU time)
//   catchUp[]                           a late tab reaching 100,000 entries of 100 B from 1, 2, 4 sources
//   snapshotInstall                     a late tab installing a 10 MB state machine snapshot
//   join / failover                     fresh tabs until online; writes resuming after the leader's
//                                       tab is closed or crashes (bench/lifecycle.mjs)
//   restoreAfterCrash                   every tab crashed, then restored at once: tabs online and the
//                                       first write, from the restore
//   reopenAfterCloseAll                 every tab closed (each departs), then the app opened again in
//                                       1 tab and in 3 at once: tabs online and the first write
//   ratios                              the goals' ratios, computed from the figures of this run
// Long-task counts come from observers that must also see a deliberate 120 ms task in the same page
// (otherwise the count is null). Latency and throughput use a static 3-voter membership; catch-up,
// snapshot, join and failover use automatic membership, as real tabs do.
// Usage: npm run bench:browser   (env BENCH_PAGES_PORT, BENCH_SIGNALING_PORT, BENCH_ONLY="commits,catchup,restore,reopen,...",
//        BENCH_CATCHUP_ENTRIES, BENCH_CATCHUP_SOURCES="1,2,4")
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchServers } from './servers.mjs';
import { startMainThreadTrace, stopMainThreadTrace, taskBehind } from '../e2e/support/main-thread-trace.mjs';
import { measureFailover, measureJoin, measureReopen, measureRestore } from './lifecycle.mjs';
import { BENCH_CONFIG, benchLog, benchUrl, launchChromium, leaderOf, openBenchTab, openSources, percentile, round, sleep, statusOf, summarize, waitUntil } from './tabs.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const CATCHUP_ENTRIES = Number(process.env.BENCH_CATCHUP_ENTRIES ?? 100_000);
const CATCHUP_SOURCES = (process.env.BENCH_CATCHUP_SOURCES ?? '1,2,4').split(',').map(Number);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const CONFIG = BENCH_CONFIG;
const FAILOVER_RUNS = Number(process.env.BENCH_FAILOVER_RUNS ?? 3);
const RESTORE_RUNS = Number(process.env.BENCH_RESTORE_RUNS ?? 3);
const REOPEN_RUNS = Number(process.env.BENCH_REOPEN_RUNS ?? 3);
const OUTPUT = process.env.BENCH_OUTPUT ? path.resolve(process.env.BENCH_OUTPUT) : path.join(repoRoot, 'bench/results/browser.json');

const log = benchLog;

// ---------- long tasks ----------

/** Long tasks of `page` within [from, to] (page clock), or null when the observer misses a 120 ms probe. */
async function longTasksIn(page, from, to) {
  return (await longTaskEntriesIn(page, from, to)).summary;
}

/** longTasksIn's summary, and the entries it counts. */
async function longTaskEntriesIn(page, from, to) {
  const probe = await page.evaluate(() => window.bench.busy(120));
  const record = await page.evaluate(() => window.bench.longTasks());
  const seen = record.tasks.some((t) => t.startTime <= probe.start + 1 && t.startTime + t.duration >= probe.end - 2);
  const tasks = record.tasks.filter((t) => t.startTime + t.duration > from && t.startTime < to);
  const summary = {
    longTasks: seen ? tasks.length : null,
    longTaskMs: tasks.map((t) => round(t.duration, 1)),
    longTaskObserverVerified: seen,
    longTaskScripts: tasks.map((t) => scriptsDuring(record.frames, t)),
  };
  return { summary, tasks };
}

const THROUGHPUT_RUNS = 3;

/**
 * Runs one throughput workload THROUGHPUT_RUNS times on `page`: commands/s of each run, the median
 * (perSec), the first (cold) run, and the page's long tasks over all runs together.
 */
async function throughputRuns(page, workload, commands) {
  const timed = [];
  const browser = page.context().browser();
  await startMainThreadTrace(browser);
  for (let i = 0; i < THROUGHPUT_RUNS; i++) timed.push(await workload(page));
  const trace = await stopMainThreadTrace(browser, page);
  const runs = timed.map((t) => Math.round((commands / t.ms) * 1000));
  const from = timed[0].start;
  const to = timed[timed.length - 1].end;
  const { summary: longTasks, tasks: entries } = await longTaskEntriesIn(page, from, to);
  // A wall-clock long task on this 2-core machine is often a starved thread (three tabs and their
  // Workers all busy): the trace's CPU time per task tells the page's own long work apart.
  const tasks = trace.tasks.filter((t) => t.start + t.wall > from && t.start < to);
  const cpuLong = tasks.filter((t) => t.cpu >= 50);
  const cpu = {
    longTasksCpu: trace.dataLoss ? null : cpuLong.length,
    maxTaskCpuMs: tasks.length > 0 ? round(tasks.reduce((max, t) => Math.max(max, t.cpu), 0), 1) : null,
    longTaskCpuMs: entries.map((entry) => {
      const task = taskBehind(entry, tasks);
      return task ? round(task.cpu, 1) : null;
    }),
  };
  return { rates: { perSec: percentile(runs, 50), runs, firstRunPerSec: runs[0] }, longTasks: { ...longTasks, ...cpu } };
}

/**
 * What ran during a long task, from the long animation frames that overlap it: each script's
 * invoker, function and file with its duration (ms), longest first. Empty when the browser reports
 * no such frames or no script of the page ran (e.g. the task was the browser's own work).
 */
function scriptsDuring(frames, task) {
  const end = task.startTime + task.duration;
  const scripts = frames
    .filter((f) => f.startTime < end && f.startTime + f.duration > task.startTime)
    .flatMap((f) => f.scripts)
    .filter((s) => s.startTime < end && s.startTime + s.duration > task.startTime)
    .sort((a, b) => b.duration - a.duration);
  return scripts.map((s) => `${round(s.duration, 1)} ${s.invoker} ${s.sourceFunctionName || '(anonymous)'} ${s.sourceURL.split('/').pop()}`);
}

// ---------- sections ----------

async function measureBaseline(browser, servers) {
  const context = await browser.newContext();
  try {
    const key = `baseline-${Date.now()}`;
    const pages = [];
    for (const peerId of ['base-a', 'base-b']) {
      const page = await context.newPage();
      const target = new URL(`${servers.pages}/baseline.html`);
      for (const [k, v] of Object.entries({ key, peerId, signaling: servers.signaling })) target.searchParams.set(k, v);
      await page.goto(target.toString());
      await page.waitForFunction(() => typeof window.baseline?.ping === 'function');
      pages.push(page);
    }
    await waitUntil(async () => (await pages[0].evaluate(() => window.baseline.peers())).includes('base-b'), 'the baseline mesh');
    await pages[0].evaluate(() => window.baseline.ping('base-b', 50)); // warm-up
    const rtt = await pages[0].evaluate(() => window.baseline.ping('base-b', 500));
    const idb = await pages[0].evaluate(() => window.baseline.idb(300));
    const rttMs = summarize(rtt);
    const idbTxMs = summarize(idb);
    return { rttMs, idbTxMs, floorMs: round(rttMs.p50 + idbTxMs.p50) };
  } finally {
    await context.close();
  }
}

/** Maps each tab's times onto the writer's clock and returns, per mark, when the last tab had it. */
async function lastArrival(writer, others, ids, read) {
  const offsets = await writer.evaluate((tabs) => window.bench.clockOffsets(tabs), ids);
  const perTab = await Promise.all(others.map((page) => page.evaluate(read)));
  const last = new Map();
  perTab.forEach((pairs, i) => {
    const { offsetMs } = offsets[ids[i]];
    for (const [m, t] of pairs) last.set(m, Math.max(last.get(m) ?? -Infinity, t - offsetMs));
  });
  return { last, clockRttMs: Math.max(...Object.values(offsets).map((o) => o.rttMs)) };
}

/** Three tabs of a static 3-voter group (`ids`, extra page parameters `params`) once they agree on a leader. */
async function openVoters(context, servers, key, ids, params = {}) {
  const pages = [];
  for (const peerId of ids) pages.push(await openBenchTab(context, servers, { key, peerId, voters: ids.join(','), ...params, ...CONFIG }, { log }));
  return { pages, leader: await leaderOf(pages) };
}

/** Commit latency on `leader`: after a warm-up (JIT, IDB, channels), 500 execute() one at a time, back to back. */
async function commitLatency(leader) {
  await leader.evaluate(() => window.bench.writes(50, 0, 1_000_000));
  const latency = await leader.evaluate(() => window.bench.writes(500, 0, 1));
  return summarize(latency.map((w) => w.end - w.start));
}

async function measureCommits(browser, servers) {
  const context = await browser.newContext();
  try {
    const key = `commit-${Date.now()}`;
    const { pages, leader } = await openVoters(context, servers, key, ['bench-a', 'bench-b', 'bench-c'], { yroom: `y-${key}` });
    const others = pages.filter((p) => p !== leader);
    const otherIds = await Promise.all(others.map(async (p) => (await statusOf(p)).peerId));
    const commitLatencyMs = await commitLatency(leader);

    // Visible in every tab: meshraft, then Yjs, the same writer tab, writes 5 ms apart.
    const count = 300;
    const visibleWrites = await leader.evaluate(([n]) => window.bench.writes(n, 5, 10_000), [count]);
    await sleep(300);
    const seen = await lastArrival(leader, others, otherIds, () => window.bench.appliedTimes());
    const own = new Map(await leader.evaluate(() => window.bench.appliedTimes()));
    const visible = visibleWrites.map((w) => Math.max(seen.last.get(w.m) ?? Infinity, own.get(w.m) ?? Infinity) - w.start).filter(Number.isFinite);

    await waitUntil(async () => (await Promise.all(pages.map((p) => p.evaluate(() => window.bench.yjs.bcPeers())))).every((n) => n >= 2), 'y-webrtc peers');
    await leader.evaluate(() => window.bench.yjs.writes(50, 2, 1_000_000)); // warm-up
    const yWrites = await leader.evaluate(([n]) => window.bench.yjs.writes(n, 5, 1), [count]);
    await sleep(300);
    const ySeen = await lastArrival(leader, others, otherIds, () => window.bench.yjs.seenTimes());
    const yVisible = yWrites.map((w) => (ySeen.last.get(w.m) ?? Infinity) - w.start).filter(Number.isFinite);

    // Throughput through execute, many in flight, then through executeMany: each workload runs
    // THROUGHPUT_RUNS times back to back and the row reports the median run; the first run pays
    // for compiling the hot path (it is kept as firstRunPerSec) and long tasks count over all runs.
    const executeCount = 20_000;
    const inFlight = 256;
    const execute = await throughputRuns(leader, (page) => page.evaluate(([n, f]) => window.bench.throughput(n, 100, f), [executeCount, inFlight]), executeCount);
    const manyCount = 100_000;
    const batch = 2000;
    const manyInFlight = 4;
    const many = await throughputRuns(leader, (page) => page.evaluate(([n, b, f]) => window.bench.throughputMany(n, 100, b, f), [manyCount, batch, manyInFlight]), manyCount);
    return {
      commitLatencyMs,
      visibleMs: { ...summarize(visible), lost: visibleWrites.length - visible.length, clockAlignmentMs: round(seen.clockRttMs / 2) },
      yjsVisibleMs: { ...summarize(yVisible), lost: yWrites.length - yVisible.length, clockAlignmentMs: round(ySeen.clockRttMs / 2), transport: 'y-webrtc defaults (BroadcastChannel between tabs of one browser), signaling: []' },
      throughput: {
        execute: { ...execute.rates, commands: executeCount, commandBytes: 100, inFlight, ...execute.longTasks },
        executeMany: { ...many.rates, commands: manyCount, commandBytes: 100, batch, inFlight: manyInFlight, ...many.longTasks },
      },
    };
  } finally {
    await context.close();
  }
}

/** Commit latency as commitLatencyMs measures it, with every tab's log written with `durability: 'strict'`. */
async function measureStrictCommits(browser, servers) {
  const context = await browser.newContext();
  try {
    const { leader } = await openVoters(context, servers, `strict-${Date.now()}`, ['strict-a', 'strict-b', 'strict-c'], { durability: 'strict' });
    return { ...(await commitLatency(leader)), durability: 'strict' };
  } finally {
    await context.close();
  }
}

async function measureCatchUp(browser, servers, sourcePeers) {
  const context = await browser.newContext();
  try {
    const key = `catchup-${sourcePeers}-${Date.now()}`;
    const sources = Array.from({ length: sourcePeers }, (_, i) => `src${i}-${sourcePeers}`);
    // No compaction below the entries written: the late tab fetches the log itself (the snapshot
    // path is the snapshotInstall row).
    const noCompaction = { compactAfterEntries: 4 * CATCHUP_ENTRIES };
    const pages = await openSources(context, servers, key, sources, noCompaction);
    const leader = await leaderOf(pages);
    const target = await leader.evaluate(([n]) => window.bench.fill(n, 100, 2000, 2), [CATCHUP_ENTRIES]);
    await waitUntil(async () => (await Promise.all(pages.map(statusOf))).every((s) => s.applied >= target), 'sources to apply', 300_000);

    const late = await openBenchTab(context, servers, { key, peerId: `late-${sourcePeers}`, ...CONFIG, ...noCompaction }, { log, wait: false });
    await waitUntil(async () => (await statusOf(late)).applied >= target, 'the late tab to catch up', 600_000, 20);
    const restores = await late.evaluate(() => window.bench.store.restores);
    const t1 = await late.evaluate(() => performance.now());
    const t0 = await late.evaluate(() => window.bench.loadedAt);
    // The part sources can speed up: from the engine's start in its Worker (key derivation, slot and
    // room are behind it) until the target is applied.
    const engineStarted = await late.evaluate(() => performance.getEntriesByName('meshraft:engine-started', 'mark')[0]?.startTime ?? null);
    const long = await longTasksIn(late, 0, t1);
    const frames = (await late.evaluate(() => window.bench.stats())).frames;
    return {
      sourcePeers,
      entries: target,
      entryBytes: 100,
      seconds: round((t1 - t0) / 1000),
      entriesPerSec: Math.round((target / (t1 - t0)) * 1000),
      measuredFrom: 'the late tab\'s bench module starting (page load) until it applied the target index',
      afterEngineStartedSeconds: engineStarted === null ? null : round((t1 - engineStarted) / 1000),
      entriesPerSecAfterEngineStarted: engineStarted === null ? null : Math.round((target / (t1 - engineStarted)) * 1000),
      ...long,
      servedBy: frames?.catchUpChunksFrom ?? {},
      entriesReceived: frames?.entriesIn ?? null,
      snapshotsRestored: restores,
    };
  } finally {
    await context.close();
  }
}

async function measureSnapshotInstall(browser, servers) {
  const context = await browser.newContext();
  try {
    const key = `snapshot-${Date.now()}`;
    const entries = 100_000;
    const compact = { compactAfterEntries: 20_000 };
    const pages = await openSources(context, servers, key, ['snap-a', 'snap-b', 'snap-c'], compact);
    const leader = await leaderOf(pages);
    const target = await leader.evaluate(([n]) => window.bench.fill(n, 100, 2000, 2), [entries]);
    await waitUntil(async () => (await Promise.all(pages.map(statusOf))).every((s) => s.applied >= target), 'sources to apply', 300_000);
    // Wait for a compaction covering most of the state, so the late tab must install a snapshot.
    await waitUntil(async () => (await leader.evaluate(() => window.bench.stats())).frames !== null, 'stats');
    await sleep(1500);
    const late = await openBenchTab(context, servers, { key, peerId: 'snap-late', ...CONFIG, ...compact }, { log, wait: false });
    await waitUntil(async () => (await statusOf(late)).applied >= target, 'the late tab to install and catch up', 600_000, 20);
    const t1 = await late.evaluate(() => performance.now());
    const t0 = await late.evaluate(() => window.bench.loadedAt);
    const store = await late.evaluate(() => ({ restores: window.bench.store.restores, slices: window.bench.store.restoreSlices, keys: window.bench.store.values.size }));
    const snapshotBytes = await leader.evaluate(() => window.bench.store.snapshot().byteLength);
    const long = await longTasksIn(late, 0, t1);
    return { entries: target, snapshotBytes, seconds: round((t1 - t0) / 1000), restores: store.restores, restoreSlices: store.slices, keys: store.keys, ...long };
  } finally {
    await context.close();
  }
}

async function section(name, run) {
  if (ONLY && !ONLY.has(name.split(' ')[0])) return { skipped: true };
  log(`${name}...`);
  try {
    const result = await run();
    log(`${name}:`, JSON.stringify(result));
    return result;
  } catch (error) {
    log(`${name} failed:`, error.message);
    return { error: error.message };
  }
}

function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? round(a / b, 2) : null;
}

const servers = await startBenchServers({
  pagesPort: Number(process.env.BENCH_PAGES_PORT ?? 5189),
  signalingPort: Number(process.env.BENCH_SIGNALING_PORT ?? 8789),
  log,
});
const browser = await launchChromium();
const loadAverageAtStart = os.loadavg().map((x) => round(x, 2));
try {
  const baseline = await section('baseline', () => measureBaseline(browser, servers));
  const commits = await section('commits (latency, visibility, Yjs, throughput)', () => measureCommits(browser, servers));
  const strictCommits = await section('strict (commit latency with durability: strict)', () => measureStrictCommits(browser, servers));
  const catchUp = [];
  for (const sources of CATCHUP_SOURCES) catchUp.push(await section(`catchup from ${sources}`, () => measureCatchUp(browser, servers, sources)));
  const snapshotInstall = await section('snapshot install', () => measureSnapshotInstall(browser, servers));
  const join = await section('join', () => measureJoin(browser, servers, 'default'));
  const joinFixedIds = await section('join (fixed ids)', () => measureJoin(browser, servers, 'fixed'));
  const failover = [];
  // Failover times depend on how soon the survivors notice the loss (a closed link, or only the
  // election timeout), so each kind runs a few times and every run is kept.
  for (const how of ['close', 'close-fixed-id', 'crash']) {
    const runs = [];
    for (let i = 0; i < FAILOVER_RUNS; i++) runs.push(await section(`failover ${how} #${i + 1}`, () => measureFailover(browser, servers, how)));
    if (runs.every((r) => r.skipped)) continue;
    const summary = (field) => {
      const times = runs.map((r) => r[field]).filter((t) => typeof t === 'number');
      return { median: percentile(times, 50), max: times.length ? Math.max(...times) : null, all: times };
    };
    failover.push({ how, resumedAfterMs: summary('resumedAfterMs'), ...(how === 'crash' ? {} : { resumedAfterPagehideMs: summary('resumedAfterPagehideMs') }), runs });
  }
  const restoreRuns = [];
  for (let i = 0; i < RESTORE_RUNS; i++) restoreRuns.push(await section(`restore #${i + 1}`, () => measureRestore(browser, servers)));
  const restoreWrites = restoreRuns.map((r) => r.firstWriteAfterRestoreMs).filter((t) => typeof t === 'number');
  const restoreAfterCrash = restoreRuns.every((r) => r.skipped)
    ? { skipped: true }
    : { firstWriteAfterRestoreMs: { median: percentile(restoreWrites, 50), max: restoreWrites.length ? Math.max(...restoreWrites) : null, all: restoreWrites }, runs: restoreRuns };
  const reopenAfterCloseAll = [];
  for (const tabs of [1, 3]) {
    const runs = [];
    for (let i = 0; i < REOPEN_RUNS; i++) runs.push(await section(`reopen ${tabs} tab(s) #${i + 1}`, () => measureReopen(browser, servers, tabs)));
    if (runs.every((r) => r.skipped)) continue;
    const writes = runs.map((r) => r.firstWriteAfterReopenMs).filter((t) => typeof t === 'number');
    reopenAfterCloseAll.push({ tabs, firstWriteAfterReopenMs: { median: percentile(writes, 50), max: writes.length ? Math.max(...writes) : null, all: writes }, runs });
  }

  const previous = (() => {
    try {
      return JSON.parse(readFileSync(OUTPUT, 'utf8'));
    } catch {
      return {};
    }
  })();
  const keep = (name, value) => (value?.skipped ? (previous[name] ?? null) : value);
  const result = {
    conditions: {
      date: new Date().toISOString(),
      browser: `chromium ${browser.version()} headless`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      // The machine is shared: a high load average inflates latencies (several tabs + workers on 2 cores).
      loadAverageAtStart,
      config: CONFIG,
      pages: 'bench/pages built with Vite (production build, not minified), served by vite preview',
      storage: 'indexeddb in a module Worker',
      transport: 'WebRTC data channels over loopback, iceServers []',
      partial: ONLY ? [...ONLY] : undefined,
    },
    baseline: keep('baseline', baseline),
    commitLatencyMs: keep('commitLatencyMs', commits.commitLatencyMs ?? commits),
    commitLatencyStrictMs: keep('commitLatencyStrictMs', strictCommits),
    visibleMs: keep('visibleMs', commits.visibleMs ?? commits),
    yjsVisibleMs: keep('yjsVisibleMs', commits.yjsVisibleMs ?? commits),
    throughput: keep('throughput', commits.throughput ?? commits),
    catchUp: catchUp.every((c) => c.skipped) ? (previous.catchUp ?? []) : catchUp,
    snapshotInstall: keep('snapshotInstall', snapshotInstall),
    // Both join runs are selected by BENCH_ONLY's `join`: they are skipped together.
    join: keep('join', join.skipped ? join : { ...join, fixedIds: joinFixedIds }),
    failover: failover.length === 0 ? (previous.failover ?? []) : failover,
    restoreAfterCrash: keep('restoreAfterCrash', restoreAfterCrash),
    reopenAfterCloseAll: reopenAfterCloseAll.length === 0 ? (previous.reopenAfterCloseAll ?? []) : reopenAfterCloseAll,
  };
  const floor = result.baseline?.floorMs;
  const one = result.catchUp.find((c) => c.sourcePeers === 1);
  result.ratios = {
    commitP50ToFloor: ratio(result.commitLatencyMs?.p50, floor),
    commitP99ToFloor: ratio(result.commitLatencyMs?.p99, floor),
    commitStrictP50ToRelaxed: ratio(result.commitLatencyStrictMs?.p50, result.commitLatencyMs?.p50),
    visibleP50ToYjs: ratio(result.visibleMs?.p50, result.yjsVisibleMs?.p50),
    visibleP99ToYjs: ratio(result.visibleMs?.p99, result.yjsVisibleMs?.p99),
    catchUpSpeedupFromMostSources: one ? ratio(Math.max(...result.catchUp.map((c) => c.entriesPerSec ?? 0)), one.entriesPerSec) : null,
    catchUpSpeedupFromMostSourcesAfterEngineStarted: one?.entriesPerSecAfterEngineStarted
      ? ratio(Math.max(...result.catchUp.map((c) => c.entriesPerSecAfterEngineStarted ?? 0)), one.entriesPerSecAfterEngineStarted)
      : null,
    goals: { commitP50ToFloor: 2, commitP99ToFloor: 6, visibleP50ToYjs: 1.5 },
  };
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(repoRoot, OUTPUT)}`, JSON.stringify(result.ratios));
} finally {
  await browser.close();
  await servers.close();
}

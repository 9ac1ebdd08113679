#!/usr/bin/env node
// Browser benchmark (a measurement, not a test): real Chromium tabs on this machine.
// Writes bench/results/browser.json with
//   baseline.rttMs / baseline.idbTxMs   raw data-channel round trip between two tabs, one small IDB tx
//   commitLatencyMs {p50, p99}          execute() on the leader tab of a 3-tab group, one at a time
//   throughputPerSec                    100-byte commands, many execute() calls in flight
//   catchUp[]                           a late tab catching up on 20,000 entries from 1, 2, 4 source tabs
// Latency and throughput use a static 3-voter membership (createGroup's `bootstrap: Membership`
// option) so they do not depend on joins; catch-up uses automatic membership, as real tabs do.
// Usage: npm run bench:browser   (env: BENCH_CATCHUP_ENTRIES, BENCH_CATCHUP_SOURCES="1,2,4")
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { ensureChromium } from '../scripts/chromium.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const PAGES_PORT = Number(process.env.BENCH_PAGES_PORT ?? 5189);
const SIGNALING_PORT = Number(process.env.BENCH_SIGNALING_PORT ?? 8789);
const PAGES = `http://127.0.0.1:${PAGES_PORT}`;
const SIGNALING = `http://127.0.0.1:${SIGNALING_PORT}`;
const CATCHUP_ENTRIES = Number(process.env.BENCH_CATCHUP_ENTRIES ?? 20_000);
const CATCHUP_SOURCES = (process.env.BENCH_CATCHUP_SOURCES ?? '1,2,4').split(',').map(Number);
const CONFIG = { electionTimeoutMs: 1000, heartbeatMs: 100 };
const OUTPUT = path.join(repoRoot, 'bench/results/browser.json');

const log = (...args) => console.log('[bench:browser]', ...args);
const round = (x, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}

async function startServers() {
  const child = spawn(process.execPath, ['scripts/e2e-servers.mjs'], {
    cwd: repoRoot,
    env: { ...process.env, E2E_PAGES_PORT: String(PAGES_PORT), E2E_SIGNALING_PORT: String(SIGNALING_PORT) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('servers did not start within 60 s')), 60_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('[e2e] pages:') && seen.includes('[e2e] signaling:')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`servers exited with ${code}`)));
  });
  return child;
}

function url(page, params) {
  const target = new URL(`${PAGES}/runtime/${page}`);
  for (const [k, v] of Object.entries({ signaling: SIGNALING, ...params })) target.searchParams.set(k, String(v));
  return target.toString();
}

async function waitUntil(check, what, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function openRuntimeTab(context, params) {
  const page = await context.newPage();
  page.on('pageerror', (error) => log('page error:', error.message));
  await page.goto(url('index.html', { ...CONFIG, ...params }));
  await page.waitForFunction(() => typeof window.meshraft?.started === 'function');
  await page.evaluate(() => window.meshraft.started());
  return page;
}

const statusOf = (page) => page.evaluate(() => window.meshraft.status());

/** Waits until every tab is online and agrees on one leader; returns the leader's page. */
async function leaderOf(pages) {
  return waitUntil(async () => {
    const all = await Promise.all(pages.map(statusOf));
    const leader = all[0].leader;
    if (!leader || !all.every((s) => s.online && s.leader === leader)) return null;
    return pages[all.findIndex((s) => s.peerId === leader)];
  }, 'a leader');
}

async function measureBaseline(browser) {
  const context = await browser.newContext();
  try {
    const key = `baseline-${Date.now()}`;
    const pages = [];
    for (const peerId of ['base-a', 'base-b']) {
      const page = await context.newPage();
      await page.goto(url('baseline.html', { key, peerId }));
      await page.waitForFunction(() => typeof window.baseline?.ping === 'function');
      pages.push(page);
    }
    await waitUntil(async () => (await pages[0].evaluate(() => window.baseline.peers())).includes('base-b'), 'the baseline mesh');
    await pages[0].evaluate(() => window.baseline.ping('base-b', 50)); // warm-up
    const rtt = await pages[0].evaluate(() => window.baseline.ping('base-b', 500));
    const idb = await pages[0].evaluate(() => window.baseline.idb(300));
    return { rttMs: { p50: percentile(rtt, 50), p99: percentile(rtt, 99), samples: rtt.length }, idbTxMs: { p50: percentile(idb, 50), p99: percentile(idb, 99), samples: idb.length } };
  } finally {
    await context.close();
  }
}

async function measureCommits(browser) {
  const context = await browser.newContext();
  try {
    const key = `commit-${Date.now()}`;
    const ids = ['bench-a', 'bench-b', 'bench-c'];
    const pages = [];
    for (const peerId of ids) pages.push(await openRuntimeTab(context, { key, peerId, voters: ids.join(',') }));
    const leader = await leaderOf(pages);
    await leader.evaluate(() => window.meshraft.latencies(30)); // warm-up (JIT, IDB, channels)
    const latencies = await leader.evaluate(() => window.meshraft.latencies(500));
    const count = 5000;
    const inFlight = 256;
    const elapsedMs = await leader.evaluate(([n, f]) => window.meshraft.throughput(n, 100, f), [count, inFlight]);
    return {
      commitLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length },
      throughputPerSec: Math.round((count / elapsedMs) * 1000),
      throughputConditions: { commands: count, commandBytes: 100, inFlight, api: 'execute' },
    };
  } finally {
    await context.close();
  }
}

async function measureCatchUp(browser, sourcePeers) {
  const context = await browser.newContext();
  try {
    const key = `catchup-${sourcePeers}-${Date.now()}`;
    const sources = Array.from({ length: sourcePeers }, (_, i) => `src${i}-${sourcePeers}`);
    const late = `late-${sourcePeers}`;
    // Automatic membership, as in real use: the first tab bootstraps, the others join through the log
    // and are promoted; the late tab joins as a learner and runs a multi-peer catch-up session.
    const pages = [];
    for (const peerId of sources) {
      pages.push(await openRuntimeTab(context, { key, peerId }));
      await waitUntil(async () => (await statusOf(pages[0])).members.voters.length === pages.length, `${peerId} to join`);
    }
    const leader = await leaderOf(pages);
    const target = await leader.evaluate(([n]) => window.meshraft.fill(n, 100, 500, 2), [CATCHUP_ENTRIES]);
    await waitUntil(async () => (await Promise.all(pages.map(statusOf))).every((s) => s.applied >= target), 'sources to apply', 300_000);

    const latePage = await openRuntimeTab(context, { key, peerId: late });
    const t0 = await latePage.evaluate(() => performance.now());
    await waitUntil(async () => (await statusOf(latePage)).applied >= target, 'the late tab to catch up', 600_000);
    const t1 = await latePage.evaluate(() => performance.now());
    // Long tasks from navigation (page load and start-up included) until caught up, read after the
    // observers were flushed; a deliberate 120 ms task afterwards must show up, or the count means
    // nothing (then it is reported as null). Wall-clock durations: on a loaded machine a starved
    // thread makes short tasks long (e2e/runtime-catchup.spec.ts separates the two with a trace).
    const probe = await latePage.evaluate(() => window.meshraft.busy(120));
    const record = await latePage.evaluate(() => window.meshraft.longTasks());
    const observerWorks = record.tasks.some((t) => t.startTime <= probe.start + 1 && t.startTime + t.duration >= probe.end - 2);
    const longTaskList = record.tasks.filter((t) => t.startTime < t1);
    const longTasks = observerWorks ? longTaskList.length : null;
    const longTaskMs = longTaskList.map((t) => round(t.duration, 1));
    const peersUsed = await latePage.evaluate(() => window.meshraft.catchUpMaxPeers);
    const frames = (await latePage.evaluate(() => window.meshraft.stats())).frames;
    const entriesIn = frames?.entriesIn ?? null;
    const servedBy = frames?.catchUpChunksFrom ?? {};
    return { sourcePeers, entries: target, seconds: round((t1 - t0) / 1000), entriesPerSec: Math.round((target / (t1 - t0)) * 1000), longTasks, longTaskMs, longTaskObserverVerified: observerWorks, peersUsedReported: peersUsed, servedBy, entriesReceived: entriesIn };
  } finally {
    await context.close();
  }
}

async function section(name, run) {
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

const executablePath = ensureChromium();
const servers = await startServers();
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-features=WebRtcHideLocalIpsWithMdns', '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
});
try {
  const baseline = await section('baseline', () => measureBaseline(browser));
  const commits = await section('commit latency + throughput', () => measureCommits(browser));
  const catchUp = [];
  for (const sources of CATCHUP_SOURCES) catchUp.push(await section(`catch-up from ${sources}`, () => measureCatchUp(browser, sources)));
  const result = {
    conditions: {
      date: new Date().toISOString(),
      browser: `chromium ${browser.version()} headless`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      // The machine is shared: a high load average inflates latencies (several tabs + workers on 2 cores).
      loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
      config: CONFIG,
      membership: 'latency/throughput: static 3 voters; catch-up: automatic (join as learner through the log)',
      catchUpPath:
        'the late tab joins as a learner and runs a multi-peer catch-up session; peersUsedReported is the ' +
        'highest status.catchUp.peersUsed seen, servedBy counts catch-up replies per sender in the worker',
      storage: 'indexeddb in a module Worker',
      transport: 'WebRTC data channels over loopback, iceServers []',
    },
    baseline,
    commitLatencyMs: commits.commitLatencyMs ?? commits,
    throughputPerSec: commits.throughputPerSec ?? null,
    throughputConditions: commits.throughputConditions ?? null,
    catchUp,
  };
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(repoRoot, OUTPUT)}`);
} finally {
  await browser.close();
  servers.kill('SIGTERM');
}

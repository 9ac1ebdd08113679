#!/usr/bin/env node
// Where a commit's time goes, hop by hop: traces 3 bench tabs (static membership) with Chrome's
// tracing (every process: the tabs' main threads, their engine Workers, the browser process's
// IndexedDB work) while the leader runs sequential execute() calls, then lines up, for each
// commit, the tasks every thread ran between `execute` and the last tab applying it.
// Writes bench/results/commit-hops.json (the median commit's timeline and per-hop medians) and,
// with BENCH_TRACE_KEEP=1, the raw trace to node_modules/.bench-trace.json (open in Perfetto).
// Usage: npm run bench:trace   (env BENCH_PAGES_PORT, BENCH_SIGNALING_PORT, BENCH_TRACE_COMMITS, BENCH_TRACE_LABEL)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchServers } from './servers.mjs';
import { launchChromium, leaderOf, openBenchTab, round, statusOf } from './tabs.mjs';
import { analyzeTrace } from './trace-analysis.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const COMMITS = Number(process.env.BENCH_TRACE_COMMITS ?? 40);
const OUTPUT = path.join(repoRoot, 'bench/results/commit-hops.json');
const log = (...args) => console.log('[bench:trace]', ...args);

const servers = await startBenchServers({
  pagesPort: Number(process.env.BENCH_PAGES_PORT ?? 5189),
  signalingPort: Number(process.env.BENCH_SIGNALING_PORT ?? 8789),
  log,
});
const browser = await launchChromium();
try {
  const context = await browser.newContext();
  const key = `trace-${Date.now()}`;
  const ids = ['trace-a', 'trace-b', 'trace-c'];
  const pages = [];
  for (const peerId of ids) pages.push(await openBenchTab(context, servers, { key, peerId, voters: ids.join(','), electionTimeoutMs: 1000, heartbeatMs: 100 }, { log }));
  const leader = await leaderOf(pages);
  const leaderId = (await statusOf(leader)).peerId;
  await leader.evaluate(() => window.bench.writes(30, 2, 1_000_000)); // warm-up
  await browser.startTracing(leader, {
    categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8.execute', 'IndexedDB', 'blink'],
  });
  const writes = await leader.evaluate(([n]) => window.bench.writes(n, 15, 1), [COMMITS]);
  await new Promise((r) => setTimeout(r, 200));
  const buffer = await browser.stopTracing();
  if (process.env.BENCH_TRACE_KEEP) writeFileSync(path.join(repoRoot, 'node_modules/.bench-trace.json'), buffer);
  const trace = JSON.parse(buffer.toString('utf8'));
  const result = analyzeTrace(trace, { commits: writes.map((w) => w.m), leaderId });
  const latencies = writes.map((w) => w.end - w.start).sort((a, b) => a - b);
  result.conditions = {
    date: new Date().toISOString(),
    commits: COMMITS,
    gapMs: 15,
    tabs: ids,
    loadAverage: os.loadavg().map((x) => round(x, 2)),
    commitLatencyP50MsInPage: round(latencies[Math.floor(latencies.length / 2)]),
    note: 'traced (tracing itself slows every thread); compare runs of the same machine and load',
  };
  // One file, one entry per label (e.g. before / after a change): BENCH_TRACE_LABEL, default "latest".
  const label = process.env.BENCH_TRACE_LABEL ?? 'latest';
  let all = {};
  try {
    all = JSON.parse(readFileSync(OUTPUT, 'utf8'));
    if (all.hopMediansMs) all = {}; // an older single-run file
  } catch {
    all = {};
  }
  all[label] = result;
  mkdirSync(path.dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, `${JSON.stringify(all, null, 2)}\n`);
  log(`wrote ${path.relative(repoRoot, OUTPUT)}`);
  for (const line of result.medianCommit.timeline) log(line);
  log('hop medians (ms):', JSON.stringify(result.hopMediansMs));
} finally {
  await browser.close();
  await servers.close();
}

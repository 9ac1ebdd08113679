#!/usr/bin/env node
// Counts the postMessage calls of each tab's main thread (BroadcastChannel, MessagePort, Worker) and the time
// spent in them while the leader of 3 tabs runs the `execute` workload (20,000 commands of 100 B,
// 256 in flight). A diagnostic, not a benchmark: on a busy machine each post also costs a thread
// wake-up on the receiving side, so the number of posts per command is what to watch.
// Usage: node bench/post-census.mjs   (env INFLIGHT=n sets maxInflightAppends; BENCH_PAGES_PORT, BENCH_SIGNALING_PORT)
import { startBenchServers } from './servers.mjs';
import { launchChromium, leaderOf, openBenchTab } from './tabs.mjs';

const COMMANDS = 20_000;
const servers = await startBenchServers({
  pagesPort: Number(process.env.BENCH_PAGES_PORT ?? 5191),
  signalingPort: Number(process.env.BENCH_SIGNALING_PORT ?? 8791),
  log: () => {},
});
const browser = await launchChromium();
try {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const census = (window.__postCensus = {});
    for (const [name, proto] of [['BroadcastChannel', BroadcastChannel.prototype], ['Worker', Worker.prototype], ['MessagePort', MessagePort.prototype]]) {
      const post = proto.postMessage;
      proto.postMessage = function (...args) {
        const started = performance.now();
        try {
          return post.apply(this, args);
        } finally {
          const entry = (census[name] ??= { posts: 0, ms: 0 });
          entry.posts++;
          entry.ms += performance.now() - started;
        }
      };
    }
  });
  const key = `census-${Date.now()}`;
  const ids = ['census-a', 'census-b', 'census-c'];
  const inflight = process.env.INFLIGHT ? { maxInflightAppends: Number(process.env.INFLIGHT) } : {};
  const pages = [];
  for (const peerId of ids) pages.push(await openBenchTab(context, servers, { key, peerId, voters: ids.join(','), electionTimeoutMs: 1000, heartbeatMs: 100, ...inflight }));
  const leader = await leaderOf(pages);
  await leader.evaluate(() => window.bench.writes(30, 0, 1_000_000));
  for (const page of pages) await page.evaluate(() => Object.keys(window.__postCensus).forEach((k) => delete window.__postCensus[k]));
  const result = await leader.evaluate((n) => window.bench.throughput(n, 100, 256), COMMANDS);
  const rows = [];
  for (const page of pages) {
    const census = await page.evaluate(() => window.__postCensus);
    for (const [kind, { posts, ms }] of Object.entries(census)) {
      rows.push({ tab: page === leader ? 'leader' : 'follower', kind, posts, postsPerCommand: +(posts / COMMANDS).toFixed(4), msPerPost: +(ms / posts).toFixed(3) });
    }
  }
  console.log(JSON.stringify({ commandsPerSec: Math.round(COMMANDS / (result.ms / 1000)), longTasks: result.longTasks?.length ?? null }));
  console.table(rows);
} finally {
  await browser.close();
  await servers.close();
}

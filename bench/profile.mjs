#!/usr/bin/env node
// CPU profile of the leader tab's main thread (CDP Profiler) while it runs one workload of the
// browser benchmark; prints the functions with the most self time. A diagnostic, not a benchmark.
// Usage: node bench/profile.mjs [execute|many|latency]   (env BENCH_PAGES_PORT, BENCH_SIGNALING_PORT;
// BENCH_PROFILE_TARGET page|follower|worker|follower-worker; BENCH_PROFILE_CALLERS=f,g prints the
// call chains under which functions f and g spent their self time)
import { startBenchServers } from './servers.mjs';
import { launchChromium, leaderOf, openBenchTab } from './tabs.mjs';

const mode = process.argv[2] ?? 'many';
const log = (...args) => console.log('[bench:profile]', ...args);
const servers = await startBenchServers({ pagesPort: Number(process.env.BENCH_PAGES_PORT ?? 5189), signalingPort: Number(process.env.BENCH_SIGNALING_PORT ?? 8789), log });
const browser = await launchChromium();
try {
  const context = await browser.newContext();
  const key = `profile-${Date.now()}`;
  const ids = ['prof-a', 'prof-b', 'prof-c'];
  const pages = [];
  // Each tab's engine Worker, found as the worker target that appeared while the tab opened (every
  // engine Worker has the same name, so the title does not tell them apart).
  const browserSession = await browser.newBrowserCDPSession();
  const workerTargets = async () => (await browserSession.send('Target.getTargets')).targetInfos.filter((t) => t.type === 'worker');
  const workerOf = new Map();
  for (const peerId of ids) {
    const before = new Set((await workerTargets()).map((t) => t.targetId));
    const page = await openBenchTab(context, servers, { key, peerId, voters: ids.join(','), electionTimeoutMs: 1000, heartbeatMs: 100 }, { log });
    workerOf.set(page, (await workerTargets()).find((t) => !before.has(t.targetId)));
    pages.push(page);
  }
  const leader = await leaderOf(pages);
  await leader.evaluate(() => window.bench.writes(30, 0, 1_000_000));
  const target = process.env.BENCH_PROFILE_TARGET ?? 'page';
  let cdp;
  if (target === 'page') cdp = await context.newCDPSession(leader);
  else if (target === 'follower') cdp = await context.newCDPSession(pages.find((p) => p !== leader));
  else {
    // The leader's engine Worker: attach through the browser session (non-flattened, so plain
    // sendMessageToTarget carries the commands).
    // 'worker': the leader's engine Worker; 'follower-worker': a follower's.
    const tab = target === 'follower-worker' ? pages.find((p) => p !== leader) : leader;
    const info = workerOf.get(tab);
    if (!info) throw new Error('no engine Worker target was seen for that tab');
    const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId: info.targetId, flatten: false });
    let nextId = 1;
    const waiting = new Map();
    browserSession.on('Target.receivedMessageFromTarget', (event) => {
      const message = JSON.parse(event.message);
      if (message.id && waiting.has(message.id)) {
        waiting.get(message.id)(message.result);
        waiting.delete(message.id);
      }
    });
    cdp = {
      send: (method, params = {}) =>
        new Promise((resolve) => {
          const id = nextId++;
          waiting.set(id, resolve);
          void browserSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
        }),
    };
    log('profiling worker', info.title, info.url.split('/').pop());
  }
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const run =
    mode === 'many' ? leader.evaluate(() => window.bench.throughputMany(40_000, 100, 2000, 4))
    : mode === 'execute' ? leader.evaluate(() => window.bench.throughput(10_000, 100, 256))
    : leader.evaluate(() => window.bench.writes(300, 0, 1));
  const result = await run;
  const { profile } = await cdp.send('Profiler.stop');
  log(mode, JSON.stringify({ ms: result.ms, longTasks: result.longTasks?.length }));
  const self = new Map();
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const label = (node) => `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').pop()}:${node.callFrame.lineNumber}`;
  profile.samples.forEach((id, i) => {
    const name = label(byId.get(id));
    self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(ms.toFixed(1).padStart(8), 'ms', ((ms / total) * 100).toFixed(1).padStart(5), '%', name);
  if (process.env.BENCH_PROFILE_CALLERS) {
    const want = process.env.BENCH_PROFILE_CALLERS.split(',');
    const chains = new Map();
    profile.samples.forEach((id, i) => {
      let node = byId.get(id);
      if (!want.includes(node.callFrame.functionName)) return;
      const chain = [];
      for (let k = 0; k < 6 && parent.has(node.id); k++) {
        node = byId.get(parent.get(node.id));
        chain.push(label(node));
      }
      const key = chain.join(' < ');
      chains.set(key, (chains.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
    });
    for (const [k, ms] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log('caller', ms.toFixed(1), k);
  }
  // Busy stretches of 50 ms or more (runs of samples between idle ones: roughly the long tasks),
  // each with the functions that had the most self time in it and the entry points it ran.
  const entryOf = (id) => {
    let node = byId.get(id);
    while (parent.has(node.id) && byId.get(parent.get(node.id)).callFrame.functionName !== '(root)') node = byId.get(parent.get(node.id));
    return label(node);
  };
  let stretch = null;
  const runs = [];
  profile.samples.forEach((id, i) => {
    const idle = byId.get(id).callFrame.functionName === '(idle)';
    if (idle) {
      if (stretch) runs.push(stretch);
      stretch = null;
      return;
    }
    stretch ??= { ms: 0, self: new Map(), entries: new Map() };
    const ms = (dt[i] ?? 0) / 1000;
    const self = label(byId.get(id));
    const entry = entryOf(id);
    stretch.ms += ms;
    stretch.self.set(self, (stretch.self.get(self) ?? 0) + ms);
    stretch.entries.set(entry, (stretch.entries.get(entry) ?? 0) + ms);
  });
  if (stretch) runs.push(stretch);
  const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, ms]) => `${ms.toFixed(1)} ${n}`).join(' | ');
  for (const r of runs.filter((r) => r.ms >= 50)) {
    console.log(`busy ${r.ms.toFixed(1)} ms\n  self: ${top(r.self)}\n  entries: ${top(r.entries)}`);
  }
} finally {
  await browser.close();
  await servers.close();
}

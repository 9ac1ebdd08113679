#!/usr/bin/env node
// The consumer smoke test (`npm run test:consumer`; step 4 of `npm test`): meshraft installed the
// way users install it. The published packages are built and packed, the tarballs installed into a
// fresh app outside the workspace (a copy of consumer/app under the OS temp folder), and that app
// proves, with no workspace file in reach:
//   (d) the packed `meshraft-signal` runs with plain node, documents its flags and answers /healthz;
//   (e) a strict TypeScript program type-checks against the published .d.ts (nodenext and bundler);
//   (a) a Vite build forms a 3-tab group in Chromium: one leader, a follower's command applies in all;
//   (j) a React page of that build renders the group through @meshraft/react's hooks in 3 tabs;
//   (k) the app's Vite dev server (npx vite) serves 3 tabs that form a group;
//   (c) a plain Node 20 script joins that group through meshraft/node (@roamhq/wrtc) and reads a
//       strong query;
//   (b) a webpack 5 build (and an esbuild build) form a group;
//   (f) the Vite build forms a group in Firefox, and one group mixes Chromium, Firefox and Node;
//   (l) server-side rendering in plain Node: the browser createGroup and @meshraft/react's hooks
//       render the offline initial status with react-dom/server;
//   (g) tabs of the Vite build go through seeded random closes (every tab at times), reloads, crashes and opens while
//       every tab writes: a linearizable history, no acknowledged write lost, the group back online;
//       (h) the same over two browser profiles with signaling restarts; (i) the same in Firefox;
//       (m) the same on a long log that compacts (snapshots taken, restored, installed) all the time.
// Every check counts once in `npm test`'s totals (test-results/consumer.json). Options:
//   --keep         keep the temporary folder (its path is printed) to poke at the app afterwards.
//   --only <text>  run only the checks whose names contain <text> (repeatable), plus the build,
//                  pack, install and signaling checks they need; the others are listed, not counted.
// Env: CONSUMER_CHAOS_SEED replays the schedule of (g), (h), (i) or (m) (the seed is printed);
// CONSUMER_CHAOS_LONG_LOG="entries,pad,compactAfterEntries" changes (m)'s log (see LONG_LOG).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedPackages } from '../scripts/packages.mjs';
import { chaosSeed, runChaos } from './lib/chaos.mjs';
import { Checks, assert, waitFor } from './lib/checks.mjs';
import { buildAndPack, installApp, installedDir, run } from './lib/install.mjs';
import { followerCommandAppliesEverywhere, followerOf, openInOrder, problemsOf, waitForGroup, waitForTotal } from './lib/group.mjs';
import { launchChromium, launchFirefox, startNodePeer } from './lib/peers.mjs';
import { startPackedSignal, signalHelp, readmeFlags } from './lib/signal.mjs';
import { serveStatic } from './lib/static-server.mjs';
import { startViteDevServer } from './lib/dev-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const only = process.argv.flatMap((arg, i) => (process.argv[i - 1] === '--only' ? [arg] : []));
const work = mkdtempSync(path.join(os.tmpdir(), 'meshraft-consumer-'));
const appDir = path.join(work, 'app');
const checks = new Checks({ only });
const closers = [];
const runId = Math.random().toString(36).slice(2, 8);

console.log(`consumer test in ${work} (node ${process.version})`);

// ---- packages -----------------------------------------------------------------------------------
const PACKED = 'packages build and pack (npm run build, npm pack)';
const INSTALLED = 'the tarballs install into a fresh app outside the workspace (npm install --prefer-offline)';
const tarballs = await checks.run(PACKED, () => buildAndPack(root, path.join(work, 'tarballs')), { setup: true });

await checks.run(INSTALLED, () => installApp(root, appDir, tarballs), { needs: [PACKED], setup: true });

await checks.run('tarballs ship dist, sources and README only (no tests), and no tsx', async () => {
  for (const pkg of publishedPackages) {
    const listing = run('tar', ['tzf', tarballs[pkg.name]], work).trim().split('\n');
    const stray = listing.filter((f) => !/^package\/(dist\/|src\/|README\.md$|package\.json$)/.test(f));
    assert(stray.length === 0, `${pkg.name} ships ${stray.join(', ')}`);
    assert(listing.some((f) => f.startsWith('package/dist/')), `${pkg.name} ships no dist/`);
    assert(!listing.some((f) => /\.(test|spec)\.tsx?$/.test(f)), `${pkg.name} ships a test file`);
  }
  assert(!existsSync(path.join(appDir, 'node_modules/tsx')), 'tsx was installed: some package still depends on it at run time');
}, { needs: [INSTALLED] });

await checks.run('every export of every package imports in plain Node 20 (ESM, no loader)', async () => {
  const specifiers = [];
  for (const pkg of publishedPackages) {
    const manifest = JSON.parse(readFileSync(path.join(installedDir(appDir, pkg.name), 'package.json'), 'utf8'));
    for (const subpath of Object.keys(manifest.exports)) {
      // The Worker entry runs inside a Worker only (it installs the engine's message handler on `self`).
      if (subpath === './worker') continue;
      specifiers.push(subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
    }
  }
  const script = `for (const s of ${JSON.stringify(specifiers)}) { const m = await import(s); if (!Object.keys(m).length) throw new Error(s + ' exports nothing'); } console.log('ok');`;
  const out = run(process.execPath, ['--input-type=module', '-e', script], appDir);
  assert(out.trim() === 'ok', `unexpected output: ${out}`);
}, { needs: [INSTALLED] });

await checks.run('(l) server-side rendering in plain Node: the browser createGroup and the React hooks render the initial status; the start rejects pointing to the browser', async () => {
  // Nothing listens on the discard port: the group must not try to reach it anyway.
  const out = run(process.execPath, ['node/server-render.mjs', 'http://127.0.0.1:9'], appDir);
  const { html, status, started } = JSON.parse(out.trim().split('\n').at(-1));
  assert(html === '<p>online=false committed=0 value=undefined</p>', `server HTML: ${html}`);
  assert(status.online === false && status.committed === 0, `status: ${JSON.stringify(status)}`);
  assert(/runs in a browser page/.test(started) && /meshraft\/node/.test(started), `start: ${started}`);
}, { needs: [INSTALLED] });

// ---- (d) meshraft-signal ------------------------------------------------------------------------
const SIGNAL = '(d) the packed meshraft-signal starts with plain node and answers /healthz';
await checks.run('(d) npx meshraft-signal --help documents every flag of the package README', async () => {
  const help = signalHelp(appDir);
  assert(help.startsWith('usage: meshraft-signal'), `--help printed: ${help.slice(0, 200)}`);
  const inHelp = new Set(help.match(/--[a-z][a-z-]*/g));
  const inReadme = readmeFlags(path.join(installedDir(appDir, '@meshraft/signaling'), 'README.md'));
  assert(inReadme.size > 0, 'the packed README lists no flags');
  const undocumented = [...inHelp].filter((f) => f !== '--help' && !inReadme.has(f));
  const missing = [...inReadme].filter((f) => !inHelp.has(f));
  assert(undocumented.length === 0, `--help shows flags the README does not: ${undocumented.join(', ')}`);
  assert(missing.length === 0, `the README documents flags --help does not show: ${missing.join(', ')}`);
}, { needs: [INSTALLED] });

const signal = await checks.run(SIGNAL, async () => {
  const server = await startPackedSignal(appDir);
  closers.push(() => server.close());
  const response = await fetch(`${server.url}/healthz`);
  const health = await response.json();
  // A 404 answers JSON too ({ ok: false, error: 'not-found' }): the status and the fields tell them apart.
  assert(response.status === 200, `/healthz answered HTTP ${response.status}: ${JSON.stringify(health)}`);
  assert(health?.ok === true && Number.isInteger(health.rooms) && Number.isInteger(health.peers), `/healthz answered ${JSON.stringify(health)}`);
  return server;
}, { needs: [INSTALLED], setup: true });

// ---- (e) types ----------------------------------------------------------------------------------
await checks.run('(e) tsc --noEmit (strict) of a Node program against the published types (nodenext)', () =>
  run('npx', ['--no-install', 'tsc', '-p', 'types/tsconfig.nodenext.json'], appDir), { needs: [INSTALLED] });
await checks.run('(e) tsc --noEmit (strict, skipLibCheck false) of a browser + React + Node program against the published types (bundler)', () =>
  run('npx', ['--no-install', 'tsc', '-p', 'types/tsconfig.bundler.json'], appDir), { needs: [INSTALLED] });

// ---- builds -------------------------------------------------------------------------------------
const VITE = '(a) vite build of the app';
const WEBPACK = '(b) webpack 5 build of the app';
const ESBUILD = '(b) esbuild build of the app (meshraft/worker as a second entry point)';
/** Some chunk of the build still starts the engine Worker from a URL (the bundler kept the call). */
const startsWorker = (dir) => {
  const files = readdirSync(path.join(appDir, dir), { recursive: true }).filter((f) => f.endsWith('.js'));
  const starter = files.find((f) => /new Worker\(new URL\(/.test(readFileSync(path.join(appDir, dir, f), 'utf8')));
  assert(starter, `${dir}: no chunk starts the engine Worker`);
};
await checks.run(VITE, () => {
  run('npm', ['run', 'build:vite'], appDir);
  assert(existsSync(path.join(appDir, 'dist-vite/index.html')), 'no dist-vite/index.html');
  startsWorker('dist-vite');
}, { needs: [INSTALLED], setup: true });
await checks.run(WEBPACK, () => {
  run('npm', ['run', 'build:webpack'], appDir);
  assert(existsSync(path.join(appDir, 'dist-webpack/main.js')), 'no dist-webpack/main.js');
  startsWorker('dist-webpack');
}, { needs: [INSTALLED], setup: true });
await checks.run(ESBUILD, () => {
  run('npm', ['run', 'build:esbuild'], appDir);
  assert(existsSync(path.join(appDir, 'dist-esbuild/worker.js')), 'no dist-esbuild/worker.js');
  startsWorker('dist-esbuild');
}, { needs: [INSTALLED], setup: true });

// ---- groups -------------------------------------------------------------------------------------
const pages = await serveStatic(appDir);
closers.push(() => pages.close());
/** The app's page at `base` (a build's folder on the static server, or the dev server) for group `key`. */
const pageUrl = (base, key, extra = '', signaling = signal?.url ?? '') =>
  `${base}/index.html?key=${encodeURIComponent(key)}&signaling=${encodeURIComponent(signaling)}${extra}`;
const appUrl = (build, ...rest) => pageUrl(`${pages.url}/${build}`, ...rest);

let chromium = null;
let firefox = null;
closers.push(async () => {
  await chromium?.close();
  await firefox?.close();
});

/**
 * Runs a group scenario: `fn(track)` opens peers through `track(promise)`; on failure the error gets
 * the peers' console errors and stderr appended. A scenario passes only if no peer reported any.
 * Its peers are closed at the end unless `keepOpen` (a later scenario goes on with them). Problems
 * matching one of `expected` are not counted (noise the scenario itself causes).
 */
async function scenario(fn, { keepOpen = false, expected = [] } = {}) {
  const peers = [];
  const track = async (opening) => {
    const peer = await opening;
    peers.push(peer);
    return peer;
  };
  try {
    const value = await fn(track);
    const problems = problemsOf(peers).filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    assert(problems.length === 0, `the peers reported problems:\n${problems.join('\n')}`);
    return value;
  } catch (error) {
    const problems = problemsOf(peers);
    if (problems.length && error instanceof Error && !error.message.includes(problems[0])) {
      error.message += `\npeer problems:\n${problems.slice(0, 20).join('\n')}`;
    }
    throw error;
  } finally {
    if (!keepOpen) for (const peer of peers.reverse()) await peer.close().catch(() => {});
  }
}

const VITE_GROUP = '(a) 3 Chromium tabs of the Vite build form a group: one leader, a follower command applies in all three';
const NODE_JOINS = "(c) a plain Node script joins the tabs' group through meshraft/node and reads a strong query";
const WEBPACK_GROUP =
  '(b) 2 tabs of the webpack build (one with worker: false) and 1 of the esbuild build form a group; a follower command applies in all';
const FIREFOX_GROUP = '(f) 3 Firefox tabs of the Vite build form a group: one leader, a follower command applies in all three';
const MIXED_GROUP = '(f) one group mixes a Chromium tab, a Firefox tab and a Node peer; each one\'s command applies in all';

const viteKey = `vite-group-key-${runId}`;
let viteProfile = null;
let viteTabs = [];
closers.push(() => viteProfile?.close());

await checks.run(VITE_GROUP, () =>
  scenario(async (track) => {
    chromium ??= await launchChromium();
    viteProfile = await chromium.newProfile();
    viteTabs = await openInOrder([0, 1, 2].map((i) => () => track(viteProfile.open(appUrl('dist-vite', viteKey), `chromium vite tab ${i}`))));
    const leader = await waitForGroup(viteTabs, 3);
    await followerCommandAppliesEverywhere(viteTabs, leader, 5, 0);
  }, { keepOpen: true }), { needs: [VITE, SIGNAL] });

await checks.run(NODE_JOINS, () =>
  scenario(async (track) => {
    const node = await track(startNodePeer(appDir, viteKey, signal.url, 'node peer'));
    await waitForGroup([...viteTabs, node], 4);
    // A write after the Node peer joined: its strong (linearizable) read must see it.
    const index = await viteTabs[0].execute(7);
    const { result, position } = await node.query('total', 'strong');
    assert(result === 12, `the Node peer's strong query read ${result}, not 5 + 7`);
    assert(position >= index, `the strong query was answered at ${position}, before the write at ${index}`);
    await waitForTotal([...viteTabs, node], index, 12);
  }), { needs: [VITE_GROUP] });
await viteProfile?.close();
viteProfile = null;

const REACT_GROUP =
  '(j) a React page of the Vite build renders the group through the installed @meshraft/react in 3 Chromium tabs: each draws online and the one leader; clicks in a follower tab show the new total (weak and strong) in all three';
/** What a tab of the React page drew: the data-* attributes of its #board. */
const drawn = (tab) => tab.page.evaluate(() => ({ ...document.getElementById('board')?.dataset }));

await checks.run(REACT_GROUP, () =>
  scenario(async (track) => {
    chromium ??= await launchChromium();
    const profile = await chromium.newProfile();
    try {
      const url = appUrl('dist-vite', `react-group-${runId}`, '&add=4').replace('/index.html?', '/react.html?');
      const tabs = await openInOrder([0, 1, 2].map((i) => () => track(profile.open(url, `chromium react tab ${i}`))));
      const leader = await waitForGroup(tabs, 3);
      const drawsTotal = (total) => async () => {
        const views = await Promise.all(tabs.map(drawn));
        const ok = views.every((v) => v.online === 'true' && v.leader === leader && v.total === total && v.strongTotal === total);
        return { ok, detail: JSON.stringify(views) };
      };
      await waitFor(`every React tab draws online, leader ${leader} and total 0`, drawsTotal('0'));
      const follower = await followerOf(tabs, leader);
      // The button is disabled while its call is pending: the second click waits for the first.
      await follower.page.click('#add');
      await follower.page.click('#add');
      await waitFor('every React tab draws total 8 (weak and strong)', drawsTotal('8'));
      const mine = await drawn(follower);
      assert(mine.lastResult === '8' && Number(mine.lastIndex) > 0, `useExecute drew lastResult ${mine.lastResult} at ${mine.lastIndex}`);
      assert(Number(mine.committed) >= Number(mine.lastIndex), `useCommitted drew ${mine.committed}, below the write at ${mine.lastIndex}`);
      assert(mine.error === '', `useExecute drew an error: ${mine.error}`);
    } finally {
      await profile.close();
    }
  }), { needs: [VITE, SIGNAL] });

const DEV_SERVER_GROUP =
  '(k) 3 Chromium tabs served by the app\'s Vite dev server (npx vite) form a group, each engine in its own Worker; a follower command applies in all three';

await checks.run(DEV_SERVER_GROUP, () =>
  scenario(async (track) => {
    chromium ??= await launchChromium();
    const dev = await startViteDevServer(appDir);
    const profile = await chromium.newProfile();
    try {
      // The first load also makes Vite pre-bundle meshraft's dependencies (it may reload the page).
      const url = pageUrl(dev.url, `dev-server-group-${runId}`);
      const tabs = await openInOrder([0, 1, 2].map((i) => () => track(profile.open(url, `chromium dev-server tab ${i}`))));
      const leader = await waitForGroup(tabs, 3);
      for (const tab of tabs) {
        const workers = tab.page.workers().map((w) => w.url());
        assert(workers.some((u) => u.includes('/node_modules/meshraft/')), `${tab.label} runs no engine Worker from meshraft (workers: ${workers.join(', ') || 'none'})`);
      }
      await followerCommandAppliesEverywhere(tabs, leader, 6, 0);
    } finally {
      await profile.close();
      await dev.close();
    }
  }), { needs: [INSTALLED, SIGNAL] });

await checks.run(WEBPACK_GROUP, () =>
  scenario(async (track) => {
    chromium ??= await launchChromium();
    const profile = await chromium.newProfile();
    try {
      const key = `webpack-group-${runId}`;
      const tabs = await openInOrder([
        () => track(profile.open(appUrl('dist-webpack', key), 'chromium webpack tab 0')),
        // The engine on the main thread: the lazily imported in-process engine chunk must load too.
        () => track(profile.open(appUrl('dist-webpack', key, '&worker=false'), 'chromium webpack tab (worker: false)')),
        () => track(profile.open(appUrl('dist-esbuild', key), 'chromium esbuild tab')),
      ]);
      const leader = await waitForGroup(tabs, 3);
      await followerCommandAppliesEverywhere(tabs, leader, 3, 0);
    } finally {
      await profile.close();
    }
  }), { needs: [WEBPACK, ESBUILD, SIGNAL] });

await checks.run(FIREFOX_GROUP, () =>
  scenario(async (track) => {
    firefox ??= await launchFirefox();
    const profile = await firefox.newProfile();
    try {
      const key = `firefox-group-${runId}`;
      const tabs = await openInOrder([0, 1, 2].map((i) => () => track(profile.open(appUrl('dist-vite', key), `firefox vite tab ${i}`))));
      const leader = await waitForGroup(tabs, 3);
      await followerCommandAppliesEverywhere(tabs, leader, 5, 0);
    } finally {
      await profile.close();
    }
  }), { needs: [VITE, SIGNAL] });

await checks.run(MIXED_GROUP, () =>
  scenario(async (track) => {
    chromium ??= await launchChromium();
    firefox ??= await launchFirefox();
    const key = `mixed-group-key-${runId}`;
    const chromiumProfile = await chromium.newProfile();
    const firefoxProfile = await firefox.newProfile();
    try {
      const peers = await openInOrder([
        () => track(chromiumProfile.open(appUrl('dist-vite', key), 'chromium tab')),
        () => track(firefoxProfile.open(appUrl('dist-vite', key), 'firefox tab')),
        () => track(startNodePeer(appDir, key, signal.url, 'node peer')),
      ]);
      await waitForGroup(peers, 3);
      let total = 0;
      let index = 0;
      for (const [peer, add] of peers.map((p, i) => [p, 10 ** i])) {
        index = await peer.execute(add);
        total += add;
      }
      await waitForTotal(peers, index, total);
      const { result } = await peers[1].query('total', 'strong');
      assert(result === total, `the Firefox tab's strong query read ${result}, not ${total}`);
    } finally {
      for (const close of [() => chromiumProfile.close(), () => firefoxProfile.close()]) await close().catch(() => {});
    }
  }), { needs: [VITE, SIGNAL] });

/**
 * Check `letter`'s chaos run (lib/chaos.mjs) in the tabs of one fresh profile of `newProfile()`;
 * `query` is added to the page's (e.g. '&compactAfterEntries=1000').
 */
async function chaosInOneProfile(letter, track, newProfile, key, options = {}, query = '') {
  const seed = chaosSeed();
  console.log(`    (${letter}) seed ${seed}; replay: CONSUMER_CHAOS_SEED=${seed} node consumer/run.mjs --only '(${letter})'`);
  const profile = await newProfile();
  try {
    await runChaos({ profiles: [profile], url: appUrl('dist-vite', key, `&machine=registers${query}`), seed, track, ...options });
  } finally {
    await profile.close();
  }
}

const CHAOS =
  '(g) 45 s of seeded random closes (at times of every tab, then reopened), reloads, crashes and opens of Vite-build tabs, a writer in each: linearizable, no acknowledged write lost, back online';
await checks.run(CHAOS, () =>
  scenario((track) => chaosInOneProfile('g', track, async () => (chromium ??= await launchChromium()).newProfile(), `chaos-group-${runId}`)),
  { needs: [VITE, SIGNAL], timeoutMs: 360_000 });

const CHAOS_DEVICES =
  '(h) 45 s of the same chaos with the tabs spread over two browser profiles (WebRTC only between them) and signaling-server restarts: likewise';
// A server of its own, so that restarting it cuts no other check's group. While it is down, the
// browser itself logs each refused WebSocket to it as a console error: expected, not the app's.
let chaosServer = null;
await checks.run(CHAOS_DEVICES, () =>
  scenario(async (track) => {
    const seed = chaosSeed();
    console.log(`    (h) seed ${seed}; replay: CONSUMER_CHAOS_SEED=${seed} node consumer/run.mjs --only '(h)'`);
    chromium ??= await launchChromium();
    const server = (chaosServer = await startPackedSignal(appDir));
    const profiles = [await chromium.newProfile(), await chromium.newProfile()];
    try {
      const url = appUrl('dist-vite', `chaos-devices-${runId}`, '&machine=registers', server.url);
      await runChaos({ profiles, url, seed, track, signal: server, figuresName: 'consumer-chaos-devices' });
    } finally {
      for (const profile of profiles) await profile.close().catch(() => {});
      await server.close();
    }
  }, { expected: [refusedWebSocket(() => chaosServer?.url)] }), { needs: [VITE, SIGNAL], timeoutMs: 420_000 });

const CHAOS_FIREFOX =
  '(i) 45 s of the same chaos in Firefox tabs (closes, reloads and opens; no renderer crashes, which only Chromium lets a test cause): likewise';
// Headless Firefox tabs are hidden, so the writers' 100 ms pauses take a second (Firefox's timer
// throttling of background tabs): about a third of Chromium's operations, hence lower floors. A
// schedule that closes every tab six times in its 45 s leaves still fewer: each reopen takes
// Firefox 4-10 s before the writers go on (seed 1184717615: 78 operations, 59 of them acknowledged
// writes, every check passed), and up to 21 s on a busy machine (seed 1882711305, six of its 11
// actions closing every tab, at load average 8: 53 operations, 44 acknowledged writes, every
// other check passed). The floors only say the run was not vacuous.
const FIREFOX_CHAOS_FLOORS = { actions: 8, completedOps: 40, acknowledgedWrites: 30 };
await checks.run(CHAOS_FIREFOX, () =>
  scenario((track) =>
    chaosInOneProfile('i', track, async () => (firefox ??= await launchFirefox()).newProfile(), `chaos-firefox-${runId}`, {
      crashes: false,
      floors: FIREFOX_CHAOS_FLOORS,
      figuresName: 'consumer-chaos-firefox',
    })),
  { needs: [VITE, SIGNAL], timeoutMs: 360_000 });

/**
 * (m)'s log: puts appended before the chaos (more than the engine's catch-up threshold of 4,096
 * entries, so a new tab catches up through a catch-up session), the characters each is padded with,
 * and the compaction threshold (the log compacts every so many entries: tabs that reopen restore a
 * snapshot, new ones install one, and the chaos's own writes compact it again).
 */
const LONG_LOG = (() => {
  const given = process.env.CONSUMER_CHAOS_LONG_LOG;
  const [entries, pad, compactAfterEntries] = given ? given.split(',').map(Number) : [6000, 100, 1000];
  const valid = [entries, pad, compactAfterEntries].every((n) => Number.isSafeInteger(n) && n >= 0) && compactAfterEntries > 0;
  assert(valid, `CONSUMER_CHAOS_LONG_LOG=${given}: expected "entries,pad,compactAfterEntries", non-negative integers, like 6000,100,1000`);
  return { entries, pad, compactAfterEntries };
})();
const CHAOS_COMPACTING =
  `(m) 45 s of the same chaos on a long log that compacts (${LONG_LOG.entries} puts first, a snapshot every ${LONG_LOG.compactAfterEntries} entries): likewise, every preloaded put there`;
await checks.run(CHAOS_COMPACTING, () =>
  scenario((track) =>
    chaosInOneProfile('m', track, async () => (chromium ??= await launchChromium()).newProfile(), `chaos-compacting-${runId}`, {
      preload: { entries: LONG_LOG.entries, pad: LONG_LOG.pad },
      compacting: true,
      figuresName: 'consumer-chaos-compacting',
    }, `&compactAfterEntries=${LONG_LOG.compactAfterEntries}`)),
  { needs: [VITE, SIGNAL], timeoutMs: 420_000 });

/**
 * Matches the browser's own console errors about the WebSocket to the signaling server at url()
 * while it restarts: the connection refused while it was down, answered 503 while it shut down (ws
 * refuses upgrades then) or cut; and Chromium's notice when socket.io-client wrote to a WebSocket
 * the server had just closed (it names no URL).
 */
function refusedWebSocket(url) {
  return {
    test: (problem) => {
      const at = url();
      if (!at) return false;
      const ws = at.replace(/^http/, 'ws');
      if (problem.endsWith('console: WebSocket is already in CLOSING or CLOSED state.')) return true;
      return problem.includes(`console: WebSocket connection to '${ws}/socket.io/`) && problem.includes("' failed: ");
    },
  };
}

// ---- report -------------------------------------------------------------------------------------
for (const close of closers.reverse()) await Promise.resolve().then(close).catch(() => {});
if (keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });

const { passed, failed } = checks.counts;
mkdirSync(path.join(root, 'test-results'), { recursive: true });
writeFileSync(path.join(root, 'test-results/consumer.json'), `${JSON.stringify({ passed, failed, checks: checks.results }, null, 2)}\n`);
const unselected = checks.unselected.length ? `, ${checks.unselected.length} not selected (--only)` : '';
console.log(`\nconsumer: ${passed} passed, ${failed} failed${unselected}`);
process.exit(failed === 0 ? 0 : 1);

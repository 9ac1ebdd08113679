// The signaling server only introduces peers: once tabs are linked over WebRTC, losing the server
// changes nothing for them. Three tabs, each in its own browser context (its own profile), run the
// chaos spec's client (put / strong get / cas, history kept in Node); the server is stopped for
// 10 s (SIGTERM, or SIGKILL: no goodbye at all) and started again on the same port. Meanwhile: no
// operation fails, the leader and term stay, no link drops. A tab opened during the outage (a new
// profile, no local data) joins the existing group once the server is back: it must never
// bootstrap a second group. Likewise with two servers sharing rooms through Redis, tabs split
// between them, one of them killed and restarted. Figures: test-results/figures/outage-*.json.
//
// These specs start their own servers (the shared one must stay up for other specs), on the ports
// after E2E_SIGNALING_PORT (+1 .. +4). The first tab bootstraps explicitly (?bootstrap=true): a
// freshly started server cannot yet vouch that a room is empty (its uptime is below the mesh's
// re-register bound), which would only delay the setup; every other tab uses the default rules.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import type { PeerMeshStats } from '@meshraft/webrtc';
import { callWindowFunction, collectConsoleErrors, uniqueName, type ConsoleErrors } from './support';
import { getValue, openPeer, pageOf, started, stats, status, waitForGroup } from './pages/runtime/harness';
import { History } from './support/history';
import { DEFAULT_TIMING, pause, recordFigures } from './support/lifecycle';
import { startRedisProcess, startSignalingProcess, type ServerProcess } from './support/processes';

const PORT = Number(process.env.E2E_SIGNALING_PORT ?? 8788);
const OUTAGE_MS = 10_000;
/** What Chromium logs while a tab's signaling server is away (socket.io retrying): expected here. */
const SERVER_AWAY = [/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/socket\.io\/[^']*' failed: .*ERR_CONNECTION_REFUSED/];

interface Outage {
  /** Signaling URL of each of the three tabs, and of the tab opened during the outage. */
  tabUrls: [string, string, string];
  newTabUrl: string;
  down(): Promise<void>;
  up(): Promise<void>;
}

/** Every link-drop counter of the tab's mesh (closed channel, heartbeat timeout, replaced link, peer gone). */
async function linkDrops(page: Page): Promise<PeerMeshStats['linkDrops']> {
  // GroupStats.mesh is the mesh's own stats object (typed loosely by the runtime).
  return { ...((await stats(page)).mesh as unknown as PeerMeshStats).linkDrops };
}

const totalDrops = (drops: Array<PeerMeshStats['linkDrops']>) => drops.reduce((sum, d) => sum + Object.values(d).reduce((a, b) => a + b, 0), 0);

async function runOutage(browser: Browser, name: string, outage: Outage): Promise<void> {
  const key = uniqueName(name);
  const history = new History();
  const contexts: BrowserContext[] = [];
  const watchers: ConsoleErrors[] = [];
  const openTab = async (signaling: string, label: string, extra: Record<string, string> = {}) => {
    const context = await browser.newContext();
    contexts.push(context);
    await history.bind(context);
    const page = await openPeer(context, { key, signaling, ...DEFAULT_TIMING, ...extra });
    watchers.push(collectConsoleErrors(page, { label, ignore: SERVER_AWAY }));
    return page;
  };
  try {
    const pages: Page[] = [];
    for (const [i, url] of outage.tabUrls.entries()) {
      const page = await openTab(url, `tab${i}`, i === 0 ? { bootstrap: 'true' } : {});
      await started(page);
      pages.push(page);
    }
    const leaderId = await waitForGroup(pages, 3);
    for (const [i, page] of pages.entries()) {
      await callWindowFunction<void>(page, 'meshraft.startWriter', { client: `w${i}`, keys: ['a', 'b', 'c'], pauseMs: 100 });
    }
    const leader = await pageOf(pages, leaderId);
    const before = await Promise.all(pages.map(status));
    const dropsBefore = await Promise.all(pages.map(linkDrops));

    await outage.down();
    const downAt = history.now();
    const late = await openTab(outage.newTabUrl, 'late');
    const lateStarted = started(late);
    await pause(OUTAGE_MS / 2);
    const latest = `written-during-the-outage-${Date.now()}`;
    await callWindowFunction<number>(leader, 'meshraft.set', 'latest', latest);
    await pause(Math.max(0, downAt + OUTAGE_MS - history.now()));
    const duringOutage = history.counts(downAt, history.now());
    await outage.up();
    const upAt = history.now();

    await lateStarted;
    await expect.poll(async () => (await status(late)).online, { timeout: 60_000 }).toBe(true);
    const joinMs = Math.round(history.now() - upAt);
    const lateStats = await stats(late);
    expect(lateStats.bootstrapped, 'the tab opened during the outage bootstrapped a second group').toBe(false);
    expect((await getValue(late, 'latest', 'strong')).result).toBe(latest);

    const issued = await Promise.all(pages.map((page) => callWindowFunction<number>(page, 'meshraft.stopWriter')));
    const after = await Promise.all(pages.map(status));
    const dropsAfter = await Promise.all(pages.map(linkDrops));
    const leaderChanges = after.filter((s, i) => s.term !== before[i].term || s.leader !== before[i].leader).length;
    const all = history.counts();
    const verdict = history.check();
    recordFigures(`outage-${name}`, {
      outageMs: OUTAGE_MS,
      opsDuringOutage: duringOutage.completed,
      failedWrites: all.failed + all.unanswered,
      leaderChanges,
      linkDrops: totalDrops(dropsAfter) - totalDrops(dropsBefore),
      newTabJoinAfterRestartMs: joinMs,
      verdict: verdict.status,
    });
    // The clients kept working through the outage (so the checks below are not vacuous).
    expect(issued.every((n) => n > 0)).toBe(true);
    expect(duringOutage.completed).toBeGreaterThan(10);
    expect(all.failed + all.unanswered, JSON.stringify(all.errors)).toBe(0);
    expect(leaderChanges).toBe(0);
    expect(dropsAfter).toEqual(dropsBefore);
    expect(verdict, JSON.stringify(verdict)).toMatchObject({ status: 'ok' });
    await waitForGroup([...pages, late], 4);
  } finally {
    const errors = watchers.flatMap((w) => w.errors);
    for (const w of watchers) w.stop();
    for (const context of contexts) await context.close();
    expect(errors, 'console errors in the tabs').toEqual([]);
  }
}

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  test(`signaling server stopped with ${signal} for 10 s: no failed write, no leader change, no link drop; a tab opened meanwhile joins after the restart`, async ({ browser }) => {
    test.setTimeout(180_000);
    let server: ServerProcess | null = await startSignalingProcess(PORT + 1);
    const url = server.url;
    try {
      await runOutage(browser, signal.toLowerCase(), {
        tabUrls: [url, url, url],
        newTabUrl: url,
        down: async () => {
          await server!.stop(signal);
          server = null;
        },
        up: async () => {
          server = await startSignalingProcess(PORT + 1);
        },
      });
    } finally {
      await server?.stop();
    }
  });
}

test('two signaling servers sharing rooms through Redis, tabs split between them, one killed for 10 s and restarted: likewise', async ({ browser }) => {
  test.setTimeout(180_000);
  const redis = await startRedisProcess(PORT + 2);
  const servers: Array<ServerProcess | null> = [];
  try {
    servers.push(await startSignalingProcess(PORT + 3, redis.url), await startSignalingProcess(PORT + 4, redis.url));
    const [a, b] = servers.map((s) => s!.url);
    await runOutage(browser, 'redis-pair', {
      tabUrls: [a, a, b],
      newTabUrl: b,
      down: async () => {
        await servers[1]!.stop('SIGKILL');
        servers[1] = null;
      },
      up: async () => {
        servers[1] = await startSignalingProcess(PORT + 4, redis.url);
      },
    });
  } finally {
    for (const server of servers) await server?.stop();
    await redis.stop();
  }
});

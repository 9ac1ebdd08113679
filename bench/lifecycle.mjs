// The lifecycle rows of the browser benchmark (browser.mjs): fresh tabs until online (join), writes
// resuming after the leader's tab closes or crashes (failover), and the group writing again after
// every tab crashed and the tabs were restored at once (restore), as a user feels each of them.
import { BENCH_CONFIG, benchLog, leaderOf, openBenchTab, openSources, round, sleep, statusOf, waitUntil } from './tabs.mjs';

/** How long the surviving tab writes before the leader's tab goes away. */
const FAILOVER_SETTLE_MS = Number(process.env.BENCH_FAILOVER_SETTLE_MS ?? 300);

/** reregisterBoundMs with the default client settings (reconnect backoff 10 s + join timeout 10 s), plus a margin. */
const YOUNG_SERVER_MS = 21_000;

/** Waits until every one of `pages` is online (its bench page noted `onlineAt`). */
function untilOnline(pages, what) {
  return waitUntil(async () => (await Promise.all(pages.map((p) => p.evaluate(() => window.bench.onlineAt)))).every((t) => t !== null), what, 60_000, 20);
}

/**
 * Where a tab's start-up went: the runtime's User Timing marks (launch.ts markStartup), each the
 * first of its name, in ms since the tab's navigation start.
 */
function startupMarks(page) {
  return page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('meshraft:')).reverse().map((m) => [m.name.slice(9), Math.round(m.startTime)])));
}

/**
 * `identities` 'default': each tab takes its identity as an app's tabs do (no `peerId`: a slot of the
 * browser profile, claimed under the start-up lock); 'fixed': the `peerId` option (each tab decides
 * from the room's gossip instead; the row's figures before the default run was added).
 */
export async function measureJoin(browser, servers, identities = 'default') {
  // New tabs do not trust an empty room while the signaling server is young (its first 20 s with the
  // default client settings: a restart must not make a second group). This row measures tabs opening
  // against a server that has been running, as users mostly meet it (BENCH_ONLY=join runs it first).
  const youngForMs = servers.signalingStartedAt + YOUNG_SERVER_MS - Date.now();
  if (youngForMs > 0) await new Promise((resolve) => setTimeout(resolve, youngForMs));
  const context = await browser.newContext();
  try {
    const key = `join-${identities}-${Date.now()}`;
    const idOf = (peerId) => (identities === 'fixed' ? peerId : undefined);
    const ids = ['join-a', 'join-b', 'join-c'];
    // Opened together, as a user restoring a session would.
    const pages = await Promise.all(ids.map((peerId) => openBenchTab(context, servers, { key, peerId: idOf(peerId), ...BENCH_CONFIG }, { log: benchLog, wait: false })));
    await untilOnline(pages, 'all tabs online');
    // onlineAt is performance.now() in each tab: milliseconds since that tab's navigation started.
    const onlineMs = await Promise.all(pages.map((p) => p.evaluate(() => window.bench.onlineAt)));
    // A fourth tab joining the formed group.
    const fourth = await openBenchTab(context, servers, { key, peerId: idOf('join-d'), ...BENCH_CONFIG }, { log: benchLog, wait: false });
    await untilOnline([fourth], 'the fourth tab online');
    const fourthMs = await fourth.evaluate(() => window.bench.onlineAt);
    return {
      identities,
      freshTabsOnlineMs: onlineMs.map((x) => round(x, 1)),
      maxFreshTabOnlineMs: round(Math.max(...onlineMs), 1),
      joiningTabOnlineMs: round(fourthMs, 1),
      measuredFrom: 'each tab\'s navigation start',
      phasesMs: { fresh: await Promise.all(pages.map(startupMarks)), joining: await startupMarks(fourth) },
    };
  } finally {
    await context.close();
  }
}

/** Writes resume on the survivors after the leader's tab goes away (`how`: 'close' | 'crash'). */
export async function measureFailover(browser, servers, how) {
  const context = await browser.newContext();
  try {
    const key = `failover-${how}-${Date.now()}`;
    // Each tab's own identity, as a user's tabs have (no `peerId`): a closing tab departs. With
    // 'close-fixed-id' the tabs have fixed ids (the `peerId` option): a closing leader only hands
    // leadership over (TimeoutNow), it cannot depart.
    const fixedIds = how === 'close-fixed-id';
    const pages = await openSources(context, servers, key, ['fo-a', 'fo-b', 'fo-c'], fixedIds ? {} : { peerId: undefined });
    const leader = await leaderOf(pages);
    const survivor = pages.find((p) => p !== leader);
    await survivor.evaluate(() => window.bench.writes(20, 0, 1_000_000));
    // The survivor writes continuously; the first write that completes after the loss is when
    // writes resumed (each write is retried by the client until it commits).
    await survivor.evaluate(() => {
      window.__resumes = [];
      window.__writing = true;
      void (async () => {
        let m = 2_000_000;
        while (window.__writing) {
          const start = performance.now();
          try {
            await window.bench.group.execute({ k: 'fo', v: String(m), m: m++ }, { timeoutMs: 10_000 });
            // The term this tab knows once the write is applied here: a later one than before the
            // loss means the write was committed under the new leader.
            window.__resumes.push([start, performance.now(), window.bench.group.status.term, Date.now()]);
          } catch {
            window.__resumes.push([start, -1]);
          }
        }
      })();
    });
    await sleep(FAILOVER_SETTLE_MS);
    const { peerId: leaderBefore, term: termBefore } = await statusOf(leader);
    if (how !== 'crash') {
      // When the closing page's pagehide starts, on the wall clock every page of this browser shares
      // (a capture listener runs before meshraft's own). The time from the close call includes
      // Playwright's round trip to the browser, which is not the failover.
      await leader.evaluate(() =>
        addEventListener('pagehide', () => localStorage.setItem('bench:pagehide-at', String(Date.now())), { capture: true }),
      );
    }
    const lostAt = await survivor.evaluate(() => performance.now());
    if (how !== 'crash') await leader.close({ runBeforeUnload: true });
    else {
      const cdp = await context.newCDPSession(leader);
      // The crashed target never answers this command: do not wait for it.
      void cdp.send('Page.crash').catch(() => undefined);
    }
    // Keep writing long enough for an election after a crash (2.5 election timeouts), then until a
    // write completed after the loss.
    await sleep(2.5 * BENCH_CONFIG.electionTimeoutMs);
    await waitUntil(() => survivor.evaluate((t) => window.__resumes.some(([, end]) => end > t), lostAt), 'writes to resume', 30_000, 20);
    const resumes = await survivor.evaluate(() => {
      window.__writing = false;
      return window.__resumes;
    });
    // Writes the old leader committed just before the loss may still complete just after it: writes
    // resumed when the first write committed under the new leader (a later term) completed. The
    // longest pause between completed writes later on is reported apart: a hiccup seconds after the
    // loss is not the failover (an earlier version of this row took the longest pause after the
    // loss, and so reported a ~40 ms pause two seconds later as a two-second failover).
    const done = resumes.filter(([, end]) => end > 0);
    const firstNew = done.find(([, end, term]) => end > lostAt && term > termBefore);
    const resumedAt = firstNew ? firstNew[1] : null;
    const pagehideAt = how === 'crash' ? null : Number(await survivor.evaluate(() => localStorage.getItem('bench:pagehide-at')));
    const gaps = [];
    const gapsAfter = [];
    for (let i = 1; i < done.length; i++) {
      const gap = done[i][1] - done[i - 1][1];
      if (done[i][1] < lostAt) gaps.push(gap);
      else if (resumedAt !== null && done[i - 1][1] >= resumedAt) gapsAfter.push(gap);
    }
    const { leader: leaderAfter, peerId: writer } = await statusOf(survivor);
    return {
      how,
      leaderBefore,
      leaderAfter,
      // The tab that kept writing: whether it became the leader changes what a write waits for.
      writer,
      resumedAfterMs: resumedAt === null ? null : round(resumedAt - lostAt, 1),
      // From the closing page's pagehide (1 ms resolution: the wall clock).
      resumedAfterPagehideMs: firstNew && pagehideAt ? firstNew[3] - pagehideAt : null,
      longestGapBeforeLossMs: gaps.length ? round(Math.max(...gaps), 1) : null,
      longestGapAfterResumeMs: gapsAfter.length ? round(Math.max(...gapsAfter), 1) : null,
      failedWrites: resumes.filter(([, end]) => end < 0).length,
      note: {
        close: "page.close with pagehide; each tab's own identity, so the leader departs (notice, successors, TimeoutNow)",
        'close-fixed-id': 'page.close with pagehide; fixed peer ids, so the leader only hands over (TimeoutNow to its most caught-up voter)',
        crash: "renderer crashed (CDP Page.crash): no pagehide; the tabs left learn it from the crashed tab's released Web Lock and elect a new leader without waiting the election timeout",
      }[how],
    };
  } finally {
    await context.close();
  }
}

/**
 * Every tab of a group of 3 crashes (renderer crash: no pagehide, so no tab departs), and a moment
 * later the browser restores them, all at once: the new tabs adopt the crashed identities and their
 * logs, and with no leader left to hear from they elect one. Measured from the restore (the calls
 * that open the tabs): each tab online, and the first write acknowledged, and where each tab's
 * start-up went (the runtime's User Timing marks, ms since that tab's navigation start).
 */
export async function measureRestore(browser, servers) {
  const context = await browser.newContext();
  try {
    const key = `restore-${Date.now()}`;
    const open = () => openBenchTab(context, servers, { key, peerId: undefined, ...BENCH_CONFIG }, { log: benchLog, wait: false });
    let pages = await openSources(context, servers, key, ['rs-a', 'rs-b', 'rs-c'], { peerId: undefined });
    await leaderOf(pages);
    await pages[0].evaluate(() => window.bench.writes(5, 0, 3_000_000));
    await Promise.all(
      pages.map(async (page) => {
        const crashed = page.waitForEvent('crash');
        const cdp = await context.newCDPSession(page);
        void cdp.send('Page.crash').catch(() => undefined);
        await crashed;
        await page.close();
      }),
    );
    await sleep(500);
    const restoredAt = Date.now();
    pages = await Promise.all([open(), open(), open()]);
    await untilOnline(pages, 'all restored tabs online');
    const onlineAt = await Promise.all(pages.map((p) => p.evaluate(() => performance.timeOrigin + window.bench.onlineAt)));
    await pages[0].evaluate(() => window.bench.started());
    await pages[0].evaluate(() => window.bench.writes(1, 0, 3_100_000));
    const wroteAt = Date.now();
    const phases = await Promise.all(pages.map(startupMarks));
    const slots = await Promise.all(pages.map((p) => p.evaluate(() => window.bench.stats().then((s) => s.slotChoice))));
    return {
      tabsOnlineAfterRestoreMs: onlineAt.map((t) => round(t - restoredAt, 1)),
      firstWriteAfterRestoreMs: wroteAt - restoredAt,
      slotChoices: slots,
      phasesMs: phases,
      measuredFrom: 'the restore (the calls that open the three tabs); phases from each tab\'s navigation start',
    };
  } finally {
    await context.close();
  }
}

/**
 * The user closes every tab of a group of 3 (each departs: pagehide runs) and opens the app again
 * 0.5 s later, in one tab or in three at once: a reopened tab re-founds the group from the
 * profile's most up-to-date log and the others join it. Measured from the reopen (the calls that
 * open the tabs: page load included): each tab online, the first write acknowledged, and where each
 * tab's start-up went (the runtime's User Timing marks, ms since that tab's navigation start).
 */
export async function measureReopen(browser, servers, tabs) {
  // Re-founding needs the room known to be empty, which a young server cannot tell (measureJoin).
  const youngForMs = servers.signalingStartedAt + YOUNG_SERVER_MS - Date.now();
  if (youngForMs > 0) await new Promise((resolve) => setTimeout(resolve, youngForMs));
  const context = await browser.newContext();
  try {
    const key = `reopen-${tabs}-${Date.now()}`;
    const open = () => openBenchTab(context, servers, { key, peerId: undefined, ...BENCH_CONFIG }, { log: benchLog, wait: false });
    let pages = await openSources(context, servers, key, ['ro-a', 'ro-b', 'ro-c'], { peerId: undefined });
    await leaderOf(pages);
    await pages[0].evaluate(() => window.bench.writes(5, 0, 4_000_000));
    await Promise.all(pages.map((page) => page.close({ runBeforeUnload: true })));
    await sleep(500);
    const reopenedAt = Date.now();
    pages = await Promise.all(Array.from({ length: tabs }, open));
    await untilOnline(pages, 'all reopened tabs online');
    const onlineAt = await Promise.all(pages.map((p) => p.evaluate(() => performance.timeOrigin + window.bench.onlineAt)));
    await pages[0].evaluate(() => window.bench.started());
    await pages[0].evaluate(() => window.bench.writes(1, 0, 4_100_000));
    const wroteAt = Date.now();
    // The five writes acknowledged before every tab closed, applied again from the re-founded log.
    const kept = await pages[0].evaluate(() => window.bench.appliedTimes().filter(([m]) => m >= 4_000_000 && m < 4_000_005).length);
    return {
      tabs,
      writesKeptOf5: kept,
      tabsOnlineAfterReopenMs: onlineAt.map((t) => round(t - reopenedAt, 1)),
      firstWriteAfterReopenMs: wroteAt - reopenedAt,
      phasesMs: await Promise.all(pages.map(startupMarks)),
      measuredFrom: 'the reopen (the calls that open the tabs); phases from each tab\'s navigation start',
    };
  } finally {
    await context.close();
  }
}

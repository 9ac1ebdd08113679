// Chaos in one browser profile: 5 tabs, each running a client that does put / strong get / cas on
// three keys; for 60 s, every 2.5-5 s one random action (close the leader, close any tab, reload
// any tab, close two at once, open a tab; 2-6 tabs stay open). Afterwards every open tab is online
// with the same state, the whole history (every tab's operations, unknown outcomes for those cut
// short) is linearizable (packages/sim's checker), and the profile holds at most open tabs + 2
// databases of the group. Default timing (DEFAULT_TIMING). The run's seed is printed; CHAOS_SEED
// replays its choice of actions.
import type { Page } from '@playwright/test';
import { seededRandom } from '@meshraft/core';
import { callWindowFunction, uniqueName } from './support';
import { expect, test } from './support/runtime-tabs';
import { pageOf, started, status, summary, waitForSameState } from './pages/runtime/harness';
import { History } from './support/history';
import { DEFAULT_TIMING, groupDatabases, pause, recordFigures, writeResolvesAfter } from './support/lifecycle';

const CHAOS_MS = 60_000;
const KEYS = ['a', 'b', 'c'];
type Action = 'close-leader' | 'close-any' | 'reload-any' | 'close-two' | 'open';

/** Every open tab online and following one leader; returns that leader's tab. */
async function settled(pages: Page[], timeout = 60_000): Promise<Page> {
  let leader = '';
  await expect
    .poll(
      async () => {
        const all = await Promise.all(pages.map(status));
        const leaders = new Set(all.map((s) => s.leader));
        leader = leaders.size === 1 ? ([...leaders][0] ?? '') : '';
        return leader !== '' && all.every((s) => s.online);
      },
      { timeout, intervals: [100, 200, 300] },
    )
    .toBe(true);
  return pageOf(pages, leader);
}

test('60 s of random closes, reloads and opens with a client in every tab: one state everywhere, a linearizable history', async ({ tabs }) => {
  test.setTimeout(360_000);
  const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`[chaos] seed ${seed}`);
  // The same seeded generator the engine uses, so a failing run's actions can be replayed.
  const rand = seededRandom(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)];
  const key = uniqueName('chaos');
  const history = new History();
  await history.bind(tabs.context);

  let opened = 0;
  let incarnations = 0;
  const startWriter = (page: Page) =>
    callWindowFunction<void>(page, 'meshraft.startWriter', { client: `w${incarnations++}`, keys: KEYS, pauseMs: 100 });
  const openTab = async () => {
    const page = await tabs.open({ key, ...DEFAULT_TIMING }, `tab${opened++}`);
    await startWriter(page);
    return page;
  };

  let open: Page[] = [];
  for (let i = 0; i < 5; i++) open.push(await openTab());
  await settled(open);

  const backOnline: Record<Action, number[]> = { 'close-leader': [], 'close-any': [], 'reload-any': [], 'close-two': [], open: [] };
  let probes = 0;
  const act = async (action: Action) => {
    const since = Date.now();
    if (action === 'close-leader') {
      const leader = await settled(open);
      open = open.filter((p) => p !== leader);
      await leader.close();
    } else if (action === 'close-any' || action === 'close-two') {
      const gone: Page[] = [pick(open)];
      if (action === 'close-two') gone.push(pick(open.filter((p) => p !== gone[0])));
      open = open.filter((p) => !gone.includes(p));
      await Promise.all(gone.map((p) => p.close()));
    } else if (action === 'reload-any') {
      const page = pick(open);
      await page.reload();
      await started(page);
      await startWriter(page);
    } else {
      open.push(await openTab());
    }
    // Back online: a write from a random open tab resolves.
    backOnline[action].push(await writeResolvesAfter(since, pick(open), 'probe', `p${probes++}`));
    return since;
  };
  const end = Date.now() + CHAOS_MS;
  while (Date.now() < end) {
    const wait = 2500 + rand() * 2500;
    const choices: Action[] = [];
    if (open.length > 2) choices.push('close-leader', 'close-any');
    if (open.length > 3) choices.push('close-two');
    if (open.length < 6) choices.push('open');
    choices.push('reload-any');
    const since = await act(pick(choices));
    await pause(Math.max(0, since + wait - Date.now()));
  }
  // The title promises closes, reloads and opens: a run that drew none of a kind does one now.
  if (backOnline['close-leader'].length + backOnline['close-any'].length + backOnline['close-two'].length === 0) {
    if (open.length <= 2) await act('open');
    await act('close-any');
  }
  if (backOnline['reload-any'].length === 0) await act('reload-any');
  if (backOnline.open.length === 0) await act('open');

  const issued = await Promise.all(open.map((page) => callWindowFunction<number>(page, 'meshraft.stopWriter')));
  expect(issued.every((n) => n > 0)).toBe(true);
  await settled(open);
  const lastIndex = Math.max(...(await Promise.all(open.map(summary))).map((s) => s.lastIndex));
  await waitForSameState(open, lastIndex);

  const verdict = history.check();
  const counts = history.counts();
  await expect.poll(async () => (await groupDatabases(open[0])).length, { timeout: 60_000 }).toBeLessThanOrEqual(open.length + 2);
  recordFigures('lifecycle-chaos', {
    seed,
    backOnlineMs: backOnline,
    history: counts,
    verdict: verdict.status,
    openTabs: open.length,
    databasesLeft: (await groupDatabases(open[0])).length,
  });
  expect(verdict, JSON.stringify(verdict)).toMatchObject({ status: 'ok' });
  expect(counts.completed).toBeGreaterThan(100);
});

// issue 4 §5: a tab opened after 20,000 commands catches up, fetching from at least 2 peers, and its
// main thread records 0 long tasks (PerformanceObserver 'longtask') while it does. The engine and
// the catch-up scheduler run in the Worker; the main thread applies entries in <= 8 ms slices.
// The catch-up scheduler asks the leader only for what no other peer holds (it is the busiest peer,
// issue 3 §1 "the leader last"), so "at least 2 peers" needs two followers: 3 source tabs.
import { callWindowFunction, uniqueName } from './support';
import { expect, test } from './support/runtime-tabs';
import { stats, status, waitForGroup, waitForSameState } from './pages/runtime/harness';

const COMMANDS = 20_000;

test('a tab opened after 20,000 commands catches up from >= 2 peers with 0 long tasks', async ({ tabs }) => {
  test.setTimeout(600_000);
  const key = uniqueName('catchup');
  const first = await tabs.open({ key }, 'src0');
  await expect.poll(async () => (await status(first)).role, { timeout: 30_000 }).toBe('leader');
  const sources = [first, await tabs.open({ key }, 'src1'), await tabs.open({ key }, 'src2')];
  await waitForGroup(sources, 3);

  // Commands come from every source tab (the followers' are forwarded to the leader).
  const shares = [7000, 7000, COMMANDS - 14_000];
  const ends = await Promise.all(sources.map((page, i) => callWindowFunction<number>(page, 'meshraft.fill', shares[i], 100, 500, 2)));
  const target = Math.max(...ends);
  await waitForSameState(sources, target, 180_000);

  const late = await tabs.open({ key }, 'late');
  const windowStart = await late.evaluate(() => performance.now());
  await expect.poll(async () => (await status(late)).applied, { timeout: 300_000, intervals: [500] }).toBeGreaterThanOrEqual(target);
  const windowEnd = await late.evaluate(() => performance.now());

  const longTasks = await late.evaluate(([from, to]) => window.meshraft.longTasks.filter((t) => t.startTime >= from && t.startTime <= to), [windowStart, windowEnd] as const);
  expect(longTasks, 'long tasks on the late tab main thread during catch-up').toEqual([]);
  const peersUsed = await late.evaluate(() => window.meshraft.catchUpMaxPeers);
  expect(peersUsed, 'distinct peers that served catch-up chunks').toBeGreaterThanOrEqual(2);
  // The same fact from the wire: catch-up replies carrying entries, counted per sender in the worker.
  const servedBy = (await stats(late)).frames?.catchUpChunksFrom ?? {};
  expect(Object.keys(servedBy).length, `catch-up chunks by sender: ${JSON.stringify(servedBy)}`).toBeGreaterThanOrEqual(2);
  await waitForSameState([...sources, late], target, 120_000);
});

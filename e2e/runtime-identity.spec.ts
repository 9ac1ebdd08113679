// issue 4 §5: per-tab identity and durability. A reloaded follower keeps its peer id and restores
// its log from IndexedDB (it does not refetch the log); a duplicated tab (sessionStorage copied)
// gets a new peer id because the original holds the id's Web Lock.
import { callWindowFunction, uniqueName } from './support';
import { expect, test } from './support/runtime-tabs';
import { pageOf, setValue, stats, status, summary, waitForGroup, waitForSameState } from './pages/runtime/harness';

test('reloading a follower keeps its peer id and restores its log from IndexedDB', async ({ tabs }) => {
  const key = uniqueName('reload');
  const first = await tabs.open({ key }, 'tab0');
  await expect.poll(async () => (await status(first)).role, { timeout: 30_000 }).toBe('leader');
  const pages = [first, await tabs.open({ key }, 'tab1'), await tabs.open({ key }, 'tab2')];
  const leader = await waitForGroup(pages, 3);
  const leaderPage = await pageOf(pages, leader);
  const follower = pages.find((p) => p !== leaderPage)!;

  // A log long enough that refetching it would be obvious in the frame counters.
  const lastIndex = await callWindowFunction<number>(leaderPage, 'meshraft.fill', 300, 100, 50, 2);
  await waitForSameState(pages, lastIndex);
  const before = await status(follower);

  await follower.reload();
  await callWindowFunction<void>(follower, 'meshraft.started');
  const after = await status(follower);
  expect(after.peerId).toBe(before.peerId);

  await waitForGroup(pages, 3);
  const newIndex = await setValue(leaderPage, 'after-reload', 'yes');
  const state = await waitForSameState(pages, newIndex);
  expect((await summary(follower)).checksum).toBe(state.checksum);
  // The restored tab applied its history from its own IndexedDB: it received only the few
  // entries written after the reload, not the 300+ it already had.
  const frames = (await stats(follower)).frames!;
  expect(frames.entriesIn).toBeLessThan(50);
  expect(frames.droppedTotal).toBe(0);
});

test('a duplicated tab gets a new peer id', async ({ tabs }) => {
  const key = uniqueName('duplicate');
  const original = await tabs.open({ key }, 'original');
  const originalId = (await status(original)).peerId;
  expect(originalId).not.toBe('');

  const [duplicate] = await Promise.all([tabs.context.waitForEvent('page'), callWindowFunction<void>(original, 'meshraft.duplicate')]);
  tabs.watch(duplicate, 'duplicate');
  await duplicate.waitForFunction(() => typeof window.meshraft?.status === 'function');
  await callWindowFunction<void>(duplicate, 'meshraft.started');
  // The duplicate saw the original's id in its copied sessionStorage, and still minted its own.
  expect(await duplicate.evaluate(() => window.meshraft.initialStoredIds)).toEqual([originalId]);
  const duplicateId = (await status(duplicate)).peerId;
  expect(duplicateId).not.toBe('');
  expect(duplicateId).not.toBe(originalId);
  expect((await status(original)).peerId).toBe(originalId);

  // The original keeps its id across its own reload (its lock is free again once it unloads).
  await original.reload();
  await callWindowFunction<void>(original, 'meshraft.started');
  expect((await status(original)).peerId).toBe(originalId);
});

// Who a tab is across reloads and copies. A tab keeps a slot of the profile (one IndexedDB database)
// for as long as it lives. A reload departs (pagehide) and comes back as a NEW peer id on the same
// slot, with the log it had: a warm start that fetches nothing it already holds. A duplicated tab
// (window.open copy, which inherits sessionStorage) cannot have the original's slot, which is in
// use: it gets a slot and an id of its own. A tab alone in its group re-founds the group when it
// reloads (its old identity departed, and it was the only voter). Default timing (DEFAULT_TIMING).
import type { Page } from '@playwright/test';
import { callWindowFunction, uniqueName } from './support';
import { expect, test } from './support/runtime-tabs';
import { getValue, openPeer, pageOf, setValue, started, stats, status, summary, waitForGroup, waitForSameState } from './pages/runtime/harness';
import { DEFAULT_TIMING, departedIds, groupDatabases, recordFigures, writeResolvesAfter } from './support/lifecycle';

/** Reloads `page`, timing a write from `other` meanwhile; checks the warm start. Returns the write's ms. */
async function reloadWarm(page: Page, other: Page, pages: Page[], value: string): Promise<number> {
  const before = await status(page);
  const data = await summary(page);
  const since = Date.now();
  const reloading = page.reload();
  const writeMs = await writeResolvesAfter(since, other, 'k', value);
  await reloading;
  await started(page);
  const fresh = await stats(page);
  expect(fresh.slotChoice).toBe('succeed');
  expect(fresh.peerId).not.toBe(before.peerId);
  // Its state machine is rebuilt from its own log (the frame counters below show nothing it held
  // came over the wire); the rebuild is applied in slices after start-up, so wait for it.
  await expect.poll(async () => (await summary(page)).lastIndex, { timeout: 30_000 }).toBeGreaterThanOrEqual(data.lastIndex);
  expect(await departedIds(page)).toContain(before.peerId);
  await waitForGroup(pages, 3);
  const state = await waitForSameState(pages, (await summary(other)).lastIndex);
  expect((await summary(page)).checksum).toBe(state.checksum);
  expect((await getValue(page, 'k', 'weak')).result).toBe(value);
  // Nothing it already held was fetched again: no catch-up chunk, only the few newer entries.
  const frames = (await stats(page)).frames!;
  expect(frames.catchUpChunksFrom).toEqual({});
  expect(frames.entriesIn).toBeLessThan(50);
  expect(frames.droppedTotal).toBe(0);
  expect((await status(page)).members.voters).not.toContain(before.peerId);
  return writeMs;
}

test('a reload (follower, then leader) comes back under a new id on its own log; the others stay available', async ({ tabs }) => {
  test.setTimeout(240_000);
  const key = uniqueName('reload');
  const pages: Page[] = [];
  for (let i = 0; i < 3; i++) pages.push(await tabs.open({ key, ...DEFAULT_TIMING }, `tab${i}`));
  let leader = await pageOf(pages, await waitForGroup(pages, 3));
  // A log long enough that refetching it would show in the frame counters.
  const lastIndex = await callWindowFunction<number>(leader, 'meshraft.fill', 300, 100, 50, 2);
  await waitForSameState(pages, lastIndex);

  const follower = pages.find((p) => p !== leader)!;
  const followerMs = await reloadWarm(follower, leader, pages, 'after-follower-reload');
  leader = await pageOf(pages, await waitForGroup(pages, 3));
  const other = pages.find((p) => p !== leader)!;
  const leaderMs = await reloadWarm(leader, other, pages, 'after-leader-reload');
  recordFigures('lifecycle-reload', { writeDuringReloadMs: { follower: followerMs, leader: leaderMs } });
});

test('a duplicated tab gets its own slot and id; each tab keeps its own slot across reloads', async ({ tabs }) => {
  const key = uniqueName('duplicate');
  const original = await tabs.open({ key, ...DEFAULT_TIMING }, 'original');
  const originalId = (await status(original)).peerId;
  expect(originalId).not.toBe('');

  const [duplicate] = await Promise.all([tabs.context.waitForEvent('page'), callWindowFunction<void>(original, 'meshraft.duplicate')]);
  tabs.watch(duplicate, 'duplicate');
  await duplicate.waitForFunction(() => typeof window.meshraft?.status === 'function');
  await started(duplicate);
  // It inherited the original's sessionStorage (its slot hint), but that slot is in use.
  expect((await stats(duplicate)).slotChoice).toBe('new');
  const duplicateId = (await status(duplicate)).peerId;
  expect(duplicateId).not.toBe(originalId);
  expect((await status(original)).peerId).toBe(originalId);
  await waitForGroup([original, duplicate], 2);
  expect(await groupDatabases(original)).toHaveLength(2);

  // Each reload takes the tab's own slot back (a new id each time, no new database).
  for (const page of [original, duplicate]) {
    const before = (await status(page)).peerId;
    await page.reload();
    await started(page);
    expect((await stats(page)).slotChoice).toBe('succeed');
    expect((await status(page)).peerId).not.toBe(before);
    await waitForGroup([original, duplicate], 2);
  }
  expect(await groupDatabases(original)).toHaveLength(2);
});

test('a tab alone in its group, reloaded, re-founds the group on its own log', async ({ tabs }) => {
  const key = uniqueName('lone');
  const page = await tabs.open({ key, ...DEFAULT_TIMING }, 'lone');
  await setValue(page, 'k', 'before-reload');
  const before = (await status(page)).peerId;
  await page.reload();
  await started(page);
  const s = await stats(page);
  expect(s.slotChoice).toBe('succeed');
  expect(s.refounded).toBe(true);
  expect(s.peerId).not.toBe(before);
  expect((await getValue(page, 'k', 'strong')).result).toBe('before-reload');
  await setValue(page, 'k', 'after-reload');
  expect((await status(page)).members.voters).toEqual([s.peerId]);
});

test('the tabs of one profile run the group key derivation once between them; another profile runs its own', async ({ tabs, browser }) => {
  const key = uniqueName('derive-once');
  // Three tabs opening together: one derives, the other two take its result.
  const pages = await Promise.all(['a', 'b', 'c'].map((label) => tabs.open({ key, ...DEFAULT_TIMING }, label)));
  const sources = await Promise.all(pages.map(async (page) => (await stats(page)).keyDerivation));
  expect(sources.sort()).toEqual(['derived', 'shared', 'shared']);
  // A tab opened later gets it from a tab that has it.
  const later = await tabs.open({ key, ...DEFAULT_TIMING }, 'later');
  expect((await stats(later)).keyDerivation).toBe('shared');
  // Another profile shares nothing with these tabs: it derives, and lands in the same room.
  const other = await browser.newContext();
  try {
    const outsider = await openPeer(other, { key, ...DEFAULT_TIMING });
    await started(outsider);
    const outsiderStats = await stats(outsider);
    expect(outsiderStats.keyDerivation).toBe('derived');
    const rooms = new Set([outsiderStats.room, ...(await Promise.all([...pages, later].map(async (page) => (await stats(page)).room)))]);
    expect(rooms.size).toBe(1);
    await waitForGroup([...pages, later, outsider], 5);
  } finally {
    await other.close();
  }
});

// A tab with the wrong key never joins and none of its Raft frames are accepted.
// Two cases: (a) the wrong key derives another signaling room, so the tab never even meets the
// group; (b) a test-only override puts it in the group's room, so the HMAC handshake must refuse it.
// The intruder uses the automatic path (no peer id, no membership given): it must never be let in.
import type { Page } from '@playwright/test';
import { uniqueName } from './support';
import { expect, test, type RuntimeTabs } from './support/runtime-tabs';
import { stats, status, waitForGroup } from './pages/runtime/harness';

/**
 * The good group: two voters started from a static membership (createGroup's `bootstrap` option),
 * so this spec does not depend on automatic membership changes.
 */
async function twoPeerGroup(tabs: RuntimeTabs, key: string): Promise<Page[]> {
  const ids = ['good-a', 'good-b'];
  const pages = [];
  for (const peerId of ids) pages.push(await tabs.open({ key, peerId, voters: ids.join(',') }, peerId));
  await waitForGroup(pages, 2);
  return pages;
}

test('a wrong-key tab in the same signaling room is refused by the HMAC handshake', async ({ tabs }) => {
  const key = uniqueName('good');
  const good = await twoPeerGroup(tabs, key);
  const room = (await stats(good[0])).room!;
  const intruder = await tabs.open({ key: `${key}-wrong`, room }, 'intruder');
  const intruderId = (await status(intruder)).peerId;
  expect((await stats(intruder)).roomWasEmpty).toBe(false); // it did meet the group in signaling

  // The group's tabs tear the connection down after the failed proof, and count it.
  const authFailed = async (page: Page) => ((await stats(page)).mesh as { dropped: { authFailed: number } }).dropped.authFailed;
  await expect.poll(async () => (await authFailed(good[0])) + (await authFailed(good[1])), { timeout: 30_000 }).toBeGreaterThan(0);
  const goodStats = await Promise.all(good.map(stats));
  for (const s of goodStats) {
    expect(s.frames!.acceptedFrom[intruderId] ?? 0).toBe(0);
    expect((s.mesh as { peers: string[] }).peers).not.toContain(intruderId);
  }
  const intruderStats = await stats(intruder);
  expect(intruderStats.frames!.framesIn).toBe(0);
  for (const page of good) expect((await status(page)).members.voters).not.toContain(intruderId);
  const intruderStatus = await status(intruder);
  expect(intruderStatus.online).toBe(false);
  expect(intruderStatus.leader).toBeNull();
});

test('a wrong-key tab lands in another room and never meets the group', async ({ tabs }) => {
  const key = uniqueName('good');
  const good = await twoPeerGroup(tabs, key);
  const intruder = await tabs.open({ key: `${key}-wrong` }, 'intruder');
  const intruderId = (await status(intruder)).peerId;
  const [goodRoom, intruderRoom] = [(await stats(good[0])).room, (await stats(intruder)).room];
  expect(intruderRoom).not.toBe(goodRoom);
  // Alone in its room it bootstraps its own one-member group: it is not part of ours.
  await expect.poll(async () => (await status(intruder)).role, { timeout: 30_000 }).toBe('leader');
  for (const page of good) {
    const s = await status(page);
    expect(s.members.voters).not.toContain(intruderId);
    expect((await stats(page)).frames!.acceptedFrom[intruderId] ?? 0).toBe(0);
  }
});

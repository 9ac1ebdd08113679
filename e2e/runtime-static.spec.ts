// The browser runtime with a static membership (createGroup's documented `bootstrap: Membership`
// option): three tabs with fixed peer ids that all start from the same 3-voter configuration. This
// exercises Worker + IndexedDB + WebRTC relay + failover + reload independently of automatic
// membership (join through the log), which runtime-group.spec.ts covers.
import type { Page } from '@playwright/test';
import { callWindowFunction, uniqueName } from './support';
import { expect, test, type RuntimeTabs } from './support/runtime-tabs';
import { getValue, pageOf, setValue, started, stats, status, summary, waitForGroup, waitForSameState } from './pages/runtime/harness';

async function openStatic(tabs: RuntimeTabs, key: string): Promise<Page[]> {
  const ids = ['sa', 'sb', 'sc'].map((id) => `${id}-${key.slice(-6)}`);
  const pages: Page[] = [];
  for (const peerId of ids) {
    pages.push(await tabs.open({ key, peerId, voters: ids.join(',') }, peerId));
  }
  return pages;
}

test('static 3-voter group: one leader, follower command applies everywhere, strong read, failover', async ({ tabs }) => {
  const pages = await openStatic(tabs, uniqueName('static'));
  const leader = await waitForGroup(pages, 3);
  const leaderPage = await pageOf(pages, leader);
  const followers = pages.filter((p) => p !== leaderPage);

  const index = await setValue(followers[0], 'k', 'from-follower');
  await waitForSameState(pages, index);
  for (const page of pages) expect((await getValue(page, 'k', 'weak')).result).toBe('from-follower');

  const next = await setValue(leaderPage, 'k', 'latest');
  const read = await getValue(followers[1], 'k', 'strong');
  expect(read).toEqual({ result: 'latest', position: expect.any(Number) });
  expect(read.position).toBeGreaterThanOrEqual(next);

  // Frames crossed the Worker relay on the right channels and none was dropped.
  const leaderFrames = (await stats(leaderPage)).frames!;
  expect(leaderFrames.sentOn.control).toBeGreaterThan(0);
  expect(leaderFrames.sentOn.bulk).toBeGreaterThan(0);
  expect(leaderFrames.droppedTotal).toBe(0);

  await leaderPage.close();
  await expect
    .poll(async () => {
      const all = await Promise.all(followers.map(status));
      return all.every((s) => s.online && s.leader !== null && s.leader !== leader && s.leader === all[0].leader);
    }, { timeout: 60_000 })
    .toBe(true);
  const after = await setValue(followers[0], 'k', 'after-failover');
  await waitForSameState(followers, after);
});

test('static group: a reloaded follower restores its log from IndexedDB without refetching it', async ({ tabs }) => {
  const pages = await openStatic(tabs, uniqueName('static-reload'));
  const leader = await waitForGroup(pages, 3);
  const leaderPage = await pageOf(pages, leader);
  const follower = pages.find((p) => p !== leaderPage)!;
  const last = await callWindowFunction<number>(leaderPage, 'meshraft.fill', 300, 100, 50, 2);
  await waitForSameState(pages, last);
  const before = await summary(follower);

  await follower.reload();
  await started(follower);
  // Before any new entry arrives, the state machine was rebuilt from the local log.
  await expect.poll(async () => (await summary(follower)).count, { timeout: 30_000 }).toBe(before.count);
  await waitForGroup(pages, 3);
  const index = await setValue(leaderPage, 'after', 'reload');
  await waitForSameState(pages, index);
  expect((await stats(follower)).frames!.entriesIn).toBeLessThan(50);
});

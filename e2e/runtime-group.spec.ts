// Real Chromium tabs: forming a group automatically (first tab bootstraps, later tabs are added
// through the log), follower commands, failover, and linearizable reads from a lagging follower.
// Every tab runs the full runtime: engine + IndexedDB in a module Worker, WebRTC on the main thread.
import type { Page } from '@playwright/test';
import { callWindowFunction, uniqueName, type PageParams } from './support';
import { expect, test, type RuntimeTabs } from './support/runtime-tabs';
import { getValue, pageOf, setValue, status, waitForGroup, waitForSameState } from './pages/runtime/harness';

async function openThree(tabs: RuntimeTabs, key: string, params: PageParams = {}): Promise<Page[]> {
  const pages: Page[] = [];
  for (let tab = 0; tab < 3; tab++) {
    const page = await tabs.open({ key, ...params }, `tab${tab}`);
    pages.push(page);
    // The first tab bootstraps in the empty room; give it its leadership before others arrive.
    if (tab === 0) await expect.poll(async () => (await status(page)).role, { timeout: 30_000 }).toBe('leader');
  }
  return pages;
}

test('3 tabs form a group with exactly one leader; a follower command applies in all three', async ({ tabs }) => {
  const pages = await openThree(tabs, uniqueName('form'));
  const leader = await waitForGroup(pages, 3);
  const follower = pages.find((_p, i) => i !== 0) as Page;
  const followerStatus = await status(follower);
  expect(followerStatus.role).toBe('follower');
  expect(followerStatus.peerId).not.toBe(leader);

  const index = await setValue(follower, 'color', 'green');
  expect(index).toBeGreaterThan(0);
  const state = await waitForSameState(pages, index);
  expect(state.count).toBeGreaterThanOrEqual(1);
  for (const page of pages) expect((await getValue(page, 'color', 'weak')).result).toBe('green');
  const statuses = await Promise.all(pages.map(status));
  expect(statuses.filter((s) => s.role === 'leader').map((s) => s.peerId)).toEqual([leader]);
});

test('closing the leader tab elects a new leader and a new command commits', async ({ tabs }) => {
  const pages = await openThree(tabs, uniqueName('failover'));
  const oldLeader = await waitForGroup(pages, 3);
  const leaderPage = await pageOf(pages, oldLeader);
  const before = await setValue(leaderPage, 'phase', 'before');
  await waitForSameState(pages, before);

  await leaderPage.close(); // the tab closes: it departs on pagehide (runtime-lifecycle.spec.ts has more)
  const survivors = pages.filter((p) => p !== leaderPage);
  let newLeader = '';
  await expect
    .poll(
      async () => {
        const all = await Promise.all(survivors.map(status));
        const leaders = new Set(all.map((s) => s.leader));
        const [only] = [...leaders];
        const ok = leaders.size === 1 && only !== null && only !== oldLeader && all.every((s) => s.online);
        if (ok) newLeader = only!;
        return ok;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  expect(newLeader).not.toBe(oldLeader);

  const after = await setValue(survivors[0], 'phase', 'after');
  expect(after).toBeGreaterThan(before);
  await waitForSameState(survivors, after);
  for (const page of survivors) expect((await getValue(page, 'phase', 'weak')).result).toBe('after');
});

test('a strong query in a lagging follower tab returns the latest committed value, a weak one the old value', async ({ tabs }) => {
  // The lagging tab hears nothing while its inbound frames are held: an election timeout well above
  // the hold keeps it a follower of the same leader meanwhile.
  const pages = await openThree(tabs, uniqueName('strong'), { electionTimeoutMs: 5000, heartbeatMs: 250 });
  const leader = await waitForGroup(pages, 3);
  const leaderPage = await pageOf(pages, leader);
  const followers = pages.filter((p) => p !== leaderPage);
  let previous = await setValue(leaderPage, 'x', 'v0');
  for (let round = 1; round <= 3; round++) {
    await waitForSameState(pages, previous);
    const lagging = followers[round % 2];
    await callWindowFunction<void>(lagging, 'meshraft.holdInbound');
    // Committed by the leader and the other follower; the lagging tab has not heard of it.
    const index = await setValue(leaderPage, 'x', `v${round}`);
    const weak = await getValue(lagging, 'x', 'weak');
    expect(weak.result, 'a weak read answers from the lagging state').toBe(`v${round - 1}`);
    expect(weak.position).toBeLessThan(index);
    // A strong read must learn the leader's commit index (ReadIndex) and apply up to it first: it
    // cannot answer before the held frames (the new entry, the read index) are delivered.
    let answered = false;
    const strong = getValue(lagging, 'x', 'strong').then((r) => ((answered = true), r));
    // Its weak reads still answer meanwhile: the tab is not blocked, the strong read is waiting.
    expect((await getValue(lagging, 'x', 'weak')).result).toBe(`v${round - 1}`);
    expect(answered, 'a strong read answered from the lagging state').toBe(false);
    const held = await callWindowFunction<number>(lagging, 'meshraft.releaseInbound');
    expect(held).toBeGreaterThan(0);
    const read = await strong;
    expect(read.result).toBe(`v${round}`);
    expect(read.position).toBeGreaterThanOrEqual(index);
    previous = index;
  }
});

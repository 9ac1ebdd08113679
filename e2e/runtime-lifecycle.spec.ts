// Tabs of one browser profile closing and opening, with the engine's default timing. A tab closed
// by the user runs `pagehide`: its identity departs for good (a tombstone in localStorage, a
// Departure notice to every peer, TimeoutNow first when it leads), the leader removes it from the
// configuration at once, and the remaining tabs keep a quorum without it. autoRemoveAfterMs is far
// beyond the test (DEFAULT_TIMING), so every removal seen here comes from a departure.
// Figures (ms from the close until a write from a remaining tab resolved) go to
// test-results/figures/lifecycle-*.json; they are printed, never asserted.
import type { Page } from '@playwright/test';
import { uniqueName } from './support';
import { expect, test, type RuntimeTabs } from './support/runtime-tabs';
import { getValue, pageOf, status, waitForGroup } from './pages/runtime/harness';
import { DEFAULT_TIMING, closeAtOnce, departedIds, groupDatabases, pause, recordFigures, writeResolvesAfter } from './support/lifecycle';

async function openGroup(tabs: RuntimeTabs, key: string, count: number, first = 0): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) pages.push(await tabs.open({ key, ...DEFAULT_TIMING }, `tab${first + i}`));
  return pages;
}

/** Which open tab leads, and the others (once the group has settled: voters up to maxVoters, 5). */
async function roles(pages: Page[]): Promise<{ leader: Page; followers: Page[] }> {
  const leader = await pageOf(pages, await waitForGroup(pages, Math.min(pages.length, 5)));
  return { leader, followers: pages.filter((p) => p !== leader) };
}

test('tabs closed one at a time, leader included, down to one: the others accept writes after each close; new tabs become voters', async ({ tabs }) => {
  test.setTimeout(300_000);
  const key = uniqueName('one-by-one');
  let open = await openGroup(tabs, key, 3);
  await waitForGroup(open, 3);
  const figures: Array<{ closed: 'leader' | 'follower'; tabsLeft: number; writeMs: number }> = [];
  let written = 0;

  const closeOne = async (which: 'leader' | 'follower', keep?: Page) => {
    const { leader, followers } = await roles(open);
    const victim = which === 'leader' ? leader : followers.find((p) => p !== keep)!;
    const victimId = (await status(victim)).peerId;
    await pause(1000);
    const since = Date.now();
    await victim.close();
    open = open.filter((p) => p !== victim);
    // Any remaining tab, follower or (new) leader.
    const writer = open[figures.length % open.length];
    const writeMs = await writeResolvesAfter(since, writer, 'k', `v${++written}`);
    figures.push({ closed: which, tabsLeft: open.length, writeMs });
    // It departed (its tombstone is in the profile) and the leader removed it: the voters are the open tabs.
    expect(await departedIds(open[0])).toContain(victimId);
    await waitForGroup(open, open.length);
  };

  await closeOne('leader');
  // Tabs opened now join and become voters, up to maxVoters (5); a sixth stays a learner...
  open.push(...(await openGroup(tabs, key, 3, 3)));
  await waitForGroup(open, 5);
  expect((await getValue(open[4], 'k', 'strong')).result).toBe(`v${written}`);
  const sixth = (await openGroup(tabs, key, 1, 6))[0];
  const sixthId = (await status(sixth)).peerId;
  await expect.poll(async () => (await status(open[0])).members.learners, { timeout: 60_000 }).toEqual([sixthId]);
  open.push(sixth);
  // ...until a voter departs: then it takes the free voter place (closeOne checks 5 voters of 5 tabs).
  await closeOne('follower', sixth);
  expect((await status(sixth)).members.voters).toContain(sixthId);
  await closeOne('leader');
  await closeOne('follower');
  await closeOne('leader');
  await closeOne('follower');
  expect(open).toHaveLength(1);
  expect((await status(open[0])).members.voters).toEqual([(await status(open[0])).peerId]);
  expect((await getValue(open[0], 'k', 'strong')).result).toBe(`v${written}`);

  // The profile keeps at most (open tabs + 2) databases of the group: spares of departed tabs go.
  const last = (await openGroup(tabs, key, 1, 7))[0];
  open.push(last);
  await waitForGroup(open, 2);
  await expect.poll(async () => (await groupDatabases(last)).length, { timeout: 60_000 }).toBeLessThanOrEqual(open.length + 2);
  recordFigures('lifecycle-one-by-one', { writeAfterCloseMs: figures, databasesLeft: (await groupDatabases(last)).length, openTabs: open.length });
});

test('a majority closed at once (3 of 5 with the leader, 2 of 3 without it, 2 of 3 with it): the rest accept writes', async ({ tabs }) => {
  test.setTimeout(300_000);
  const key = uniqueName('majority');
  let open = await openGroup(tabs, key, 5);
  await waitForGroup(open, 5);
  let opened = 5;
  const figures: Array<{ closed: string; tabsLeft: number; writeMs: number }> = [];
  let written = 0;

  const closeMany = async (label: string, pick: (r: { leader: Page; followers: Page[] }) => Page[]) => {
    const gone = pick(await roles(open));
    const goneIds = await Promise.all(gone.map(async (p) => (await status(p)).peerId));
    await pause(1000);
    const since = Date.now();
    await closeAtOnce(gone);
    open = open.filter((p) => !gone.includes(p));
    const writeMs = await writeResolvesAfter(since, open[0], 'k', `v${++written}`);
    figures.push({ closed: label, tabsLeft: open.length, writeMs });
    expect(await departedIds(open[0])).toEqual(expect.arrayContaining(goneIds));
    await waitForGroup(open, open.length);
  };

  await closeMany('3 of 5, leader among them', (r) => [r.leader, r.followers[0], r.followers[1]]);
  open.push(...(await openGroup(tabs, key, 1, opened++)));
  await waitForGroup(open, 3);
  await closeMany('2 of 3, both followers', (r) => r.followers);
  open.push(...(await openGroup(tabs, key, 2, opened)));
  opened += 2;
  await waitForGroup(open, 3);
  await closeMany('2 of 3, leader among them', (r) => [r.leader, r.followers[0]]);
  expect((await getValue(open[0], 'k', 'strong')).result).toBe(`v${written}`);
  recordFigures('lifecycle-majority-at-once', { writeAfterCloseMs: figures });
});

// The same-browser channel (packages/meshraft/src/runtime/local-channel.ts): tabs of one browser
// send their Raft frames over a BroadcastChannel straight into each other's engine Worker, only to
// peers the mesh holds an authenticated link to. Counts come from GroupStats.routes (what each tab
// sent over which path) and FrameStats.local (what its engine took from the channel).
import type { Page } from '@playwright/test';
import type { GroupStats } from 'meshraft';
import { callWindowFunction, uniqueName, type PageParams } from './support';
import { expect, test, type RuntimeTabs } from './support/runtime-tabs';
import { pageOf, setValue, stats, status, waitForGroup, waitForSameState } from './pages/runtime/harness';

/** Three tabs of one static 3-voter group; returns the pages, the leader's first. */
async function openGroup(tabs: RuntimeTabs, name: string, params: PageParams = {}): Promise<{ pages: Page[]; leader: Page; followers: Page[]; ids: string[] }> {
  const key = uniqueName(name);
  const ids = ['la', 'lb', 'lc'].map((id) => `${id}-${key.slice(-6)}`);
  const pages: Page[] = [];
  for (const peerId of ids) pages.push(await tabs.open({ key, peerId, voters: ids.join(','), ...params }, peerId));
  const leaderId = await waitForGroup(pages, 3);
  const leader = await pageOf(pages, leaderId);
  return { pages, leader, followers: pages.filter((p) => p !== leader), ids };
}

/** `count` writes through `page`, then waits until every tab applied them. */
async function writes(page: Page, pages: Page[], count: number, label: string): Promise<void> {
  let index = 0;
  for (let i = 0; i < count; i++) index = await setValue(page, label, String(i));
  await waitForSameState(pages, index);
}

async function peerId(page: Page): Promise<string> {
  return (await status(page)).peerId;
}

/** Runs `check`; if it fails, the error also shows what `page` knew (status and stats), to diagnose from. */
async function expectWithStats(page: Page, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    const known = { status: await status(page), stats: await stats(page) };
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nwhat the tab knew: ${JSON.stringify(known)}`);
  }
}

const sentTo = (s: GroupStats, route: 'dataChannel' | 'localChannel', to: string) => s.routes[route].sentTo[to] ?? 0;
const receivedFrom = (s: GroupStats, from: string) => s.frames!.local.receivedFrom[from] ?? 0;

test('three tabs of one browser: steady-state Raft frames go over the same-browser channel, none over the data channel', async ({ tabs }) => {
  const { pages, leader, followers } = await openGroup(tabs, 'local-on');
  const leaderId = await peerId(leader);
  const followerIds = await Promise.all(followers.map(peerId));
  // Every tab learns that the others listen on the channel once their links are up.
  for (const page of pages) {
    const self = await peerId(page);
    const others = (await Promise.all(pages.map(peerId))).filter((id) => id !== self).sort();
    await expect.poll(async () => (await stats(page)).routes.localChannel.reachable, { timeout: 30_000 }).toEqual(others);
  }
  await writes(leader, pages, 3, 'warm-up');

  const before = await Promise.all(pages.map(stats));
  await writes(leader, pages, 20, 'steady');
  const after = await Promise.all(pages.map(stats));

  const [leaderBefore, leaderAfter] = [before[pages.indexOf(leader)], after[pages.indexOf(leader)]];
  expect(leaderAfter.routes.localChannel.enabled).toBe(true);
  for (const id of followerIds) {
    // Appends and commit notices for 20 writes: at least one frame per write to each follower.
    expect(sentTo(leaderAfter, 'localChannel', id) - sentTo(leaderBefore, 'localChannel', id)).toBeGreaterThanOrEqual(20);
    expect(sentTo(leaderAfter, 'dataChannel', id) - sentTo(leaderBefore, 'dataChannel', id)).toBe(0);
  }
  for (const follower of followers) {
    const i = pages.indexOf(follower);
    // The followers' acknowledgements took the channel too, and their engines took the leader's frames from it.
    expect(sentTo(after[i], 'localChannel', leaderId) - sentTo(before[i], 'localChannel', leaderId)).toBeGreaterThanOrEqual(20);
    expect(after[i].routes.dataChannel.framesOut - before[i].routes.dataChannel.framesOut).toBe(0);
    expect(receivedFrom(after[i], leaderId) - receivedFrom(before[i], leaderId)).toBeGreaterThanOrEqual(20);
    expect(after[i].frames!.droppedTotal).toBe(0);
    expect(after[i].frames!.local.dropped).toEqual({ malformed: 0, misaddressed: 0, unauthenticated: 0, tooLarge: 0 });
    // Its engine listens for both others.
    const self = await peerId(follower);
    expect(after[i].frames!.local.listening).toEqual([leaderId, ...followerIds].filter((id) => id !== self).sort());
  }
});

test('with localChannel: false every Raft frame goes over the data channel and the group works', async ({ tabs }) => {
  const { pages, leader, followers } = await openGroup(tabs, 'local-off', { localChannel: 'false' });
  await writes(leader, pages, 3, 'warm-up');
  const before = await stats(leader);
  await writes(followers[0], pages, 10, 'off');
  const after = await stats(leader);
  for (const follower of followers) {
    const id = await peerId(follower);
    expect(sentTo(after, 'dataChannel', id) - sentTo(before, 'dataChannel', id)).toBeGreaterThanOrEqual(10);
  }
  for (const page of pages) {
    const s = await stats(page);
    expect(s.routes.localChannel).toEqual({ enabled: false, reachable: [], framesOut: 0, bytesOut: 0, sentTo: {}, peersGone: 0 });
    expect(s.frames!.local.framesIn).toBe(0);
  }
});

test('frames on the channel that do not come from a linked peer, are misaddressed or malformed are dropped and counted; a cut tab reaches nobody', async ({ tabs }) => {
  const { pages, leader, followers } = await openGroup(tabs, 'local-hostile');
  const leaderId = await peerId(leader);
  const [target, cut] = followers;
  const targetId = await peerId(target);
  const cutId = await peerId(cut);
  const termBefore = (await status(target)).term;

  // On the leader's channel to the target, claiming a peer id that never had a link: a RequestVote
  // in a far-away term, which would depose the leader.
  await callWindowFunction<void>(leader, 'meshraft.postLocalFrame', leaderId, 'intruder-1', targetId, 'frame');
  await callWindowFunction<void>(leader, 'meshraft.postLocalFrame', leaderId, leaderId, targetId, 'misaddressed');
  await callWindowFunction<void>(leader, 'meshraft.postLocalFrame', leaderId, leaderId, targetId, 'malformed');
  // On the cut tab's channel (below) while its link is still up, but claiming the leader's id.
  await callWindowFunction<void>(cut, 'meshraft.postLocalFrame', cutId, leaderId, targetId, 'frame');
  await expect.poll(async () => (await stats(target)).frames!.local.dropped, { timeout: 10_000 }).toEqual({ malformed: 1, misaddressed: 1, unauthenticated: 2, tooLarge: 0 });

  // A real tab of the group whose links were cut: once the target saw the link go down it no longer
  // listens for that tab at all, so even a well-formed frame in its own name reaches nothing.
  // Both links of the target are up and announced before the cut, so what changes is the cut alone.
  await expect.poll(async () => (await stats(target)).routes.localChannel.reachable, { timeout: 30_000 }).toEqual([leaderId, cutId].sort());
  await callWindowFunction<void>(cut, 'meshraft.cutLinks');
  await expectWithStats(target, () => expect.poll(async () => (await stats(target)).routes.localChannel.reachable, { timeout: 30_000 }).toEqual([leaderId]));
  await expect.poll(async () => (await stats(target)).frames!.local.listening, { timeout: 10_000 }).toEqual([leaderId]);
  const fromCutBefore = receivedFrom(await stats(target), cutId);
  await callWindowFunction<void>(cut, 'meshraft.postLocalFrame', cutId, cutId, targetId, 'frame');

  // None of it reached the engine: same leader, no far-away term, and writes still commit.
  await writes(leader, [leader, target], 3, 'after');
  const targetStatus = await status(target);
  expect(targetStatus.leader).toBe(leaderId);
  expect(targetStatus.term).toBe(termBefore);
  const targetStats = await stats(target);
  expect(targetStats.frames!.acceptedFrom['intruder-1']).toBeUndefined();
  expect(receivedFrom(targetStats, cutId)).toBe(fromCutBefore);
});

test('cutting a tab\'s links stops the channel to and from it while the others keep committing over it', async ({ tabs }) => {
  const { pages, leader, followers } = await openGroup(tabs, 'local-cut');
  const [kept, cut] = followers;
  const keptId = await peerId(kept);
  const cutId = await peerId(cut);
  const leaderId = await peerId(leader);
  // The channel serves a peer once it announced itself there and its link is up: wait for both
  // followers, or the warm-up may still travel over the data channel (tabs start faster than that).
  await expect.poll(async () => (await stats(leader)).routes.localChannel.reachable, { timeout: 30_000 }).toEqual([keptId, cutId].sort());
  await writes(leader, pages, 3, 'warm-up');
  expect(sentTo(await stats(leader), 'localChannel', cutId)).toBeGreaterThan(0);

  await callWindowFunction<void>(cut, 'meshraft.cutLinks');
  // Both ends see the link go down: the channel to the cut tab closes with it.
  await expect.poll(async () => (await stats(leader)).routes.localChannel.reachable, { timeout: 30_000 }).toEqual([keptId]);
  await expect.poll(async () => (await stats(cut)).routes.localChannel.reachable, { timeout: 30_000 }).toEqual([]);

  const leaderBefore = await stats(leader);
  const cutBefore = await stats(cut);
  const keptBefore = await stats(kept);
  await writes(leader, [leader, kept], 10, 'after-cut');
  const leaderAfter = await stats(leader);
  const cutAfter = await stats(cut);
  // The two that stay connected kept using the channel (a positive event first)...
  expect(sentTo(leaderAfter, 'localChannel', keptId) - sentTo(leaderBefore, 'localChannel', keptId)).toBeGreaterThanOrEqual(10);
  expect(receivedFrom(await stats(kept), leaderId) - receivedFrom(keptBefore, leaderId)).toBeGreaterThanOrEqual(10);
  // ...and nothing went to or came from the cut tab over it.
  expect(sentTo(leaderAfter, 'localChannel', cutId)).toBe(sentTo(leaderBefore, 'localChannel', cutId));
  expect(receivedFrom(cutAfter, leaderId)).toBe(receivedFrom(cutBefore, leaderId));
  expect(cutAfter.routes.localChannel.framesOut).toBe(cutBefore.routes.localChannel.framesOut);
  expect((await status(cut)).committed).toBeLessThan((await status(leader)).committed);
});

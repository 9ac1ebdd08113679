// @vitest-environment happy-dom
// Status hooks against a real 3-peer in-process group: they follow commits, leader changes and
// online/offline, and re-render only when the slice they read changes (counted, never timed).
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import type { GroupStatus, Membership, PeerId } from '@meshraft/core';
import { useCommitted, useGroupStatus, useIsLeader, useLeader, useMembers, useOnline } from '../src/index';
import { settledLeader, startCluster, WAIT, type NotesCluster } from './support/cluster';
import { countSubscriptions, renderWithGroup, RenderLog } from './support/render';

let cluster: NotesCluster | null = null;
afterEach(async () => {
  cleanup();
  await cluster?.close();
  cluster = null;
});

function probes() {
  const logs = {
    leader: new RenderLog<PeerId | null>(),
    isLeader: new RenderLog<boolean>(),
    committed: new RenderLog<number>(),
    online: new RenderLog<boolean>(),
    members: new RenderLog<Membership>(),
    pair: new RenderLog<{ leader: PeerId | null; term: number }>(),
  };
  function Leader() {
    return <span data-testid="leader">{logs.leader.record(useLeader()) ?? 'none'}</span>;
  }
  function IsLeader() {
    return <span data-testid="is-leader">{String(logs.isLeader.record(useIsLeader()))}</span>;
  }
  function Committed() {
    return <span data-testid="committed">{logs.committed.record(useCommitted())}</span>;
  }
  function Online() {
    return <span data-testid="online">{logs.online.record(useOnline()) ? 'online' : 'offline'}</span>;
  }
  function Members() {
    const members = logs.members.record(useMembers());
    return <span data-testid="members">{[...members.voters].sort().join(',')}</span>;
  }
  // A selector that builds a fresh object every call: must still be stable while its fields are.
  const selectPair = (s: GroupStatus) => ({ leader: s.leader, term: s.term });
  function Pair() {
    const pair = logs.pair.record(useGroupStatus(selectPair));
    return <span data-testid="pair">{`${pair.leader}@${pair.term}`}</span>;
  }
  const ui = (
    <>
      <Leader />
      <IsLeader />
      <Committed />
      <Online />
      <Members />
      <Pair />
    </>
  );
  return { logs, ui };
}

const text = (id: string) => screen.getByTestId(id).textContent;

describe('status hooks on a real group', () => {
  it('show leader, role, online and members, and follow commits', async () => {
    cluster = await startCluster();
    const leader = await settledLeader(cluster);
    const followerId = cluster.running().find((id) => id !== leader)!;
    const { logs, ui } = probes();
    renderWithGroup(cluster.group(followerId), ui);

    await waitFor(() => expect(text('leader')).toBe(leader), WAIT);
    expect(text('is-leader')).toBe('false');
    expect(text('online')).toBe('online');
    expect(text('members')).toBe('a,b,c');

    const { index } = await cluster.group(leader).execute({ add: 'x' });
    await waitFor(() => expect(Number(text('committed'))).toBeGreaterThanOrEqual(index), WAIT);
    expect(logs.committed.repeats()).toBe(0);
  });

  it('a commit re-renders useCommitted once per new value and nothing that does not read it', async () => {
    cluster = await startCluster();
    const leader = await settledLeader(cluster);
    const followerId = cluster.running().find((id) => id !== leader)!;
    const follower = cluster.group(followerId);
    const { logs, ui } = probes();
    renderWithGroup(follower, ui);
    await waitFor(() => expect(text('leader')).toBe(leader), WAIT);
    await waitFor(() => expect(Number(text('committed'))).toBe(follower.status.committed), WAIT);
    const before = {
      leader: logs.leader.count,
      isLeader: logs.isLeader.count,
      online: logs.online.count,
      members: logs.members.count,
      pair: logs.pair.count,
      committed: logs.committed.count,
    };

    let last = 0;
    for (let i = 0; i < 10; i++) last = (await cluster.group(leader).execute({ add: `note ${i}` })).index;
    await waitFor(() => expect(Number(text('committed'))).toBeGreaterThanOrEqual(last), WAIT);
    await follower.when.committed(last);

    // Ten commits: the committed probe rendered at least once more and never twice for one value...
    expect(logs.committed.count).toBeGreaterThan(before.committed);
    expect(logs.committed.count - before.committed).toBeLessThanOrEqual(10);
    expect(logs.committed.repeats()).toBe(0);
    // ...and no probe that does not read `committed` rendered at all.
    expect(logs.leader.count).toBe(before.leader);
    expect(logs.isLeader.count).toBe(before.isLeader);
    expect(logs.online.count).toBe(before.online);
    expect(logs.members.count).toBe(before.members);
    expect(logs.pair.count).toBe(before.pair);
    expect(logs.members.last).toEqual({ voters: ['a', 'b', 'c'], learners: [] });
  });

  it('follows a leader change when the leader is killed', async () => {
    cluster = await startCluster();
    const oldLeader = await settledLeader(cluster);
    const watcherId = cluster.running().find((id) => id !== oldLeader)!;
    const { logs, ui } = probes();
    renderWithGroup(cluster.group(watcherId), ui);
    await waitFor(() => expect(text('leader')).toBe(oldLeader), WAIT);

    cluster.kill(oldLeader);
    const newLeader = await settledLeader(cluster, oldLeader);
    expect(newLeader).not.toBe(oldLeader);
    await waitFor(() => expect(text('leader')).toBe(newLeader), WAIT);
    await waitFor(() => expect(text('is-leader')).toBe(String(newLeader === watcherId)), WAIT);
    await waitFor(() => expect(text('online')).toBe('online'), WAIT);
    // Every render of the leader probe showed a new value: old leader, (maybe none), new leader.
    expect(logs.leader.repeats()).toBe(0);
    expect(logs.leader.values[0]).toBe(oldLeader);
    expect(logs.leader.last).toBe(newLeader);
    expect(logs.pair.repeats()).toBe(0);
    // The membership did not change (static in-process membership), so useMembers never re-rendered.
    expect(logs.members.count).toBe(1);
  });

  it('goes offline when its peer is partitioned away and online again when healed', async () => {
    cluster = await startCluster();
    const leader = await settledLeader(cluster);
    const loneId = cluster.running().find((id) => id !== leader)!;
    const { logs, ui } = probes();
    renderWithGroup(cluster.group(loneId), ui);
    await waitFor(() => expect(text('online')).toBe('online'), WAIT);

    cluster.partition([loneId], cluster.running().filter((id) => id !== loneId));
    await waitFor(() => expect(text('online')).toBe('offline'), WAIT);
    await waitFor(() => expect(text('leader')).toBe('none'), WAIT);

    cluster.heal();
    await waitFor(() => expect(text('online')).toBe('online'), WAIT);
    await waitFor(() => expect(text('leader')).not.toBe('none'), WAIT);
    // online -> offline -> online: exactly three renders, none wasted.
    expect(logs.online.values).toEqual([true, false, true]);
    expect(logs.leader.repeats()).toBe(0);
  });

  it('is safe under StrictMode and releases every subscription on unmount', async () => {
    cluster = await startCluster();
    const leader = await settledLeader(cluster);
    const followerId = cluster.running().find((id) => id !== leader)!;
    const counted = countSubscriptions(cluster.group(followerId));
    const { logs, ui } = probes();
    const view = renderWithGroup(counted.group, ui, true);
    await waitFor(() => expect(text('leader')).toBe(leader), WAIT);
    // One live subscription per hook, even though StrictMode subscribes, unsubscribes and re-subscribes.
    expect(counted.active()).toBe(6);
    const leaderRenders = logs.leader.count;

    let last = 0;
    for (let i = 0; i < 5; i++) last = (await cluster.group(leader).execute({ add: `strict ${i}` })).index;
    await waitFor(() => expect(Number(text('committed'))).toBeGreaterThanOrEqual(last), WAIT);
    expect(logs.leader.count).toBe(leaderRenders);

    cluster.kill(leader);
    const next = await settledLeader(cluster, leader);
    await waitFor(() => expect(text('leader')).toBe(next), WAIT);
    // StrictMode renders twice per update; a loop would render far more than 2 per distinct value.
    const distinct = logs.leader.values.filter((v, i, all) => i === 0 || v !== all[i - 1]).length;
    expect(logs.leader.count).toBeLessThanOrEqual(2 * distinct);

    view.unmount();
    expect(counted.active()).toBe(0);
  });
});

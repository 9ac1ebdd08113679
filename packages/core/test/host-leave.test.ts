// close() leaves the group through the log: a follower is removed at once, a leader
// hands leadership over first; a lone voter just stops. close({ leave: false }) keeps membership.
import { afterEach, describe, expect, it } from 'vitest';
import { OfflineError } from '../src/errors';
import { agreedLeader, counterCluster, type CounterCluster } from './support-cluster/counter-cluster';
import { statusWhere, within } from './support-cluster/wait';

let cluster: CounterCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

const without = (id: string) => (s: { members: { voters: string[]; learners: string[] } }) =>
  !s.members.voters.includes(id) && !s.members.learners.includes(id);

describe('host: close leaves the group', () => {
  it('a follower that closes is removed from the membership before it stops', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const leaver = cluster.running().find((id) => id !== leader)!;
    const host = cluster.host(leaver);
    await within(cluster.group(leaver).close(), 10_000, 'close');
    expect(host.stats.leaves).toBe(1);
    expect(host.stats.leaveTimeouts).toBe(0);
    expect(host.removed).toBe(true);
    await statusWhere(cluster.group(leader), without(leaver), 10_000, 'leader sees the removal');
    expect(cluster.group(leader).status.members.voters).toHaveLength(2);
    // Two voters left: they still commit.
    expect((await cluster.group(leader).execute(1)).index).toBeGreaterThan(0);
  });

  it('a leader that closes hands leadership over first, then is removed', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const rest = cluster.running().filter((id) => id !== leader);
    const host = cluster.host(leader);
    await within(cluster.group(leader).close(), 10_000, 'close');
    expect(host.stats.leaves).toBe(1);
    const next = await agreedLeader(cluster, rest);
    expect(next).not.toBe(leader);
    await statusWhere(cluster.group(next), without(leader), 10_000, 'removal seen');
    expect((await cluster.group(next).execute(2)).index).toBeGreaterThan(0);
  });

  it('close({ leave: false }) and a lone voter stop without leaving', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const follower = cluster.running().find((id) => id !== leader)!;
    const host = cluster.host(follower);
    await within(cluster.group(follower).close({ leave: false }), 10_000, 'close');
    expect(host.stats.leaves + host.stats.leaveTimeouts).toBe(0);
    expect(cluster.group(leader).status.members.voters).toContain(follower);

    const solo = counterCluster({ peers: ['solo'] });
    try {
      const g = await solo.add('solo');
      await within(g.when.online(), 10_000, 'online');
      await within(g.close(), 10_000, 'solo close');
      expect(solo.host('solo').stats.leaves + solo.host('solo').stats.leaveTimeouts).toBe(0);
    } finally {
      await solo.close();
    }
  });

  it('a removed peer\'s proposals fail with OfflineError carrying the commands', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const victim = cluster.running().find((id) => id !== leader)!;
    // Leave through the engine while the client stays open (what a tab sees when it is auto-removed).
    cluster.host(victim).engine.leave?.(Date.now());
    await statusWhere(cluster.group(victim), (s) => s.removed === true, 10_000, 'removed');
    expect(cluster.group(victim).status.online).toBe(false);
    const error = await cluster.group(victim).executeMany([7, 8]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineError);
    expect((error as OfflineError).unexecuted).toEqual({ kind: 'commands', commands: [7, 8] });
  });
});

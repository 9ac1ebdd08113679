// Election scenarios: fail-over after the leader dies, rivals with different log positions,
// observers and reluctant peers.
import { afterEach, describe, expect, it } from 'vitest';
import { RaftNode } from '../src/engine/index';
import { TimeoutError } from '../src/errors';
import type { PeerId, Role } from '../src/types';
import { agreedLeader, counterCluster, type CounterCluster, type CounterGroup } from './support-cluster/counter-cluster';
import { eventually, statusWhere, within } from './support-cluster/wait';

let cluster: CounterCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

/** Every role a group passes through from now on. */
function recordRoles(group: CounterGroup): Set<Role> {
  const roles = new Set<Role>([group.status.role]);
  group.subscribe(() => roles.add(group.status.role));
  return roles;
}

/**
 * Counts the times `id`'s election timer runs out from now on: each one is a campaign, or for a
 * peer that may not campaign (an observer) the point where it would have. Read from the engine's
 * deadline (a test-only look inside): a deadline replaced once it has passed is one expiry. A slow
 * poll can only undercount, which makes the caller wait longer, never pass early.
 */
function electionTimeouts(cluster: CounterCluster, id: PeerId): { readonly count: number; stop(): void } {
  const engine = cluster.host(id).engine;
  if (!(engine instanceof RaftNode)) throw new Error(`${id} does not run a RaftNode`);
  const deadline = () => engine['campaignTimer']['deadline'];
  let last = deadline();
  let count = 0;
  const timer = setInterval(() => {
    const next = deadline();
    if (next !== last && performance.now() >= last) count++;
    last = next;
  }, 5);
  return {
    get count() {
      return count;
    },
    stop: () => clearInterval(timer),
  };
}

describe('scenario: the leader is killed', () => {
  it('the others elect one new leader and keep committing without index gaps', async () => {
    cluster = counterCluster({ peers: ['n0', 'n1', 'n2'] });
    await cluster.addAll();
    const old = await agreedLeader(cluster);
    const index = await cluster.group(old).executeMany([3, 4, -2]);
    const survivors = cluster.running().filter((id) => id !== old);
    for (const id of survivors) await within(cluster.group(id).when.committed(index.end), 10_000, 'survivors apply');

    const changed = survivors.map((id) => cluster!.group(id).when.leaderChanged());
    cluster.kill(old);
    await within(Promise.all(changed), 10_000, 'leader change noticed');
    const leader = await agreedLeader(cluster, survivors);
    expect(leader).not.toBe(old);
    expect(survivors).toContain(leader);

    const [a, b] = survivors.map((id) => cluster!.group(id));
    const r1 = await a.executeMany([10, -2, 3]);
    expect(r1.end - r1.start).toBe(2);
    expect(r1.start).toBeGreaterThan(index.end);
    const r2 = await b.executeMany([20, -4, -1]);
    expect(r2.end - r2.start).toBe(2);
    expect(r2.start).toBeGreaterThan(r1.end);
    for (const g of [a, b]) {
      await within(g.when.committed(r2.end), 10_000, 'both apply');
      expect((await g.query('value', 'weak')).result).toBe(31);
      // Every log index was applied exactly in order: no holes, no repeats.
      expect(g.stats.gaps).toBe(0);
    }
    expect(cluster.counter(survivors[0]).applied).toEqual(cluster.counter(survivors[1]).applied);
  });
});

describe('scenario: rivals with different log positions', () => {
  it('the peer with the longer log wins the election', async () => {
    cluster = counterCluster({ peers: ['n0', 'n1', 'n2'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const [long, short] = cluster.running().filter((id) => id !== leader);
    cluster.kill(short);
    const range = await cluster.group(leader).executeMany([1, 2, 3, 4, 5]);
    await within(cluster.group(long).when.committed(range.end), 10_000, 'long applies');
    cluster.kill(leader);

    // `short` comes back with a shorter log; only `long` can collect a quorum of votes (§5.4.1).
    const rival = await cluster.restart(short);
    const shortRoles = recordRoles(rival);
    const winner = await agreedLeader(cluster, [long, short]);
    expect(winner).toBe(long);
    expect(shortRoles.has('leader')).toBe(false);
    await within(rival.when.committed(range.end), 10_000, 'short catches up');
    expect((await rival.query('value', 'weak')).result).toBe(15);
  });
});

describe('scenario: observers', () => {
  it('an observer never becomes leader and does not count toward quorum', async () => {
    cluster = counterCluster({ peers: ['a', 'b', { id: 'o', preference: 'observer' }] });
    expect(cluster.membership).toEqual({ voters: ['a', 'b'], learners: ['o'] });
    await cluster.addAll();
    const observer = cluster.group('o');
    const observerRoles = recordRoles(observer);
    const leader = await agreedLeader(cluster);
    expect(leader).not.toBe('o');

    // The observer forwards commands like any follower.
    const { index } = await observer.execute(5);
    await within(cluster.group(leader).when.committed(index), 10_000, 'leader applies');

    // With the other voter gone, leader + observer are not a quorum: nothing commits.
    const other: PeerId = leader === 'a' ? 'b' : 'a';
    cluster.kill(other);
    const error = await cluster.group(leader).execute(1, { timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    // Check-quorum steps the lone voter down; then both its and the observer's election timers run
    // out several times: the voter campaigns and cannot win, the observer never tries.
    await statusWhere(cluster.group(leader), (s) => s.role !== 'leader', 10_000, 'check-quorum steps the leader down');
    const timeouts = [leader, 'o'].map((id) => electionTimeouts(cluster!, id));
    await eventually(() => (timeouts.every((t) => t.count >= 3) ? true : undefined), 15_000, 'three election timeouts on the voter and the observer');
    timeouts.forEach((t) => t.stop());
    expect(observerRoles.has('leader')).toBe(false);
    expect(observerRoles.has('candidate')).toBe(false);
    expect(observerRoles.has('pre-candidate')).toBe(false);
    expect(cluster.group(leader).status.role).not.toBe('leader'); // it campaigns, but alone it cannot win

    await cluster.restart(other);
    const next = await agreedLeader(cluster);
    expect(['a', 'b']).toContain(next);
    const { index: after } = await observer.execute(100);
    await within(cluster.group(next).when.committed(after), 10_000, 'commits resume');
    expect(observerRoles.has('leader')).toBe(false);
  });
});

describe('scenario: reluctant peers', () => {
  it('a reluctant peer loses elections to normal ones', async () => {
    cluster = counterCluster({ peers: ['a', 'b', { id: 'r', preference: { reluctant: 5 } }] });
    await cluster.addAll();
    const reluctantRoles = recordRoles(cluster.group('r'));
    let leader = await agreedLeader(cluster);
    expect(leader).not.toBe('r');
    for (let round = 0; round < 2; round++) {
      const other: PeerId = leader === 'a' ? 'b' : 'a';
      const { index } = await within(cluster.group(leader).execute(round + 1), 10_000, 'commit');
      // The normal peer must hold the latest entry too, or r would win legitimately by log length.
      await within(cluster.group(other).when.committed(index), 10_000, 'other applies');
      cluster.kill(leader);
      const next = await agreedLeader(cluster, [other, 'r']);
      expect(next).toBe(other);
      await cluster.restart(leader);
      await statusWhere(cluster.group(leader), (s) => s.online && s.leader === other);
      leader = other;
    }
    expect(reluctantRoles.has('leader')).toBe(false);
  });
});

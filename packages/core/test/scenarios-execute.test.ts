// Execute/query scenarios on in-process clusters: commands on leader and followers (each caller gets
// what apply returned on its own peer), weak and strong queries with their positions, concurrent
// execute / executeMany.
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../src/messages';
import { agreedLeader, counterCluster, type CounterCluster } from './support-cluster/counter-cluster';
import { statusWhere, within } from './support-cluster/wait';

let cluster: CounterCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

const isUserCommand = (m: Message) => m.type === 'AppendEntries' && m.entries.some((e) => e.kind === 'command');

/**
 * The in-memory cluster times commands out after 2 s of real time (forwardTimeoutMs 1000), which a
 * loaded CI machine can stall through (seen once): these scenarios are about order and answers, not
 * speed, so their commands wait as long as the scenario's own waits do.
 */
const PATIENT = { timeoutMs: 10_000 };

describe('scenario: a lone peer, then joiners (no catch-up needed)', () => {
  it('elects itself; joiners follow it; commands and queries work from leader and followers', async () => {
    // n0 is the only voter, so it can elect itself alone; n1 and n2 start later as learners.
    cluster = counterCluster({ peers: ['n0', 'n1', 'n2'], membership: { voters: ['n0'], learners: ['n1', 'n2'] } });
    const g0 = await cluster.add('n0');
    await within(g0.when.online(), 10_000, 'n0 online');
    expect(g0.status.leader).toBe('n0');
    expect(g0.status.role).toBe('leader');
    // Our leader commits a no-op on election (Raft §8), so "committed = 0" becomes: nothing but it.
    const base = (await statusWhere(g0, (s) => s.applied >= 1 && s.applied === s.committed)).committed;

    const [g1, g2] = [await cluster.add('n1'), await cluster.add('n2')];
    // The learners ask to vote and the leader promotes them through the log. A probe
    // command after both promotions commits them too (log order), so later indices are ours alone.
    await statusWhere(g0, (s) => s.members.voters.length === 3, 10_000, 'promotions');
    const { index: settled, result: probe } = await g0.execute(0, PATIENT);
    expect(settled).toBeGreaterThan(base);
    expect(probe).toBe(0);
    for (const g of [g1, g2]) {
      await within(g.when.online(), 10_000, `${g.peerId} online`);
      expect(g.status.leader).toBe('n0');
      await within(g.when.committed(settled), 10_000, `${g.peerId} applies the probe`);
      expect(cluster.counter(g.peerId).applied.map((r) => r.amount)).toEqual([0]);
    }

    // The leader's caller gets the counter's new value, as its own apply returned it.
    const r1 = await g0.execute(3, PATIENT);
    const r2 = await g0.execute(4, PATIENT);
    const [i1, i2] = [r1.index, r2.index];
    expect([i1, i2]).toEqual([settled + 1, settled + 2]);
    expect([r1.result, r2.result]).toEqual([3, 7]);
    expect(g0.status.committed).toBeGreaterThanOrEqual(i2);
    await expect(g0.query('value', 'strong')).resolves.toEqual({ result: 7, position: i2 });

    for (const g of [g1, g2]) {
      await within(g.when.committed(i2), 10_000, 'followers apply');
      await expect(g.query('value', 'weak')).resolves.toEqual({ result: 7, position: i2 });
    }
    await expect(g1.query('value', 'strong')).resolves.toEqual({ result: 7, position: i2 });

    // A follower's command is forwarded, committed and applied everywhere; the follower's caller
    // gets what the follower's own state machine returned.
    const { index: i3, result: r3 } = await g1.execute(-2, PATIENT);
    expect(i3).toBe(i2 + 1);
    expect(r3).toBe(5);
    for (const g of [g0, g1, g2]) {
      await within(g.when.committed(i3), 10_000, 'all apply');
      await expect(g.query('value', 'weak')).resolves.toEqual({ result: 5, position: i3 });
    }
  });

  it('answers a strong query on a follower only after it applied up to the read index', async () => {
    cluster = counterCluster({ peers: ['n0', 'n1'], membership: { voters: ['n0'], learners: ['n1'] } });
    const g0 = await cluster.add('n0');
    await within(g0.when.online(), 10_000, 'n0 online');
    const g1 = await cluster.add('n1');
    await within(g1.when.online(), 10_000, 'n1 online');
    await g0.execute(10, PATIENT);
    await within(g1.when.committed(g0.status.applied), 10_000, 'n1 applies');

    // Hold back new entries from n1 (heartbeats still pass, so it keeps following n0). Watch for the
    // leader's answer to n1's read index, then for heartbeats n1 answers after it: those were sent
    // after the answer on the same FIFO link, so n1 has the read index by then.
    let holding = true;
    let readIndex: number | null = null;
    let heartbeatsAfter = 0;
    let sawHeartbeats!: () => void;
    const heardBack = new Promise<void>((resolve) => (sawHeartbeats = resolve));
    cluster.network.setFilter((from, to, m) => {
      if (from === 'n0' && to === 'n1' && m.type === 'ReadIndexResponse' && m.ok) readIndex = m.index;
      if (readIndex !== null && from === 'n1' && to === 'n0' && m.type === 'HeartbeatResponse' && ++heartbeatsAfter === 3) sawHeartbeats();
      return !(holding && to === 'n1' && isUserCommand(m));
    });
    const { index } = await g0.execute(20, PATIENT);
    let answered = false;
    const strong = g1.query('value', 'strong').then((r) => ((answered = true), r));
    const weak = await g1.query('value', 'weak');
    expect(weak.result).toBe(10);
    await within(heardBack, 10_000, 'the read index, then three heartbeats, reach n1');
    expect(readIndex).toBeGreaterThanOrEqual(index);
    // The read index arrived, the entries did not: the strong query must still be waiting.
    expect(answered).toBe(false);
    expect(g1.status.applied).toBeLessThan(index);

    holding = false;
    const result = await within(strong, 10_000, 'strong query');
    expect(result.result).toBe(30);
    expect(result.position).toBeGreaterThanOrEqual(index);
  });
});

describe('scenario: concurrent commands from leader and follower', () => {
  it('5 execute on the leader and 5 on a follower all succeed: sum 75', async () => {
    cluster = counterCluster({ peers: ['n0', 'n1'] });
    await cluster.addAll();
    const leaderId = await agreedLeader(cluster);
    const leader = cluster.group(leaderId);
    const follower = cluster.group(leaderId === 'n0' ? 'n1' : 'n0');

    const calls = [
      ...[1, 2, 3, 4, 5].map((n) => leader.execute(n, PATIENT)),
      ...[10, 11, 12, 13, 14].map((n) => follower.execute(n, PATIENT)),
    ];
    const outcomes = await within(Promise.all(calls), 20_000, 'all executes');
    const indices = outcomes.map((o) => o.index);
    expect(new Set(indices).size).toBe(10);
    const last = Math.max(...indices);
    for (const g of [leader, follower]) {
      await within(g.when.committed(last), 10_000, 'both apply');
      expect((await g.query('value', 'weak')).result).toBe(75);
    }
    // Each command was applied exactly once, at the index its caller was given.
    const applied = cluster.counter(leaderId).applied;
    expect(applied).toHaveLength(10);
    expect(applied.map((r) => r.index).sort((a, b) => a - b)).toEqual([...indices].sort((a, b) => a - b));
    // Each caller's result is the running total right after its command: the sum of every amount
    // applied at or before its index (the same on both peers, since apply is deterministic).
    const amounts = [1, 2, 3, 4, 5, 10, 11, 12, 13, 14];
    outcomes.forEach((outcome, i) => {
      const total = applied.filter((r) => r.index <= outcome.index).reduce((sum, r) => sum + r.amount, 0);
      expect(applied.find((r) => r.index === outcome.index)?.amount).toBe(amounts[i]);
      expect(outcome.result).toBe(total);
    });
  });

  it('four concurrent executeMany batches: sum 50, each batch contiguous', async () => {
    cluster = counterCluster({ peers: ['n0', 'n1'] });
    await cluster.addAll();
    const leaderId = await agreedLeader(cluster);
    const leader = cluster.group(leaderId);
    const follower = cluster.group(leaderId === 'n0' ? 'n1' : 'n0');

    const batches = [[1, 2, 3], [-1, 5], [10, 20], [-5, 15]];
    const ranges = await within(
      Promise.all([leader.executeMany(batches[0]), leader.executeMany(batches[1]), follower.executeMany(batches[2]), follower.executeMany(batches[3])]),
      20_000,
      'all batches',
    );
    ranges.forEach((range, i) => expect(range.end - range.start + 1).toBe(batches[i].length));
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].start).toBeGreaterThan(sorted[i - 1].end);
    const last = sorted[sorted.length - 1].end;
    for (const g of [leader, follower]) {
      await within(g.when.committed(last), 10_000, 'both apply');
      expect((await g.query('value', 'weak')).result).toBe(50);
    }
    // Batch commands sit at their batch's indices, in order, and results[k] is the total after
    // command k (leader callers and follower callers alike).
    const applied = cluster.counter(leaderId).applied;
    const byIndex = new Map(applied.map((r) => [r.index, r.amount]));
    const totalAt = (index: number) => applied.filter((r) => r.index <= index).reduce((sum, r) => sum + r.amount, 0);
    ranges.forEach((range, i) => {
      expect(range.results).toHaveLength(batches[i].length);
      batches[i].forEach((amount, k) => {
        expect(byIndex.get(range.start + k)).toBe(amount);
        expect(range.results[k]).toBe(totalAt(range.start + k));
      });
    });
  });

  it('concurrent weak and strong queries from leader and follower all see 30', async () => {
    cluster = counterCluster({ peers: ['n0', 'n1'] });
    await cluster.addAll();
    const leaderId = await agreedLeader(cluster);
    const leader = cluster.group(leaderId);
    const follower = cluster.group(leaderId === 'n0' ? 'n1' : 'n0');
    await leader.execute(10, PATIENT);
    const { index } = await leader.execute(20, PATIENT);
    await within(follower.when.committed(index), 10_000, 'follower applies');
    const queries = [];
    for (let i = 0; i < 3; i++) {
      for (const g of [leader, follower]) queries.push(g.query('value', 'weak'), g.query('value', 'strong'));
    }
    for (const r of await within(Promise.all(queries), 20_000, 'queries')) {
      expect(r.result).toBe(30);
      expect(r.position).toBeGreaterThanOrEqual(index);
    }
  });
});

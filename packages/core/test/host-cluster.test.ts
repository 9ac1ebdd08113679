// The in-process cluster end to end: exactly-once under a lost forward response, restart from
// storage, close(), and the cluster API itself.
import { afterEach, describe, expect, it } from 'vitest';
import { ClosedError, TimeoutError } from '../src/errors';
import type { ClientTag } from '../src/types';
import type { ForwardCommands, ForwardCommandsResponse, Message } from '../src/messages';
import { agreedLeader, counterCluster, type CounterCluster } from './support-cluster/counter-cluster';
import { statusWhere, within } from './support-cluster/wait';

let cluster: CounterCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

const hasCommands = (m: Message) => m.type === 'AppendEntries' && m.entries.some((e) => e.kind === 'command');

describe('exactly-once through the engine', () => {
  it('a forward whose response is lost is retried with the same tag and applied once', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const followerId = cluster.running().find((id) => id !== leader)!;
    const follower = cluster.group(followerId);

    const forwards: ForwardCommands[] = [];
    const forwardedTo: string[] = [];
    const lostResponses: ForwardCommandsResponse[] = [];
    cluster.network.setFilter((from, to, m) => {
      if (from === followerId && m.type === 'ForwardCommands') {
        forwards.push(m);
        forwardedTo.push(to);
      }
      // Until the follower retries, it neither hears the answer nor receives the new entry, so it
      // cannot tell that its command committed.
      const retried = forwards.length >= 2;
      if (to === followerId && m.type === 'ForwardCommandsResponse' && !retried) {
        lostResponses.push(m);
        return false;
      }
      return !(to === followerId && hasCommands(m) && !retried);
    });

    const { index, result } = await within(follower.execute(7, { timeoutMs: 20_000 }), 25_000, 'execute');
    // The retry was not applied again: the caller gets the answer of the single apply.
    expect(result).toBe(7);
    expect(forwards.length).toBeGreaterThanOrEqual(2);
    const tags = new Set(forwards.map((f) => `${f.client.clientId}#${f.client.seq}`));
    expect(tags.size).toBe(1);
    // Retried by the client after its timeout, or (on a loaded machine, when an election happened
    // meanwhile) re-sent by the engine to the new leader: either way the same tag went out again.
    const resent = follower.stats.retries >= 1 || new Set(forwardedTo).size >= 2;
    expect(resent, `client retries ${follower.stats.retries}, forwarded to ${forwardedTo.join(', ')}`).toBe(true);
    // The lost answer named the index the command committed at; the caller got the same one.
    expect(lostResponses[0]).toMatchObject({ ok: true, start: index, end: index });

    const tag: ClientTag = forwards[0].client;
    for (const id of cluster.running()) {
      const group = cluster.group(id);
      await within(group.when.committed(index), 10_000, `${id} applies`);
      await statusWhere(group, (s) => s.applied >= s.committed);
      expect((await group.query('value', 'weak')).result).toBe(7);
      const applied = cluster.counter(id).applied.filter((r) => r.client?.clientId === tag.clientId);
      expect(applied).toEqual([{ index, amount: 7, client: tag }]);
    }
  });
});

describe('restart from storage', () => {
  it('a restarted cluster rebuilds every state machine from its log and keeps going', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const range = await cluster.group(leader).executeMany([1, 2, 3, 4, 5]);
    for (const id of cluster.running()) await within(cluster.group(id).when.committed(range.end), 10_000, 'apply');

    for (const id of ['a', 'b', 'c']) cluster.kill(id);
    const restarted = await Promise.all(['a', 'b', 'c'].map((id) => cluster!.restart(id)));
    for (const group of restarted) {
      await within(group.when.committed(range.end), 10_000, 'replay');
      expect((await group.query('value', 'weak')).result).toBe(15);
    }
    const next = await agreedLeader(cluster);
    const { index, result } = await cluster.group(next).execute(100);
    expect(index).toBeGreaterThan(range.end);
    expect(result).toBe(115);
    for (const group of restarted) {
      await within(group.when.committed(index), 10_000, 'apply after restart');
      expect((await group.query('value', 'weak')).result).toBe(115);
      expect(group.stats.gaps).toBe(0);
    }
  });

  it('a lone peer restarts with its committed state and a higher term', async () => {
    cluster = counterCluster({ peers: ['solo'] });
    const g = await cluster.add('solo');
    await within(g.when.online(), 10_000, 'online');
    const { index } = await g.execute(42);
    const term = g.status.term;
    const again = await cluster.restart('solo');
    expect(g.status.closed).toBe(true);
    await within(again.when.committed(index), 10_000, 'replay');
    expect((await again.query('value', 'weak')).result).toBe(42);
    await within(again.when.online(), 10_000, 'online again');
    expect(again.status.term).toBeGreaterThan(term);
    const after = await again.execute(1);
    expect(after.index).toBeGreaterThan(index);
    expect(after.result).toBe(43);
  });
});

describe('leadership transfer', () => {
  it('moves leadership to the named peer; a follower cannot hand it over', async () => {
    // A transfer gives up after an election timeout of real time: the default 1 s, not the test
    // cluster's 150 ms, which a loaded machine can spend before the target's campaign even runs.
    cluster = counterCluster({ peers: ['a', 'b', 'c'], config: { electionTimeoutMs: 1000 } });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const [target, bystander] = cluster.running().filter((id) => id !== leader);
    await expect(cluster.group(bystander).transferLeadership(target)).rejects.toThrow(/leader/);
    await within(cluster.group(leader).transferLeadership(target), 10_000, 'transfer');
    expect(await agreedLeader(cluster)).toBe(target);
    expect((await cluster.group(leader).execute(1)).index).toBeGreaterThan(0);
  });
});

describe('close and kill', () => {
  it('close() stops one peer; the others go on; later calls reject with ClosedError', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const followerId = cluster.running().find((id) => id !== leader)!;
    const follower = cluster.group(followerId);
    await within(follower.close(), 10_000, 'close');
    expect(follower.status.closed).toBe(true);
    expect(cluster.host(followerId).running).toBe(false);
    await expect(follower.execute(1)).rejects.toBeInstanceOf(ClosedError);
    expect((await cluster.group(leader).execute(1)).index).toBeGreaterThan(0);
  });

  it("kill() rejects the dead peer's pending operations at once: TimeoutError for a command its engine held (it may have sent it on), ClosedError after", async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.add('a');
    const g = cluster.group('a');
    // Alone among three voters: no leader, so the command stays pending until the peer dies. The
    // client cannot know whether its engine forwarded it before dying: the outcome is unknown.
    const pending = g.executeMany([1, 2], { timeoutMs: 30_000 });
    cluster.kill('a');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).unexecuted).toEqual({ kind: 'commands', commands: [1, 2] });
    await expect(g.execute(3)).rejects.toBeInstanceOf(ClosedError);
    expect(cluster.isRunning('a')).toBe(false);
    expect(() => cluster!.group('a')).toThrow();
  });
});

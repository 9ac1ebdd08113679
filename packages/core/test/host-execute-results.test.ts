// execute() / executeMany() resolve with what the state machine's apply returned on the calling
// peer: against a scripted host (time slicing, snapshots, throwing apply, duplicates) and on real
// in-process clusters (compare-and-set from leader and follower callers, a lost forward answer,
// a large batch).
import { afterEach, describe, expect, it } from 'vitest';
import { encodeValue } from '../src/codec/index';
import { createInProcessCluster, type InProcessCluster } from '../src/host/cluster';
import { ExactlyOnceTable } from '../src/host/exactly-once';
import { GroupClient } from '../src/host/group-client';
import { encodeGroupSnapshot } from '../src/host/group-snapshot';
import { createInProcessPorts } from '../src/host/ports';
import type { ForwardCommands, Message } from '../src/messages';
import { seededRandom } from '../src/rng';
import type { ClientTag, CommandEntry, PeerId } from '../src/types';
import { CasRegister, type CasCommand, type CasResult } from './support-cluster/cas-register';
import { agreedLeader, counterCluster, type CounterCluster } from './support-cluster/counter-cluster';
import { clientRig, command, FakeHost, noop } from './support-cluster/fake-host';
import { ManualClock } from './support-cluster/manual-clock';
import { flushMicrotasks, statusWhere, within } from './support-cluster/wait';

type CasCluster = InProcessCluster<CasCommand, 'value', number | null, CasResult>;

let cluster: CasCluster | CounterCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

const tagged = (tag: ClientTag, offset: number): ClientTag => ({ clientId: tag.clientId, seq: tag.seq + offset });

function casEntry(index: number, cmd: CasCommand, client?: ClientTag): CommandEntry {
  return { kind: 'command', index, term: 1, data: encodeValue(cmd), client };
}

/** A GroupClient over a CasRegister and a scripted host. */
function casRig() {
  const ports = createInProcessPorts();
  const host = new FakeHost(ports.host);
  const register = new CasRegister();
  const client = new GroupClient<CasCommand, 'value', number | null, CasResult>({
    peerId: 'p1', port: ports.client, stateMachine: register, clock: new ManualClock(), random: seededRandom(11),
    config: { heartbeatMs: 30, electionTimeoutMs: 150, forwardTimeoutMs: 1000 },
  });
  host.status({ leader: 'p0', online: true });
  return { client, host, register };
}

function casCluster(peers: PeerId[] = ['a', 'b', 'c']): CasCluster {
  return createInProcessCluster<CasCommand, 'value', number | null, CasResult>({ peers, stateMachine: () => new CasRegister() });
}

describe('execute results against a scripted host', () => {
  it('a big batch of its own commands resolves with every result only after the last slice', async () => {
    // Every apply takes 1 ms of (fake) time, so an 8 ms slice holds at most 8 commands.
    const { client, host, clock, settle } = clientRig({ onApply: (c) => c.advance(1) });
    let outcome: Awaited<ReturnType<typeof client.executeMany>> | null = null;
    const amounts = Array.from({ length: 100 }, (_, i) => i + 1);
    void client.executeMany(amounts).then((o) => (outcome = o));
    await settle();
    const [propose] = host.of('propose');
    host.post({ type: 'proposal-result', requestId: propose.requestId, ok: true, start: 2, end: 101 });
    host.post({ type: 'apply', snapshot: null, entries: [noop(1), ...amounts.map((n, i) => command(i + 2, n, tagged(propose.client, i)))] });
    await settle();
    expect(client.status.applied).toBeLessThan(101);
    expect(outcome).toBeNull();
    // Each slice yields through a timer due at once (the caller's deadline stays pending).
    for (let i = 0; i < 100 && client.status.applied < 101; i++) clock.runDue();
    await settle();
    expect(client.stats.slices).toBeGreaterThan(1);
    // results[i] is the running total after command i: 1, 3, 6, ...
    const totals = amounts.map((n) => (n * (n + 1)) / 2);
    expect(outcome).toEqual({ start: 2, end: 101, results: totals });
  });

  it('a command a snapshot covered before this peer applied it resolves with result undefined', async () => {
    const { client, host, counter, settle } = clientRig();
    counter.restore = (bytes) => {
      counter.value = bytes[0];
    };
    host.status({ leader: 'p0', online: true });
    const pending = client.executeMany([5, 6]);
    await settle();
    const [propose] = host.of('propose');
    // Both commands were applied elsewhere; this peer only gets the snapshot that covers them.
    const table = new ExactlyOnceTable();
    table.markApplied(propose.client);
    table.markApplied(tagged(propose.client, 1));
    const snapshot = { meta: { index: 9, term: 2, membership: { voters: ['p1'], learners: [] } }, data: encodeGroupSnapshot({ app: new Uint8Array([11]), table: table.serialize() }) };
    host.post({ type: 'apply', snapshot, entries: [] });
    await settle();
    await expect(pending).resolves.toEqual({ start: 9, end: 9, results: [undefined, undefined] });
    expect(counter.applied).toEqual([]);
    expect(counter.value).toBe(11);
  });

  it('compare-and-set: the caller sees whether its set won, and a throwing apply gives undefined', async () => {
    const { client, host, register } = casRig();
    const batch = client.executeMany([{ expect: null, set: 1 }, 'boom', { expect: null, set: 2 }, { expect: 1, set: 3 }]);
    await flushMicrotasks();
    const [propose] = host.of('propose');
    host.post({ type: 'proposal-result', requestId: propose.requestId, ok: true, start: 1, end: 4 });
    host.post({
      type: 'apply',
      snapshot: null,
      entries: [
        casEntry(1, { expect: null, set: 1 }, propose.client),
        casEntry(2, 'boom', tagged(propose.client, 1)),
        casEntry(3, { expect: null, set: 2 }, tagged(propose.client, 2)),
        casEntry(4, { expect: 1, set: 3 }, tagged(propose.client, 3)),
      ],
    });
    const outcome = await batch;
    expect(outcome.results).toEqual([{ ok: true, value: 1 }, undefined, { ok: false, actual: 1 }, { ok: true, value: 3 }]);
    expect(client.stats.applyErrors).toBe(1);
    expect(register.value).toBe(3);
  });

  it('a command that landed twice in the log resolves with the first (only) apply, not the skipped copy', async () => {
    const { client, host, register } = casRig();
    const pending = client.execute({ expect: null, set: 7 });
    await flushMicrotasks();
    const [propose] = host.of('propose');
    host.post({ type: 'proposal-result', requestId: propose.requestId, ok: false, error: 'timeout' });
    host.post({
      type: 'apply',
      snapshot: null,
      // The first attempt committed at 1; a retry's copy at 3 is skipped by the exactly-once table.
      // Applied again, it would answer { ok: false, actual: 7 }.
      entries: [casEntry(1, { expect: null, set: 7 }, propose.client), noop(2), casEntry(3, { expect: null, set: 7 }, propose.client)],
    });
    await expect(pending).resolves.toEqual({ index: 1, result: { ok: true, value: 7 } });
    expect(register.applies).toBe(1);
    expect(client.stats.duplicatesSkipped).toBe(1);
  });
});

describe('execute results on a real cluster', () => {
  it('compare-and-set from the leader and a follower: exactly one wins and each caller knows which', async () => {
    const cas = casCluster();
    cluster = cas;
    await cas.addAll();
    const leaderId = await agreedLeader(cas);
    const followerId = cas.running().find((id) => id !== leaderId)!;
    const leader = cas.group(leaderId);
    const follower = cas.group(followerId);

    const first = await leader.execute({ expect: null, set: 1 });
    expect(first.result).toEqual({ ok: true, value: 1 });

    // Both expect 1; the log orders them, so the second one applied sees the first one's value.
    const [fromLeader, fromFollower] = await within(
      Promise.all([leader.execute({ expect: 1, set: 10 }), follower.execute({ expect: 1, set: 20 })]),
      20_000,
      'both CAS',
    );
    const byIndex = [
      { who: 10, outcome: fromLeader },
      { who: 20, outcome: fromFollower },
    ].sort((x, y) => x.outcome.index - y.outcome.index);
    expect(byIndex[0].outcome.result).toEqual({ ok: true, value: byIndex[0].who });
    expect(byIndex[1].outcome.result).toEqual({ ok: false, actual: byIndex[0].who });
    for (const id of cas.running()) {
      await within(cas.group(id).when.committed(byIndex[1].outcome.index), 10_000, `${id} applies`);
      expect((await cas.group(id).query('value', 'weak')).result).toBe(byIndex[0].who);
    }
  });

  it('executeMany from a follower: results[i] answers commands[i]', async () => {
    const cas = casCluster();
    cluster = cas;
    await cas.addAll();
    const leaderId = await agreedLeader(cas);
    const follower = cas.group(cas.running().find((id) => id !== leaderId)!);
    const outcome = await within(
      follower.executeMany([{ expect: null, set: 4 }, { expect: 4, set: 5 }, { expect: 4, set: 6 }, 'boom', { expect: 5, set: 6 }]),
      20_000,
      'batch',
    );
    expect(outcome.end - outcome.start).toBe(4);
    expect(outcome.results).toEqual([{ ok: true, value: 4 }, { ok: true, value: 5 }, { ok: false, actual: 5 }, undefined, { ok: true, value: 6 }]);
  });

  it('a forward whose answer is lost is retried; the caller gets the single apply\'s answer', async () => {
    const cas = casCluster();
    cluster = cas;
    await cas.addAll();
    const leaderId = await agreedLeader(cas);
    const followerId = cas.running().find((id) => id !== leaderId)!;
    const follower = cas.group(followerId);
    const forwards: ForwardCommands[] = [];
    let lost = 0;
    const hasCommands = (m: Message) => m.type === 'AppendEntries' && m.entries.some((e) => e.kind === 'command');
    cas.network.setFilter((from, to, m) => {
      if (from === followerId && m.type === 'ForwardCommands') forwards.push(m);
      const retried = forwards.length >= 2;
      if (to === followerId && m.type === 'ForwardCommandsResponse' && !retried) {
        lost++;
        return false;
      }
      // Until the retry the follower does not see the entry either: only the retry can tell it.
      return !(to === followerId && hasCommands(m) && !retried);
    });

    const outcome = await within(follower.execute({ expect: null, set: 9 }, { timeoutMs: 20_000 }), 25_000, 'execute');
    expect(lost).toBeGreaterThanOrEqual(1);
    expect(forwards.length).toBeGreaterThanOrEqual(2);
    expect(new Set(forwards.map((f) => `${f.client.clientId}#${f.client.seq}`)).size).toBe(1);
    // Applied a second time it would have answered { ok: false, actual: 9 }.
    expect(outcome.result).toEqual({ ok: true, value: 9 });
    for (const id of cas.running()) {
      await within(cas.group(id).when.committed(outcome.index), 10_000, `${id} applies`);
      await statusWhere(cas.group(id), (s) => s.applied >= s.committed);
      expect((await cas.group(id).query('value', 'weak')).result).toBe(9);
    }
  });

  it('a large batch from a follower, applied in short slices, resolves with every result', async () => {
    const counters = counterCluster({ peers: ['a', 'b', 'c'], sliceMs: 1 });
    cluster = counters;
    await counters.addAll();
    const leaderId = await agreedLeader(counters);
    const followerId = counters.running().find((id) => id !== leaderId)!;
    const amounts = Array.from({ length: 3000 }, (_, i) => (i % 7) - 3);
    const outcome = await within(counters.group(followerId).executeMany(amounts, { timeoutMs: 30_000 }), 35_000, 'batch');
    expect(outcome.results).toHaveLength(amounts.length);
    // Nothing else was executed: results[i] is the sum of the first i + 1 amounts.
    let total = 0;
    const totals = amounts.map((n) => (total += n));
    expect(outcome.results).toEqual(totals);
    expect(counters.counter(followerId).applied).toHaveLength(amounts.length);
    // Applied in many slices, not in one task (sliceMs: 1 against 3,000 commands).
    expect(counters.group(followerId).stats.slices).toBeGreaterThan(1);
  });
});

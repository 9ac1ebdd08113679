// GroupClient against a scripted host: answering 'take-snapshot', and surviving a new host (another
// peer id) taking over its port, as when the runtime re-joins under a fresh identity.
import { describe, expect, it } from 'vitest';
import { GroupClient } from '../src/host/group-client';
import { decodeGroupSnapshot } from '../src/host/group-snapshot';
import { createInProcessPorts } from '../src/host/ports';
import { seededRandom } from '../src/rng';
import { Counter } from './support-cluster/counter';
import { clientRig, command, FakeHost, noop } from './support-cluster/fake-host';
import { ManualClock } from './support-cluster/manual-clock';
import { flushMicrotasks } from './support-cluster/wait';

describe('GroupClient: take-snapshot', () => {
  it('answers once it has applied up to the requested index, with the exactly-once table inside', async () => {
    const { client, host, counter, settle } = clientRig();
    (counter as Counter & { snapshot(): Uint8Array }).snapshot = () => new TextEncoder().encode(String(counter.value));
    counter.restore = () => {};
    host.post({ type: 'apply', snapshot: null, entries: [noop(1), command(2, 4, { clientId: 'x', seq: 1 })] });
    host.post({ type: 'take-snapshot', upTo: 3 });
    await settle();
    expect(host.of('snapshot')).toHaveLength(0); // index 3 not applied yet
    host.post({ type: 'apply', snapshot: null, entries: [command(3, 5, { clientId: 'x', seq: 2 })] });
    await settle();
    const [notice] = host.of('snapshot');
    expect(notice.snapshot.meta.index).toBe(3);
    const image = decodeGroupSnapshot(notice.snapshot.data);
    expect(new TextDecoder().decode(image.app!)).toBe('9');
    expect(image.table.clients).toEqual([{ clientId: 'x', floor: -1, seqs: [], runs: [1, 2] }]);
    expect(client.stats.snapshotsTaken).toBe(1);
  });

  it('declines when the state machine has no snapshot()/restore(), or when snapshot() throws', async () => {
    const plain = clientRig();
    plain.host.post({ type: 'take-snapshot', upTo: 0 });
    await plain.settle();
    expect(plain.host.of('snapshot-declined')).toEqual([{ type: 'snapshot-declined', reason: 'unsupported' }]);

    const broken = clientRig();
    (broken.counter as Counter & { snapshot(): Uint8Array }).snapshot = () => {
      throw new Error('boom');
    };
    broken.counter.restore = () => {};
    broken.host.post({ type: 'take-snapshot', upTo: 0 });
    await broken.settle();
    expect(broken.host.of('snapshot-declined')).toEqual([{ type: 'snapshot-declined', reason: 'failed' }]);
    expect(broken.client.stats.snapshotsDeclined).toBe(1);
  });
});

describe('GroupClient: a new host takes over the port', () => {
  it('adopts the new peer id, keeps its applied state and re-sends unanswered requests with the same tags', async () => {
    const clock = new ManualClock();
    const counter = new Counter();
    const ports = createInProcessPorts();
    const oldHost = new FakeHost(ports.host);
    const client = new GroupClient<number, 'value', number>({
      peerId: 'p1', port: ports.client, stateMachine: counter, clock, random: seededRandom(3),
      config: { heartbeatMs: 30, electionTimeoutMs: 150, forwardTimeoutMs: 1000 },
    });
    oldHost.status({ leader: 'p0', online: true, committed: 2 });
    oldHost.post({ type: 'apply', snapshot: null, entries: [noop(1), command(2, 10)] });
    const pending = client.execute(5, { timeoutMs: 60_000 });
    await flushMicrotasks();
    const [first] = oldHost.of('propose');

    // The runtime replaced the host (fresh storage, new id). Its log starts empty.
    const newHost = new FakeHost(ports.host); // replaces the port's handler, like a second EngineHost
    const seen: string[] = [];
    client.subscribe(() => seen.push(client.status.peerId));
    newHost.status({ peerId: 'p7', leader: null, online: false, committed: 0 });
    await flushMicrotasks();
    expect(client.peerId).toBe('p7');
    expect(client.status.peerId).toBe('p7');
    expect(seen).toContain('p7');
    expect(client.status.applied).toBe(2);
    expect(client.status.committed).toBe(2); // never below what was applied
    const [again] = newHost.of('propose');
    expect(again.client).toEqual(first.client);

    // The new identity catches up from index 1: what was applied is skipped, new entries apply.
    newHost.post({ type: 'proposal-result', requestId: again.requestId, ok: true, start: 3, end: 3 });
    newHost.post({ type: 'apply', snapshot: null, entries: [noop(1), command(2, 10), command(3, 5, first.client)] });
    await flushMicrotasks();
    await expect(pending).resolves.toEqual({ index: 3, result: 15 });
    expect(counter.value).toBe(15);
    expect(client.stats.gaps).toBe(0);
  });
});

// The Worker channel's wire forms: packed 'apply' / 'propose' round-trip to exactly the protocol
// messages (mixed entry kinds, clients and no clients, views into larger buffers), and messages
// posted in one go cross as one postMessage, in order, over a real MessageChannel.
import fc from 'fast-check';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientToHost, HostToClient, LogEntry } from '@meshraft/core';
import { portOverMessagePort } from '../src/browser/message-port';
import { packEntries, unpackEntries } from '@meshraft/core';
import { fromWire, toWire } from '../src/browser/packed-entries';

const entryArb: fc.Arbitrary<LogEntry> = fc.oneof(
  fc.record({ kind: fc.constant('noop' as const), term: fc.nat(9) }),
  fc.record({ kind: fc.constant('config' as const), term: fc.nat(9), membership: fc.constant({ voters: ['a', 'b'], learners: [] }) }),
  fc.record({
    kind: fc.constant('command' as const),
    term: fc.nat(9),
    data: fc.uint8Array({ maxLength: 40 }),
    client: fc.option(fc.record({ clientId: fc.constantFrom('x/1', 'y/2', 'z/3'), seq: fc.nat(1e6) }), { nil: undefined }),
  }),
).map((e) => e as LogEntry);

const withIndices = (entries: LogEntry[], first: number): LogEntry[] =>
  entries.map((e, i) => {
    const entry = { ...e, index: first + i } as LogEntry;
    if (entry.kind === 'command' && entry.client === undefined) delete (entry as { client?: unknown }).client;
    return entry;
  });

const plain = (entries: LogEntry[]) => entries.map((e) => (e.kind === 'command' ? { ...e, data: [...e.data] } : e));

describe('packed entries', () => {
  it('unpack(pack(entries)) gives the same entries in index order', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 80 }), fc.integer({ min: 1, max: 1e9 }), (raw, first) => {
        const entries = withIndices(raw, first);
        expect(plain(unpackEntries(packEntries(entries)))).toEqual(plain(entries));
      }),
    );
  });

  it("packs big 'apply' and 'propose' messages only, and fromWire restores them", () => {
    const big = withIndices(Array.from({ length: 40 }, (_, i) => ({ kind: 'command', term: 2, data: new Uint8Array(64).fill(i).subarray(3, 9), client: { clientId: 'c', seq: i } }) as unknown as LogEntry), 5);
    const apply: HostToClient = { type: 'apply', entries: big, snapshot: null };
    const packed = toWire(apply);
    expect((packed.wire as { type: string }).type).toBe('apply-packed');
    expect(packed.transfer).toHaveLength(1);
    expect(plain((fromWire<HostToClient>(packed.wire) as { entries: LogEntry[] }).entries)).toEqual(plain(big));
    const propose: ClientToHost = { type: 'propose', requestId: 3, client: { clientId: 'c', seq: 1 }, commands: big.map((e) => (e as { data: Uint8Array }).data) };
    const back = fromWire<ClientToHost>(toWire(propose).wire) as typeof propose;
    expect(back.commands.map((c) => [...c])).toEqual(propose.commands.map((c) => [...c]));
    expect(back).toMatchObject({ type: 'propose', requestId: 3, client: { clientId: 'c', seq: 1 } });
    // Few entries with bytes of their own cross as they are; views into a larger buffer (a decoded
    // frame's entries share one copy) travel packed, so a clone never copies the rest of that buffer.
    const own = withIndices([0, 1].map((i) => ({ kind: 'command', term: 2, data: Uint8Array.of(i) }) as unknown as LogEntry), 5);
    const small: HostToClient = { type: 'apply', entries: own, snapshot: null };
    expect(toWire(small)).toEqual({ wire: small, transfer: [] });
    const views: HostToClient = { type: 'apply', entries: big.slice(0, 2), snapshot: null };
    expect((toWire(views).wire as { type: string }).type).toBe('apply-packed');
    expect(plain((fromWire<HostToClient>(toWire(views).wire) as { entries: LogEntry[] }).entries)).toEqual(plain(big.slice(0, 2)));
  });
});

describe('portOverMessagePort', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const c of channels.splice(0)) {
      c.port1.close();
      c.port2.close();
    }
  });

  it('sends what was posted in one go as one message, in order, and unpacks it', async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    const raw: unknown[] = [];
    const left = portOverMessagePort<HostToClient, ClientToHost>(channel.port1 as unknown as MessagePort);
    const received: HostToClient[] = [];
    const right = portOverMessagePort<ClientToHost, HostToClient>(channel.port2 as unknown as MessagePort);
    right.onMessage((m) => received.push(m));
    channel.port2.on('message', (data: unknown) => raw.push(data));
    const entries = withIndices(Array.from({ length: 20 }, (_, i) => ({ kind: 'command', term: 1, data: Uint8Array.of(i) }) as unknown as LogEntry), 1);
    left.post({ type: 'apply', entries, snapshot: null });
    for (let requestId = 1; requestId <= 3; requestId++) left.post({ type: 'proposal-result', requestId, ok: true, start: requestId, end: requestId });
    await new Promise((r) => setTimeout(r, 50));
    expect(raw).toHaveLength(1);
    expect(received.map((m) => m.type)).toEqual(['apply', 'proposal-result', 'proposal-result', 'proposal-result']);
    expect(plain((received[0] as { entries: LogEntry[] }).entries)).toEqual(plain(entries));
    expect(received.slice(1).map((m) => (m as { requestId: number }).requestId)).toEqual([1, 2, 3]);
  });

  it("transfers a snapshot's bytes (they are the receiver's own) and copies nothing else of the sender's", async () => {
    const channel = new MessageChannel();
    channels.push(channel);
    const host = portOverMessagePort<HostToClient, ClientToHost>(channel.port1 as unknown as MessagePort);
    const client = portOverMessagePort<ClientToHost, HostToClient>(channel.port2 as unknown as MessagePort);
    const toClient: HostToClient[] = [];
    const toHost: ClientToHost[] = [];
    client.onMessage((m) => toClient.push(m));
    host.onMessage((m) => toHost.push(m));
    const meta = { index: 40, term: 2, membership: { voters: ['a'], learners: [] } };
    const image = () => new Uint8Array(1 << 20).map((_, i) => i % 199);
    const entries = withIndices(Array.from({ length: 20 }, (_, i) => ({ kind: 'command', term: 2, data: Uint8Array.of(i) }) as unknown as LogEntry), 41);
    // 'apply' with a snapshot, plain and packed; the client's 'snapshot' answer.
    const plainApply = { meta, data: image() };
    const packedApply = { meta, data: image() };
    const taken = { meta, data: image() };
    host.post({ type: 'apply', entries: [], snapshot: plainApply });
    host.post({ type: 'apply', entries, snapshot: packedApply });
    client.post({ type: 'snapshot', snapshot: taken });
    // A view into a larger buffer is cloned: the rest of that buffer is not the message's.
    const shared = new Uint8Array(64);
    const view = { meta, data: shared.subarray(8, 24) };
    host.post({ type: 'apply', entries: [], snapshot: view });
    await new Promise((r) => setTimeout(r, 50));
    for (const sent of [plainApply, packedApply, taken]) expect(sent.data.byteLength).toBe(0);
    expect(view.data.byteLength).toBe(16);
    expect(shared.byteLength).toBe(64);
    const snapshots = toClient.flatMap((m) => (m.type === 'apply' && m.snapshot ? [m.snapshot.data] : []));
    expect(snapshots.map((d) => d.byteLength)).toEqual([1 << 20, 1 << 20, 16]);
    expect([...snapshots[0].subarray(0, 400)]).toEqual([...image().subarray(0, 400)]);
    expect(plain((toClient[1] as { entries: LogEntry[] }).entries)).toEqual(plain(entries));
    expect(toHost).toHaveLength(1);
    expect((toHost[0] as { snapshot: { data: Uint8Array } }).snapshot.data.byteLength).toBe(1 << 20);
  });
});

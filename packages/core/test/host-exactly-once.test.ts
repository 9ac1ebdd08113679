// The exactly-once table's bounded, deterministic rules, its snapshot form, and snapshot restore in
// the GroupClient.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../src/errors';
import { ExactlyOnceTable } from '../src/host/exactly-once';
import { decodeGroupSnapshot, encodeGroupSnapshot } from '../src/host/group-snapshot';
import { decodeValue, encodeValue } from '../src/codec/index';
import { CommittedDelivery } from '../src/host/committed-delivery';
import type { HostToClient } from '../src/host/protocol';
import type { Ready } from '../src/engine/api';
import { clientRig, command, noop } from './support-cluster/fake-host';
import type { Counter } from './support-cluster/counter';

describe('ExactlyOnceTable', () => {
  it('reports duplicates, in any order of seqs', () => {
    const table = new ExactlyOnceTable();
    expect(table.markApplied({ clientId: 'x', seq: 3 })).toBe(true);
    expect(table.markApplied({ clientId: 'x', seq: 1 })).toBe(true);
    expect(table.markApplied({ clientId: 'x', seq: 3 })).toBe(false);
    expect(table.has({ clientId: 'x', seq: 2 })).toBe(false);
    expect(table.has({ clientId: 'y', seq: 3 })).toBe(false);
  });

  it('a seq not applied yet stays a gap however many later seqs of the client apply (its retry is applied, not dropped)', () => {
    // Seq 1's attempt was lost to a leader change; the client's next executeMany (5,000 commands)
    // applies first. A table bounded by a count of seqs forgot seq 2 and, with it, took seq 1 for done.
    const table = new ExactlyOnceTable();
    for (let seq = 2; seq <= 5001; seq++) table.markApplied({ clientId: 'x', seq });
    expect(table.has({ clientId: 'x', seq: 1 })).toBe(false);
    expect(table.markApplied({ clientId: 'x', seq: 1 })).toBe(true);
    expect(table.has({ clientId: 'x', seq: 5001 })).toBe(true);
    expect(table.serialize().clients).toEqual([{ clientId: 'x', floor: -1, seqs: [], runs: [1, 5001] }]);
  });

  it('forgets the oldest run beyond the per-client limit, treating every seq up to its end as applied', () => {
    const table = new ExactlyOnceTable({ maxRunsPerClient: 2, maxClients: 10 });
    for (const seq of [1, 2, 4, 6]) table.markApplied({ clientId: 'x', seq });
    // Three runs ([1,2], [4], [6]): the first is forgotten, the floor is its end.
    expect(table.serialize()).toEqual({ clients: [{ clientId: 'x', floor: 2, seqs: [], runs: [4, 4, 6, 6] }] });
    expect(table.has({ clientId: 'x', seq: 1 })).toBe(true);
    expect(table.has({ clientId: 'x', seq: 3 })).toBe(false);
    table.markApplied({ clientId: 'x', seq: 5 });
    expect(table.serialize().clients[0].runs).toEqual([4, 6]);
    expect(table.has({ clientId: 'x', seq: 3 })).toBe(false);
  });

  it('keeps exactly the seqs the rule says, for seqs applied in any order, and a restored table goes on the same way', () => {
    // Every peer must reach the same table whatever order retries apply in: checked against the
    // rule spelt out on a plain set of seqs.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 200 }), fc.integer({ min: 1, max: 8 }), (seqs, limit) => {
        const table = new ExactlyOnceTable({ maxRunsPerClient: limit, maxClients: 10 });
        let floor = -Infinity;
        const kept = new Set<number>();
        const runsOf = (set: Set<number>) => {
          const out: number[] = [];
          for (const seq of [...set].sort((a, b) => a - b)) {
            if (out.length > 0 && out[out.length - 1] === seq - 1) out[out.length - 1] = seq;
            else out.push(seq, seq);
          }
          return out;
        };
        for (const seq of seqs) {
          const fresh = !(seq <= floor || kept.has(seq));
          expect(table.markApplied({ clientId: 'x', seq })).toBe(fresh);
          if (!fresh) continue;
          kept.add(seq);
          const runs = runsOf(kept);
          if (runs.length / 2 > limit) {
            floor = runs[1];
            for (const s of [...kept]) if (s <= floor) kept.delete(s);
          }
        }
        const expected = kept.size === 0 && floor === -Infinity ? [] : [{ clientId: 'x', floor: Number.isFinite(floor) ? floor : -1, seqs: [], runs: runsOf(kept) }];
        expect(table.serialize().clients).toEqual(expected);
        const restored = ExactlyOnceTable.restore(table.serialize(), { maxRunsPerClient: limit, maxClients: 10 });
        for (const seq of [61, 63, 65, 62]) {
          table.markApplied({ clientId: 'x', seq });
          restored.markApplied({ clientId: 'x', seq });
        }
        expect(restored.serialize()).toEqual(table.serialize());
      }),
      { numRuns: 300 },
    );
  });

  it('evicts the least recently applied client beyond the client limit', () => {
    const table = new ExactlyOnceTable({ maxRunsPerClient: 4, maxClients: 2 });
    table.markApplied({ clientId: 'a', seq: 1 });
    table.markApplied({ clientId: 'b', seq: 1 });
    table.markApplied({ clientId: 'a', seq: 2 });
    table.markApplied({ clientId: 'c', seq: 1 });
    expect(table.serialize().clients.map((c) => c.clientId)).toEqual(['a', 'c']);
  });

  it('restores from its serialized form with identical answers', () => {
    const table = new ExactlyOnceTable({ maxRunsPerClient: 2, maxClients: 5 });
    for (const seq of [1, 3, 5, 6]) table.markApplied({ clientId: 'a', seq });
    table.markApplied({ clientId: 'b', seq: 9 });
    const copy = ExactlyOnceTable.restore(table.serialize(), { maxRunsPerClient: 2, maxClients: 5 });
    expect(copy.serialize()).toEqual(table.serialize());
    for (const seq of [0, 1, 2, 3, 4, 5, 6, 7]) expect(copy.has({ clientId: 'a', seq })).toBe(table.has({ clientId: 'a', seq }));
    expect(copy.has({ clientId: 'b', seq: 8 })).toBe(false);
  });

  it("restores a snapshot written before runs (each applied seq listed), with the same answers", () => {
    const copy = ExactlyOnceTable.restore({ clients: [{ clientId: 'a', floor: 3, seqs: [5, 6, 8] }] });
    expect([1, 3, 4, 5, 6, 7, 8, 9].map((seq) => copy.has({ clientId: 'a', seq }))).toEqual([true, true, false, true, true, false, true, false]);
    expect(copy.serialize().clients).toEqual([{ clientId: 'a', floor: 3, seqs: [], runs: [5, 6, 8, 8] }]);
  });
});

/** A snapshot at index 10 (term 2) whose state machine image is the value `app`, with an empty table. */
function snapshotAt10(app = 40) {
  return { meta: { index: 10, term: 2, membership: { voters: ['p1'], learners: [] } }, data: encodeGroupSnapshot({ app: new Uint8Array([app]), table: { clients: [] } }) };
}

/**
 * Makes `counter.restore` asynchronous: it shows `meanwhile` (when given) while it runs, and takes
 * the image's value when the returned `finish` is called.
 */
function slowRestore(counter: Counter, meanwhile?: number): () => void {
  let finish: () => void = () => {};
  counter.restore = (bytes) =>
    new Promise<void>((resolve) => {
      if (meanwhile !== undefined) counter.value = meanwhile;
      finish = () => {
        counter.value = bytes[0];
        resolve();
      };
    });
  return () => finish();
}

describe('group snapshots', () => {
  it('round-trip and reject malformed bytes with DecodeError', () => {
    const data = { app: new Uint8Array([1, 2, 3]), table: { clients: [{ clientId: 'a', floor: -1, seqs: [1, 2] }] } };
    expect(decodeGroupSnapshot(encodeGroupSnapshot(data))).toEqual(data);
    expect(() => decodeGroupSnapshot(encodeValue({ v: 2 }))).toThrow(DecodeError);
    expect(() => decodeGroupSnapshot(encodeValue({ v: 1, app: 5, table: { clients: [] } }))).toThrow(DecodeError);
    expect(() => decodeGroupSnapshot(new Uint8Array([0xff, 0x00]))).toThrow(DecodeError);
  });

  it("hand out the app image as a view into the snapshot's bytes, not a copy", () => {
    const app = new Uint8Array(4096).map((_, i) => i % 251);
    const bytes = encodeGroupSnapshot({ app, table: { clients: [] } });
    const decoded = decodeGroupSnapshot(bytes);
    expect(decoded.app).toEqual(app);
    // A view: same buffer, inside the encoded bytes (a copy would own a buffer of its own).
    expect(decoded.app!.buffer).toBe(bytes.buffer);
    expect(decoded.app!.byteOffset).toBeGreaterThan(bytes.byteOffset);
    expect(decoded.app!.byteOffset + decoded.app!.byteLength).toBeLessThanOrEqual(bytes.byteOffset + bytes.byteLength);
    // Plain values still decode as copies (a command must not pin the frame it came in).
    const command = encodeValue({ b: new Uint8Array([7, 8, 9]) });
    expect(((decodeValue(command) as { b: Uint8Array }).b).buffer).not.toBe(command.buffer);
  });

  it('the host posts a snapshot to the client as a copy of its own (the engine keeps its bytes)', () => {
    const posted: HostToClient[] = [];
    const delivery = new CommittedDelivery({ post: (m) => posted.push(m), onMessage: () => {}, close: () => {} });
    const snapshot = { meta: { index: 5, term: 1, membership: { voters: ['p1'], learners: [] } }, data: encodeGroupSnapshot({ app: new Uint8Array([3]), table: { clients: [] } }) };
    delivery.replay({ hardState: { term: 1, vote: null, commit: 5 }, entries: [], snapshot });
    const ready: Ready = { token: 1, persist: { entries: [] }, messages: [], committed: [], snapshotToInstall: { ...snapshot, meta: { ...snapshot.meta, index: 9 } }, proposals: [], reads: [], status: null };
    delivery.forward(ready);
    const sent = posted.flatMap((m) => (m.type === 'apply' && m.snapshot ? [m.snapshot] : []));
    expect(sent).toHaveLength(2);
    for (const copy of sent) {
      expect(copy.data).toEqual(snapshot.data);
      expect(copy.data.buffer).not.toBe(snapshot.data.buffer);
      copy.data.fill(0);
    }
    expect(decodeGroupSnapshot(snapshot.data).app).toEqual(new Uint8Array([3]));
  });

  it('a client restores state and table from a snapshot, then drops a retried command', async () => {
    const { client, host, counter, settle } = clientRig();
    counter.restore = (bytes) => {
      counter.value = bytes[0];
    };
    const table = new ExactlyOnceTable();
    table.markApplied({ clientId: 'w', seq: 1 });
    const snapshot = { meta: { index: 10, term: 2, membership: { voters: ['p1'], learners: [] } }, data: encodeGroupSnapshot({ app: new Uint8Array([40]), table: table.serialize() }) };
    host.post({ type: 'apply', snapshot, entries: [command(11, 5, { clientId: 'w', seq: 1 }, 2), command(12, 2, { clientId: 'w', seq: 2 }, 2)] });
    await settle();
    expect(counter.value).toBe(42);
    expect(client.status.applied).toBe(12);
    expect(client.stats).toMatchObject({ snapshotsRestored: 1, duplicatesSkipped: 1, gaps: 0 });
    expect(client.serializeExactlyOnce().clients).toEqual([{ clientId: 'w', floor: -1, seqs: [], runs: [1, 2] }]);
  });

  it("a command whose attempt was lost applies on its retry after a bigger batch of the client's applied first", async () => {
    const { client, host, clock, counter, settle } = clientRig();
    host.status({ leader: 'p0', online: true });
    await settle();
    const first = client.execute(7);
    await settle();
    const batch = client.executeMany(Array.from({ length: 1100 }, () => 1));
    await settle();
    const [lost, many] = host.of('propose');
    // The first attempt is lost to a leader change; the batch commits at 2..1101 meanwhile.
    host.post({ type: 'proposal-result', requestId: lost.requestId, ok: false, error: 'timeout' });
    host.post({ type: 'proposal-result', requestId: many.requestId, ok: true, start: 2, end: 1101 });
    host.post({ type: 'apply', snapshot: null, entries: [noop(1), ...Array.from({ length: 1100 }, (_, i) => command(2 + i, 1, { clientId: many.client.clientId, seq: many.client.seq + i }))] });
    await settle();
    await expect(batch).resolves.toMatchObject({ start: 2, end: 1101 });
    clock.runNext();
    await settle();
    const retry = host.of('propose')[2];
    expect(retry.client).toEqual(lost.client);
    host.post({ type: 'proposal-result', requestId: retry.requestId, ok: true, start: 1102, end: 1102 });
    host.post({ type: 'apply', snapshot: null, entries: [command(1102, 7, lost.client)] });
    await settle();
    await expect(first).resolves.toMatchObject({ index: 1102 });
    expect(counter.value).toBe(1107);
    expect(client.stats.duplicatesSkipped).toBe(0);
  });

  it('an asynchronous restore holds the entries after the snapshot until it resolves', async () => {
    const { client, host, counter, settle } = clientRig();
    const finish = slowRestore(counter);
    const snapshot = snapshotAt10();
    host.post({ type: 'apply', snapshot, entries: [command(11, 5, undefined, 2)] });
    await settle();
    // Restore still running: entry 11 waits, and the applied index (strong reads) has not moved.
    expect(counter.applied).toEqual([]);
    expect(client.status.applied).toBe(0);
    host.post({ type: 'apply', snapshot: null, entries: [command(12, 2, undefined, 2)] });
    await settle();
    expect(counter.applied).toEqual([]);
    finish();
    await settle();
    expect(counter.value).toBe(47);
    expect(client.status.applied).toBe(12);
    expect(client.stats).toMatchObject({ snapshotsRestored: 1, restoreFailures: 0, gaps: 0 });
  });

  it('a strong read is not answered while an asynchronous restore runs (the state machine is half restored), and is once it ends', async () => {
    const { client, host, counter, settle } = clientRig();
    host.post({ type: 'apply', snapshot: null, entries: [command(1, 1), command(2, 2)] });
    await settle();
    const finish = slowRestore(counter, -1); // what a restore in slices shows meanwhile
    const snapshot = snapshotAt10();
    host.post({ type: 'apply', snapshot, entries: [] });
    await settle();
    let answered = false;
    const read = client.query('value', 'strong').then((r) => ((answered = true), r));
    await settle();
    const [request] = host.of('read');
    host.post({ type: 'read-result', requestId: request.requestId, ok: true, index: 2 });
    await settle();
    expect(answered).toBe(false);
    finish();
    await expect(read).resolves.toEqual({ result: 40, position: 10 });
  });

  it('a snapshot asked for while an asynchronous restore runs is taken once it ends, of the restored state at its index', async () => {
    const { client, host, counter, settle } = clientRig();
    counter.snapshot = () => new Uint8Array([counter.value]);
    host.post({ type: 'apply', snapshot: null, entries: [command(1, 1), command(2, 2)] });
    await settle();
    const finish = slowRestore(counter, 99); // half restored
    const snapshot = snapshotAt10();
    host.post({ type: 'apply', snapshot, entries: [] });
    await settle();
    host.post({ type: 'take-snapshot', upTo: 2 });
    await settle();
    expect(host.of('snapshot')).toEqual([]);
    finish();
    await settle();
    const [taken] = host.of('snapshot');
    expect(taken.snapshot.meta.index).toBe(10);
    expect(decodeGroupSnapshot(taken.snapshot.data).app).toEqual(new Uint8Array([40]));
    expect(client.stats.snapshotsTaken).toBe(1);
  });

  it('a rejected asynchronous restore stops applying rather than build on an unknown state', async () => {
    const { client, host, counter, settle } = clientRig();
    counter.restore = () => Promise.reject(new Error('image corrupt'));
    const snapshot = snapshotAt10();
    host.post({ type: 'apply', snapshot, entries: [command(11, 5, undefined, 2)] });
    await settle();
    expect(client.stats.restoreFailures).toBe(1);
    expect(counter.applied).toEqual([]);
    expect(client.status.applied).toBe(0);
  });

  it('a snapshot that does not decode stops applying too: the entries after it are never applied to the older state', async () => {
    const { client, host, counter, settle } = clientRig();
    counter.restore = () => {};
    host.post({ type: 'apply', snapshot: null, entries: [command(1, 1)] });
    await settle();
    const snapshot = { meta: { index: 10, term: 2, membership: { voters: ['p1'], learners: [] } }, data: new Uint8Array([0xff, 0x00, 0x13]) };
    host.post({ type: 'apply', snapshot, entries: [command(11, 5, undefined, 2)] });
    await settle();
    expect(client.stats).toMatchObject({ decodeErrors: 1, restoreFailures: 1, gaps: 0 });
    expect(counter.applied.map((a) => a.index)).toEqual([1]);
    expect(client.status.applied).toBe(1);
  });
});

// A snapshot the state machine cannot restore (restore() throws or rejects, or the bytes do not
// decode) stops applying on that peer: the entries after the snapshot build on its state, so
// applying them to the older state would diverge from the group. Every way takes the same path.
import { describe, expect, it } from 'vitest';
import { encodeGroupSnapshot } from '../src/host/group-snapshot';
import { clientRig, command } from './support-cluster/fake-host';

const snapshotAt10 = () => ({
  meta: { index: 10, term: 2, membership: { voters: ['p1'], learners: [] } },
  data: encodeGroupSnapshot({ app: new Uint8Array([40]), table: { clients: [] } }),
});

describe('a snapshot that cannot be restored', () => {
  it('a restore() that throws stops applying, as a rejected one does: the entries after the snapshot are never applied to the older state', async () => {
    const { client, host, counter, settle } = clientRig();
    host.post({ type: 'apply', snapshot: null, entries: [command(1, 1)] });
    await settle();
    counter.restore = () => {
      throw new Error('incompatible snapshot format');
    };
    host.post({ type: 'apply', snapshot: snapshotAt10(), entries: [command(11, 5, undefined, 2)] });
    await settle();
    host.post({ type: 'apply', snapshot: null, entries: [command(12, 7, undefined, 2)] });
    await settle();
    expect(client.stats).toMatchObject({ restoreFailures: 1, snapshotsRestored: 0, decodeErrors: 0, gaps: 0 });
    expect(counter.applied.map((a) => a.index)).toEqual([1]);
    expect(counter.value).toBe(1);
    expect(client.status.applied).toBe(1);
  });

  it('a throwing restore() and a rejecting one leave the peer in the same place', async () => {
    const outcomes = [];
    for (const restore of [
      () => {
        throw new Error('bad image');
      },
      () => Promise.reject(new Error('bad image')),
    ]) {
      const { client, host, counter, settle } = clientRig();
      host.post({ type: 'apply', snapshot: null, entries: [command(1, 1)] });
      await settle();
      counter.restore = restore;
      host.post({ type: 'apply', snapshot: snapshotAt10(), entries: [command(11, 5, undefined, 2)] });
      await settle();
      host.post({ type: 'apply', snapshot: null, entries: [command(12, 7, undefined, 2)] });
      await settle();
      outcomes.push({ applied: client.status.applied, indices: counter.applied.map((a) => a.index), restoreFailures: client.stats.restoreFailures });
    }
    expect(outcomes[0]).toEqual({ applied: 1, indices: [1], restoreFailures: 1 });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });
});

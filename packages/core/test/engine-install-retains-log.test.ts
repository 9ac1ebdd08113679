// Regression (found by the simulator's churn scenario, seed 1270): a follower whose log runs past
// the snapshot it fetches, and agrees with it at the snapshot's index, must keep the entries after
// it (Raft §7). Those entries may be committed with this follower's acknowledgement counted in the
// quorum; throwing them away could leave a committed entry on a minority of the voters.
import { describe, expect, it } from 'vitest';
import type { PersistedState } from '../src/storage';
import type { LogEntry, Membership, Snapshot } from '../src/types';
import { EngineHarness, encode, encodeImage, fastTimings } from './support/engine-harness';

const members: Membership = { voters: ['a', 'b', 'c'], learners: [] };
const entry = (index: number): LogEntry =>
  index === 1 ? { kind: 'config', index, term: 1, membership: members } : { kind: 'command', index, term: 1, data: encode(`x${index}`) };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i));
const commandsUpTo = (index: number) => range(2, index).map((_, i) => `x${i + 2}`);

describe('engine: installing a fetched snapshot', () => {
  it('keeps the log entries after the snapshot when the log agrees with it (§7)', () => {
    const snapshot: Snapshot = { meta: { index: 30, term: 1, membership: members }, data: encodeImage(commandsUpTo(30)) };
    const compacted: PersistedState = { hardState: { term: 1, vote: null, commit: 60 }, snapshot, entries: range(31, 60) };
    // b acknowledged entries up to 45 but only learned that 10 are committed.
    const behind: PersistedState = { hardState: { term: 1, vote: null, commit: 10 }, snapshot: null, entries: range(1, 45) };
    const h = new EngineHarness({
      ids: ['a', 'b', 'c'],
      config: { ...fastTimings, catchUpThreshold: 5, catchUpRequestTimeoutMs: 400 },
    });
    for (const [id, state] of [['a', compacted], ['b', behind], ['c', compacted]] as const) {
      h.disks.get(id)!.state = structuredClone(state);
      h.removePeer(id);
      h.start(id);
    }
    h.connectAll();
    h.runUntil(() => (h.installs.get('b') ?? 0) >= 1, 10_000);
    const install = h.readies.find((r) => r.id === 'b' && r.ready.snapshotToInstall !== null && r.ready.persist.snapshot !== undefined)!;
    expect(install.ready.persist.snapshot!.meta.index).toBe(30);
    expect(install.ready.persist.truncateFrom).toBeUndefined();
    // b never dropped any of the entries 31..45 it held.
    for (const { id, ready } of h.readies) if (id === 'b' && ready.persist.truncateFrom !== undefined) expect(ready.persist.truncateFrom).toBeGreaterThan(45);
    h.runUntil(() => h.node('b').status().committed >= 61 && h.smIndex.get('b') === h.node('b').status().committed, 10_000);
    expect(h.sm.get('b')).toEqual(commandsUpTo(60));
    expect(h.disks.get('b')!.state.entries.map((e) => e.index)).toEqual([...range(31, 60).map((e) => e.index), 61]);
  });
});

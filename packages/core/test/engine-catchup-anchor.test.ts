// Regression (found by the simulator's churn scenario, seed 3301): a leader that installed a
// snapshot has its compaction point AT its commit index until it commits again. A follower whose
// conflicting tail ends at that index gets snapshot-anchored probes with prevLogIndex ===
// leaderCommit; it must still start a catch-up (fetch the snapshot), or a leader that needs it for
// its quorum waits forever.
import { describe, expect, it } from 'vitest';
import type { PersistedState } from '../src/storage';
import type { LogEntry, Membership, Snapshot } from '../src/types';
import { EngineHarness, encode, encodeImage, fastTimings } from './support/engine-harness';

const members: Membership = { voters: ['a', 'b', 'c'], learners: [] };

describe('engine: catch-up from a leader compacted up to its commit index', () => {
  it('a follower with a conflicting tail at the compaction point installs the snapshot and the group commits again', () => {
    const commands = Array.from({ length: 24 }, (_, i) => `x${i + 2}`);
    const snapshot: Snapshot = { meta: { index: 25, term: 4, membership: members }, data: encodeImage(commands) };
    const leader: PersistedState = { hardState: { term: 4, vote: null, commit: 25 }, snapshot, entries: [] };
    // b holds the committed prefix up to 23, then two entries of a deposed term-3 leader.
    const entries: LogEntry[] = [{ kind: 'config', index: 1, term: 1, membership: members }];
    for (let i = 2; i <= 23; i++) entries.push({ kind: 'command', index: i, term: 1, data: encode(`x${i}`) });
    entries.push({ kind: 'noop', index: 24, term: 3 }, { kind: 'noop', index: 25, term: 3 });
    const follower: PersistedState = { hardState: { term: 4, vote: null, commit: 23 }, snapshot: null, entries };
    // c is gone: a can only commit with b.
    const h = new EngineHarness({ ids: ['a', 'b'], config: { ...fastTimings, catchUpRequestTimeoutMs: 400 } });
    for (const [id, state] of [['a', leader], ['b', follower]] as const) {
      h.disks.get(id)!.state = structuredClone(state);
      h.removePeer(id);
      h.start(id);
    }
    h.connectAll();
    h.runUntil(() => h.leaders().includes('a') && h.node('a').status().committed > 25 && h.node('b').status().committed > 25, 10_000);
    expect(h.node('b').catchUp.sessions).toBeGreaterThan(0);
    h.propose('a', 1, ['after']);
    h.advance(500);
    expect(h.sm.get('b')).toEqual([...commands, 'after']);
  });
});

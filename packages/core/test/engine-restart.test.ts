// Starting from persisted state: re-applying committed entries, a loaded snapshot, a joiner with no
// bootstrap, connectivity hints, and hostile input that must be dropped, not thrown.
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig } from '../src/config';
import { RaftNode } from '../src/engine/index';
import { seededRandom } from '../src/rng';
import type { PersistedState } from '../src/storage';
import type { LogEntry, Membership } from '../src/types';
import { EngineHarness } from './support/engine-harness';

const members: Membership = { voters: ['a', 'b'], learners: [] };
const cfg: LogEntry = { kind: 'config', index: 1, term: 1, membership: members };

function node(state: PersistedState, bootstrap?: Membership): RaftNode {
  return new RaftNode({ id: 'b', config: defaultRaftConfig, preference: 'normal', random: seededRandom(1), now: 0, state, bootstrap });
}

describe('engine: starting from storage', () => {
  it('hands committed entries out again after a restart, and keeps the logged membership', () => {
    const n = node({ hardState: { term: 2, vote: 'a', commit: 2 }, snapshot: null, entries: [cfg, { kind: 'noop', index: 2, term: 2 }, { kind: 'noop', index: 3, term: 2 }] }, { voters: ['x'], learners: [] });
    const ready = n.ready();
    expect(ready.committed.map((e) => e.index)).toEqual([1, 2]);
    expect(ready.status).toMatchObject({ term: 2, committed: 2, applied: 2, lastIndex: 3, members });
    expect(ready.persist).toEqual({ entries: [] });
    expect(n.hasReady()).toBe(false);
  });

  it('starts from a snapshot: installs it first, then applies what follows', () => {
    const snapshot = { meta: { index: 10, term: 3, membership: members }, data: new Uint8Array([1, 2]) };
    const n = node({ hardState: { term: 3, vote: null, commit: 11 }, snapshot, entries: [{ kind: 'noop', index: 11, term: 3 }] });
    const ready = n.ready();
    expect(ready.snapshotToInstall).toBe(snapshot);
    expect(ready.committed.map((e) => e.index)).toEqual([11]);
    expect(n.status()).toMatchObject({ applied: 11, members });
  });

  it('a peer with no bootstrap and an empty log follows whichever leader replicates to it', () => {
    const n = node({ hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] });
    expect(n.status().members).toEqual({ voters: [], learners: [] });
    n.tick(100_000);
    expect(n.status().role).toBe('follower'); // no configuration: never campaigns
    n.receive('a', { type: 'AppendEntries', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [cfg, { kind: 'noop', index: 2, term: 1 }], leaderCommit: 2 }, 100_001);
    const ready = n.ready();
    expect(ready.persist.entries).toHaveLength(2);
    expect(ready.messages).toEqual([{ to: 'a', message: { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex: 2, lastIndex: 2 } }]);
    expect(n.status()).toMatchObject({ leader: 'a', online: true, committed: 2, members });
  });

  it('drops malformed appends; answers catch-up and membership requests without throwing', () => {
    const n = node({ hardState: { term: 1, vote: null, commit: 0 }, snapshot: null, entries: [] }, members);
    n.receive('a', { type: 'AppendEntries', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [{ kind: 'noop', index: 5, term: 1 }], leaderCommit: 0 }, 1);
    n.receive('a', { type: 'AppendEntries', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [{ kind: 'noop', index: 1, term: 9 }], leaderCommit: 0 }, 1);
    n.receive('a', { type: 'JoinRequest', requestId: 1, observer: false }, 1);
    n.receive('a', { type: 'AvailabilityRequest', requestId: 1 }, 1);
    n.receive('b', { type: 'Heartbeat', term: 1, commit: 0, round: 1 }, 1); // from itself
    expect(n.droppedMessages).toBe(3);
    expect(n.status().lastIndex).toBe(0);
    // Not the leader: the joiner is told so; availability is served from the (empty) log.
    expect(n.ready().messages.map((e) => e.message)).toEqual([
      { type: 'MembershipResponse', requestId: 1, ok: false, error: 'no-leader' },
      { type: 'AvailabilityResponse', requestId: 1, senderTerm: 1, firstIndex: 1, committed: 0, snapshot: null },
    ]);
  });

  it('peerUp makes the leader probe the peer at once', () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'c'], seed: 2 });
    h.runUntil(() => h.leaders().length === 1, 10_000);
    const leader = h.leader();
    const peer = h.followers()[0];
    h.node(leader).peerDown(peer, h.now);
    h.node(leader).peerUp(peer, h.now);
    h.drain(leader);
    expect(h.network.filter((m) => m.to === peer).map((m) => m.message.type)).toEqual(['AppendEntries']);
  });
});

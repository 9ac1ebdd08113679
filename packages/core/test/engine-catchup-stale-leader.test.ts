// Regression: a catch-up under a deposed leader must not join that leader's entries onto the newer
// term's committed log. The schedule (first seen in the simulator's churn scenario): p1 led term 1
// and was paused; p2 was elected in term 2 and committed up to 40, compacting it into a snapshot;
// a fresh peer p6 joins and first hears the paused p1, which resumes still believing it leads term
// 1 and sends `AE t1 prev=40/1 [41/t1] commit=39`. p6, knowing no later term, takes p1 as its leader
// and starts catching up from the other peers, who serve a snapshot at 40 of term 2.
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig } from '../src/config';
import { RaftNode } from '../src/engine/index';
import type { AppendEntries, AvailabilityRequest, Envelope, FetchSnapshotRequest, Message } from '../src/messages';
import { seededRandom } from '../src/rng';
import type { LogEntry, Membership, Snapshot } from '../src/types';

const members: Membership = { voters: ['p1', 'p2', 'p4'], learners: ['p6'] };
const snapshot: Snapshot = { meta: { index: 40, term: 2, membership: members }, data: new TextEncoder().encode('state at 40') };
const staleEntry: LogEntry = { kind: 'noop', index: 41, term: 1 };
const staleAppend: AppendEntries = { type: 'AppendEntries', term: 1, prevLogIndex: 40, prevLogTerm: 1, entries: [staleEntry], leaderCommit: 39 };

function freshPeer(): { node: RaftNode; now: () => number; step: (ms?: number) => Envelope[] } {
  let now = 0;
  const node = new RaftNode({
    id: 'p6',
    config: { ...defaultRaftConfig, catchUpThreshold: 5, catchUpRequestTimeoutMs: 100, electionTimeoutMs: 300, electionJitterMs: 100, heartbeatMs: 50 },
    preference: 'normal',
    random: seededRandom(7),
    now,
    state: { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] },
  });
  for (const peer of ['p1', 'p2', 'p4']) node.peerUp(peer, now);
  const step = (ms = 0): Envelope[] => {
    now += ms;
    node.tick(now);
    const out: Envelope[] = [];
    while (node.hasReady()) {
      const ready = node.ready();
      out.push(...ready.messages);
      node.storageDone(ready.token);
    }
    return out;
  };
  return { node, now: () => now, step };
}

const requestsOf = <T extends Message['type']>(out: Envelope[], type: T, to?: string) =>
  out.filter((e) => e.message.type === type && (to === undefined || e.to === to)) as Array<{ to: string; message: Extract<Message, { type: T }> }>;

/** Log Matching for p6's log alone: no entry follows an entry of a term the group overwrote. */
function termsOf(node: RaftNode): Array<[number, number | undefined]> {
  const out: Array<[number, number | undefined]> = [];
  for (let i = node.log.snapshotIndex; i <= node.log.lastIndex(); i++) out.push([i, node.log.termAt(i)]);
  return out;
}

describe('engine: catch-up under a deposed leader', () => {
  it('a catch-up reply from a newer term deposes the stale leader: its buffered entry is never appended', () => {
    const { node, step } = freshPeer();
    node.receive('p1', staleAppend, 0);
    const out = step();
    expect(node.status().leader).toBe('p1');
    expect(node.catchUp.active).toBe(true);
    // p6 answered "catching up" (nothing appended) and asked the others what they hold.
    expect(requestsOf(out, 'AppendEntriesResponse', 'p1')[0].message.catchingUp).toBe(true);
    const ask = requestsOf(out, 'AvailabilityRequest', 'p4')[0].message as AvailabilityRequest;
    node.receive('p4', { type: 'AvailabilityResponse', requestId: ask.requestId, senderTerm: 2, firstIndex: 41, committed: 40, snapshot: { ...snapshot.meta, size: snapshot.data.length } }, 1);
    step(1);
    // Term 2 exists, so the leader of term 1 is deposed: p6 follows nobody until term 2's leader speaks.
    expect(node.term).toBe(2);
    expect(node.status().leader).toBeNull();
    expect(node.catchUp.active).toBe(false);
    expect(node.log.lastIndex()).toBe(0);
    // The stale leader tries again and is told about term 2.
    node.receive('p1', staleAppend, 2);
    const answer = requestsOf(step(), 'AppendEntriesResponse', 'p1')[0].message;
    expect(answer).toMatchObject({ term: 2, success: false });
    expect(node.log.lastIndex()).toBe(0);
  });

  it('then the real leader of term 2 brings p6 up through the snapshot; entry 41 of term 1 never appears', () => {
    const { node, step } = freshPeer();
    node.receive('p1', staleAppend, 0);
    let out = step();
    const first = requestsOf(out, 'AvailabilityRequest', 'p2')[0].message;
    node.receive('p2', { type: 'AvailabilityResponse', requestId: first.requestId, senderTerm: 2, firstIndex: 41, committed: 40, snapshot: { ...snapshot.meta, size: snapshot.data.length } }, 1);
    step(1);
    // p2, the leader of term 2, probes at its compaction point.
    node.receive('p2', { type: 'AppendEntries', term: 2, prevLogIndex: 40, prevLogTerm: 2, entries: [], leaderCommit: 40 }, 2);
    out = step(1);
    expect(node.status().leader).toBe('p2');
    expect(node.catchUp.active).toBe(true);
    for (const ask of requestsOf(out, 'AvailabilityRequest')) {
      if (ask.to === 'p1') continue; // the deposed leader is paused again
      node.receive(ask.to, { type: 'AvailabilityResponse', requestId: ask.message.requestId, senderTerm: 2, firstIndex: 41, committed: 40, snapshot: { ...snapshot.meta, size: snapshot.data.length } }, 3);
    }
    // p1 never answers: once its request times out the snapshot is chosen (p2 still heartbeating).
    node.receive('p2', { type: 'Heartbeat', term: 2, commit: 0, round: 1 }, 60);
    out = step(120);
    for (const fetch of requestsOf(out, 'FetchSnapshotRequest')) {
      const m = fetch.message as FetchSnapshotRequest;
      const data = snapshot.data.subarray(m.offset, m.offset + m.length);
      node.receive(fetch.to, { type: 'FetchSnapshotResponse', requestId: m.requestId, senderTerm: 2, index: 40, term: 2, offset: m.offset, data, totalSize: snapshot.data.length, meta: m.offset === 0 ? snapshot.meta : null }, 125);
    }
    out = step(1);
    expect(node.catchUp.active).toBe(false);
    expect(node.log.snapshotIndex).toBe(40);
    expect(node.log.termAt(40)).toBe(2);
    // Back to replication with p2: it resumes from 41.
    expect(requestsOf(out, 'AppendEntriesResponse', 'p2').at(-1)!.message).toMatchObject({ lastIndex: 40, conflictIndex: 41 });
    node.receive('p1', staleAppend, 130);
    step(1);
    node.receive('p2', { type: 'AppendEntries', term: 2, prevLogIndex: 40, prevLogTerm: 2, entries: [{ kind: 'noop', index: 41, term: 2 }], leaderCommit: 41 }, 131);
    step(1);
    expect(termsOf(node)).toEqual([
      [40, 2],
      [41, 2],
    ]);
    expect(node.status().committed).toBe(41);
  });
});

// The Ready loop's contract: hasReady() only reads (as etcd's HasReady); the work an input defers
// (the commit rule after a durable append, the batched broadcast) runs inside ready().
import { describe, expect, it } from 'vitest';
import { elected, fastTimings } from './support/engine-harness';

describe('engine: the Ready loop', () => {
  it('hasReady() changes nothing, however often it is asked; ready() does the deferred work', () => {
    const h = elected(['a', 'b', 'c'], { config: fastTimings, seed: 3, connect: true, untilOnline: true });
    const leader = h.node(h.leader());
    expect(leader.hasReady()).toBe(false);
    // Proposals are batched: nothing is broadcast until the host takes a Ready.
    leader.propose(1, [new TextEncoder().encode('x')], { clientId: 'c', seq: 1 }, h.now);
    leader.propose(2, [new TextEncoder().encode('y')], { clientId: 'c', seq: 2 }, h.now);
    const seen = () => ({ status: leader.status(), last: leader.log.lastIndex(), commit: leader.commit, plan: leader.departurePlan(), progress: [...leader.leader!.progress.entries()].map(([id, p]) => [id, p.next, p.match]) });
    const before = seen();
    for (let i = 0; i < 5; i++) expect(leader.hasReady()).toBe(true);
    expect(seen()).toEqual(before);
    const ready = leader.ready();
    const appends = ready.messages.filter((e) => e.message.type === 'AppendEntries');
    expect(appends.map((e) => e.to).sort()).toEqual(h.followers().sort());
    // One append per follower carries both proposals.
    for (const e of appends) if (e.message.type === 'AppendEntries') expect(e.message.entries).toHaveLength(2);
    expect(ready.persist.entries).toHaveLength(2);
    // Nothing arrived since: nothing is due.
    expect(leader.hasReady()).toBe(false);
    // A durable append is an input: the commit rule runs at the next ready() (it needs the followers too).
    leader.storageDone(ready.token);
    expect(leader.hasReady()).toBe(true);
  });
});

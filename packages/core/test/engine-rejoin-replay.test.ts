// A peer that was removed and then added again, fetching the log from behind: replaying the old
// removal must not make it declare itself removed (it would stop for good while the leader's
// configuration still counts it as a voter; in a two-voter group that wedged the group, found by
// the simulator's churn scenario).
import { describe, expect, it } from 'vitest';
import type { LogEntry, Membership } from '../src/types';
import { EngineHarness, fastTimings } from './support/engine-harness';

const config = (index: number, membership: Membership): LogEntry => ({ kind: 'config', index, term: 1, membership });
// a's log: b added, promoted, auto-removed, then added and promoted again.
const history: LogEntry[] = [
  config(1, { voters: ['a'], learners: [] }),
  config(2, { voters: ['a'], learners: ['b'] }),
  config(3, { voters: ['a', 'b'], learners: [] }),
  config(4, { voters: ['a'], learners: [] }),
  config(5, { voters: ['a'], learners: ['b'] }),
  config(6, { voters: ['a', 'b'], learners: [] }),
  { kind: 'noop', index: 7, term: 1 },
];

describe('engine: a re-added peer replaying its old removal', () => {
  it('is not removed while its log is behind the index where it was added again', () => {
    // One entry per append, so b sees the committed removal at 4 before the re-adding entries.
    const h = new EngineHarness({ ids: ['a', 'b'], config: { ...fastTimings, maxBatchEntries: 1 }, bootstrap: { voters: ['a'], learners: [] }, seed: 3 });
    h.disks.get('a')!.state = { hardState: { term: 1, vote: 'a', commit: 7 }, snapshot: null, entries: history };
    h.disks.get('b')!.state = { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] };
    h.start('a');
    h.start('b', { voters: [], learners: [] });
    h.runUntil(() => h.node('b').log.lastIndex() >= 7 && h.node('b').status().committed >= 7, 20_000);
    const b = h.node('b').status();
    expect(b.removed).toBeUndefined();
    expect(b.members.voters).toEqual(['a', 'b']);
    // It passed through the removal at 4 on its way (one entry per append).
    expect(h.sentOf(['AppendEntries'], { from: 'a', to: 'b' }).some((s) => s.message.type === 'AppendEntries' && s.message.prevLogIndex === 3)).toBe(true);
    // b votes and acknowledges: the two-voter group commits.
    h.propose('a', 1, ['after']);
    h.advance(500);
    expect(h.appliedCommands('b')).toEqual(['after']);
  });
});

describe('engine: a removal replayed while a join is in flight', () => {
  it('waits for the join answer (the leader may have added it again) before counting itself removed', () => {
    // a's log: b added as a learner, then removed (committed). b restarts from the time it was a
    // learner, asks to vote (a JoinRequest), and the leader adds it again at once.
    const a: LogEntry[] = [config(1, { voters: ['a'], learners: [] }), config(2, { voters: ['a'], learners: ['b'] }), config(3, { voters: ['a'], learners: [] }), { kind: 'noop', index: 4, term: 1 }];
    const h = new EngineHarness({ ids: ['a', 'b'], config: { ...fastTimings, maxBatchEntries: 1 }, bootstrap: { voters: ['a'], learners: [] }, seed: 5 });
    h.disks.get('a')!.state = { hardState: { term: 1, vote: 'a', commit: 4 }, snapshot: null, entries: a };
    h.disks.get('b')!.state = { hardState: { term: 1, vote: null, commit: 2 }, snapshot: null, entries: a.slice(0, 2) };
    h.start('a');
    h.start('b');
    h.connectAll();
    // Hold b's mail until a leads and has added b again, then hand b the log (with the removal) first.
    const isAnswer = (m: { to: string; message: { type: string } }) => m.to === 'b' && m.message.type === 'MembershipResponse';
    let added = false;
    for (let i = 0; i < 5000 && !added; i++) {
      h.now += 1;
      for (const id of ['a', 'b']) {
        h.node(id).tick(h.now);
        h.drain(id);
      }
      h.deliverAll((m) => m.to === 'a');
      added = h.node('a').status().members.learners.includes('b');
    }
    expect(added).toBe(true);
    // One entry per append: b takes the committed removal at 3 before the entry that re-adds it.
    const reAdded = h.node('a').membership.currentIndex();
    for (let i = 0; i < 200 && h.node('b').status().committed < 3; i++) {
      if (!h.deliverOne((m) => m.to === 'b' && !isAnswer(m))) h.deliverAll((m) => m.to === 'a' && m.message.type !== 'JoinRequest');
    }
    expect(h.node('b').status().committed).toBeGreaterThanOrEqual(3);
    expect(h.node('b').log.lastIndex()).toBeLessThan(reAdded);
    expect(h.node('b').status().removed).toBeUndefined();
    h.deliverAll();
    h.runUntil(() => h.node('b').log.lastIndex() >= 5 && h.node('b').status().committed >= 5, 5000);
    expect(h.node('b').status().removed).toBeUndefined();
    expect(h.node('b').status().members.learners).toContain('b');
  });
});

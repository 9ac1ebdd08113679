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

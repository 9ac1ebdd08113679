// The clean-up rule of a profile's slots (lifecycle/slot-collector.ts), as the browser runtime and
// the simulator apply it: departed slots beyond the two most up to date go at once; a crashed
// identity's slot goes only once the configuration has not named it for the grace period, seen at
// two clean-ups; being named, or taken again, in between starts the grace period over. Free slots
// that hold nothing at all (no identity, no log, no term) go at once.
import { describe, expect, it } from 'vitest';
import { SlotCollector, type SlotSummary } from '../src/lifecycle/index';
import type { Departure } from '../src/messages';

const GRACE = 1000;
const tomb = (lastIndex: number, lastTerm: number): Departure => ({ type: 'Departure', term: lastTerm, lastIndex, lastTerm });
function slot(id: string, peerId: string, lastIndex: number, lastTerm: number, extra: Partial<SlotSummary> = {}): SlotSummary {
  return { slot: id, peerId, inUse: false, departed: null, lastIndex, lastTerm, ...extra };
}
const ids = (slots: SlotSummary[]) => slots.map((s) => s.slot);

describe('SlotCollector', () => {
  it('deletes free departed slots beyond the two most up to date (log order: term first), never one in use', () => {
    const slots = [
      slot('s1', 'a', 90, 2, { departed: tomb(90, 2) }),
      slot('s2', 'b', 10, 3, { departed: tomb(10, 3) }),
      slot('s3', 'c', 50, 3, { departed: tomb(50, 3) }),
      slot('s4', 'd', 5, 1, { departed: tomb(5, 1) }),
      slot('s5', 'e', 1, 1, { inUse: true }),
    ];
    expect(ids(new SlotCollector(GRACE).doomed(slots, () => false, 0))).toEqual(['s1', 's4']);
  });

  it('deletes a crashed identity the configuration does not name only after the grace period, seen twice', () => {
    const collector = new SlotCollector(GRACE);
    const slots = [slot('s1', 'crashed', 5, 1), slot('s2', 'member', 5, 1), slot('s3', 'live', 5, 1, { inUse: true })];
    const member = (id: string) => id === 'member';
    expect(ids(collector.doomed(slots, member, 10_000))).toEqual([]); // first seen unnamed now
    expect(ids(collector.doomed(slots, member, 10_000 + GRACE - 1))).toEqual([]);
    expect(ids(collector.doomed(slots, member, 10_000 + GRACE))).toEqual(['s1']);
  });

  it('a crashed identity named (or its slot taken) in between starts its grace period over', () => {
    const collector = new SlotCollector(GRACE);
    const slots = [slot('s1', 'x', 5, 1)];
    collector.doomed(slots, () => false, 0);
    collector.prune(slots, (id) => id === 'x'); // the leader added it after all
    expect(ids(collector.doomed(slots, () => false, GRACE))).toEqual([]); // unnamed again: seen anew
    expect(ids(collector.doomed(slots, () => false, 2 * GRACE))).toEqual(['s1']);
    collector.doomed([slot('s2', 'y', 5, 1)], () => false, 0);
    collector.doomed([slot('s2', 'y', 5, 1, { inUse: true })], () => false, GRACE); // adopted by a tab
    expect(ids(collector.doomed([slot('s2', 'y', 5, 1)], () => false, 2 * GRACE - 1))).toEqual([]);
  });

  it('deletes a free slot that holds no identity and nothing else, never one in use, unread or with a term', () => {
    const empty = (id: string, extra: Partial<SlotSummary> = {}): SlotSummary => ({ slot: id, peerId: null, inUse: false, departed: null, lastIndex: 0, lastTerm: 0, term: 0, ...extra });
    const slots = [
      empty('left-over'),
      empty('being-claimed', { inUse: true }),
      empty('term-unknown', { term: undefined }),
      empty('heard-of-a-group', { term: 3 }),
      empty('odd-log', { lastIndex: 4, lastTerm: 1 }),
      slot('s1', 'a', 0, 0, { term: 0 }),
    ];
    expect(ids(new SlotCollector(GRACE).doomed(slots, () => true, 0))).toEqual(['left-over']);
  });
});

// Where a starting tab may read a log tail (localLogTailSources): only when its log falls short of a
// departed peer's final position, only from free slots whose logs are longer and not behind it.
import { describe, expect, it } from 'vitest';
import { LOCAL_LOG_TAIL_MAX_ENTRIES, localLogTailSources, type SlotSummary } from '../src/lifecycle/index';
import type { Departure } from '../src/messages';

const slot = (id: string, lastIndex: number, lastTerm: number, over: Partial<SlotSummary> = {}): SlotSummary => ({
  slot: id, peerId: `p-${id}`, inUse: false, departed: null, lastIndex, lastTerm, ...over,
});
const departed = (lastIndex: number, lastTerm: number): Departure => ({ type: 'Departure', term: lastTerm, lastIndex, lastTerm, led: true });

describe('localLogTailSources', () => {
  const adopted = slot('a', 10, 3, { inUse: true });

  it("a log short of a departed leader's final position reads from the free slots that are longer, most up to date first", () => {
    const slots = [adopted, slot('l', 12, 3), slot('m', 14, 3), slot('busy', 20, 3, { inUse: true }), slot('behind', 9, 3), slot('old', 30, 2)];
    expect(localLogTailSources(adopted, slots, new Map([['p-l', departed(12, 3)]]))).toEqual({ from: 11, to: 12, sources: ['m', 'l'] });
  });

  it('none when the log covers every departed position, or no free slot could hold more', () => {
    expect(localLogTailSources(adopted, [adopted, slot('l', 12, 3)], new Map([['p-l', departed(10, 3)]]))).toBeNull();
    expect(localLogTailSources(adopted, [adopted, slot('busy', 12, 3, { inUse: true })], new Map([['p-x', departed(12, 3)]]))).toBeNull();
    expect(localLogTailSources(slot('new', 0, 0, { peerId: null }), [slot('l', 12, 3)], new Map([['p-l', departed(12, 3)]]))).toBeNull();
  });

  it('reads at most LOCAL_LOG_TAIL_MAX_ENTRIES', () => {
    const far = 10 + LOCAL_LOG_TAIL_MAX_ENTRIES + 500;
    expect(localLogTailSources(adopted, [adopted, slot('l', far, 3)], new Map([['p-l', departed(far, 3)]]))).toEqual({ from: 11, to: 10 + LOCAL_LOG_TAIL_MAX_ENTRIES, sources: ['l'] });
  });
});

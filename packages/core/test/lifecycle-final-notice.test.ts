// finalNotice: a departing leader's notice covers what its page saw committed; nobody else's moves.
import { describe, expect, it } from 'vitest';
import { finalNotice } from '../src/lifecycle/index';
import type { Departure } from '../src/messages';

const planned: Departure = { type: 'Departure', term: 7, lastIndex: 40, lastTerm: 6, led: true, successors: ['b'] };

describe('finalNotice', () => {
  it("raises a leader's notice to the commit index its page saw in the same term, in the leader's own term", () => {
    expect(finalNotice(planned, { role: 'leader', term: 7, committed: 44 })).toEqual({ ...planned, lastIndex: 44, lastTerm: 7 });
  });

  it('keeps the plan when the page saw no more, saw it in another term or role, or the notice is not a leader\'s', () => {
    expect(finalNotice(planned, { role: 'leader', term: 7, committed: 40 })).toEqual(planned);
    expect(finalNotice(planned, { role: 'leader', term: 8, committed: 50 })).toEqual(planned);
    expect(finalNotice(planned, { role: 'follower', term: 7, committed: 50 })).toEqual(planned);
    const follower: Departure = { type: 'Departure', term: 7, lastIndex: 40, lastTerm: 7 };
    expect(finalNotice(follower, { role: 'leader', term: 7, committed: 50 })).toEqual(follower);
  });

  it('returns a copy: the planned notice is left as it was', () => {
    const copy = { ...planned };
    finalNotice(planned, { role: 'leader', term: 7, committed: 99 });
    expect(planned).toEqual(copy);
  });
});

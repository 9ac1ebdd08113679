// Shapes of the tab-lifecycle founding rules that tests in several packages set up: the rules'
// own tests in @meshraft/core, and the simulator's, which run them on simulated profiles.
import type { Departure } from '../messages';
import type { LogEntry, PeerId } from '../types';

/**
 * Two devices whose logs end in different configurations, one in a change that adds a voter, as
 * every tab closes at once. Voters l, p, q and learner m; entries 1-9 of term 3 committed
 * everywhere, the configuration at 2. Leader l (device B) of term 4 logs a no-op at 10, which
 * reaches p, q (device A) and m (device B), then the promotion of m at 11, which reaches only x, a
 * tab of device B that joined as a learner a moment before. Nobody heard of another's departure:
 * l's final position is its commit index (9/3), the others' 10/4 and x's 11/4. Weighing the union of
 * the voters B judges ({l, p, q} and {l, p, q, m}), the tie-break between the latest departures
 * designates m on B and p on A, and both re-found (a fork the simulator found once).
 */
export const addedVoterShape: {
  entries(last: number): LogEntry[];
  notices: Record<PeerId, Departure>;
  deviceA: PeerId[];
  deviceB: PeerId[];
  commit: number;
} = {
  /** Entries 1..`last` of the leader's log (device B's most up-to-date slot holds 1-11). */
  entries(last: number): LogEntry[] {
    return Array.from({ length: last }, (_, i): LogEntry => {
      const index = i + 1;
      if (index === 2) return { index, term: 1, kind: 'config', membership: { voters: ['l', 'p', 'q'], learners: ['m'] } };
      if (index === 11) return { index, term: 4, kind: 'config', membership: { voters: ['l', 'p', 'q', 'm'], learners: [] } };
      return { index, term: index <= 9 ? 3 : 4, kind: 'noop' };
    });
  },
  /** Each identity's notice; every device ends up holding all of them. */
  notices: {
    l: { type: 'Departure', term: 4, lastIndex: 9, lastTerm: 3, led: true, knew: [] },
    p: { type: 'Departure', term: 4, lastIndex: 10, lastTerm: 4, knew: [] },
    q: { type: 'Departure', term: 4, lastIndex: 10, lastTerm: 4, knew: [] },
    m: { type: 'Departure', term: 4, lastIndex: 10, lastTerm: 4, knew: [] },
    x: { type: 'Departure', term: 4, lastIndex: 11, lastTerm: 4, knew: [] },
  },
  /** The identities that ran on each device. */
  deviceA: ['p', 'q'],
  deviceB: ['l', 'm', 'x'],
  /** The stored commit index every slot holds. */
  commit: 9,
};

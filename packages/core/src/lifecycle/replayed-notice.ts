// A runtime gives its engine the profile's tombstones as the notices they were (see "While a tab
// runs" in docs/tab-lifecycle.md). The engine passes such a notice on to peers that connect later,
// so it must carry everything the departed peer said: other devices decide from `knew` which of them
// re-founds the group (lifecycle/founding.ts), and a copy without it would make them wait.
import type { Departure } from '../messages';
import type { Membership, PeerId } from '../types';

/** The notice to replay for a kept tombstone: the departed peer's own fields, without a relay's `peer`. */
export function replayedNotice(tombstone: Departure): Departure {
  const { term, lastIndex, lastTerm, led, successors, knew } = tombstone;
  const notice: Departure = { type: 'Departure', term, lastIndex, lastTerm };
  if (led) notice.led = true;
  if (successors) notice.successors = [...successors];
  if (knew) notice.knew = [...knew];
  return notice;
}

/**
 * Whose tombstones a runtime replays into a running engine: the members of its configuration, and
 * the voters of configurations that one may not have replaced yet (RaftStatus.priorVoters). A
 * re-founding waits for those voters' notices too, on whichever profile decides it, so passing them
 * on lets them reach a device that never got them.
 */
export function replayedPeers(members: Membership, priorVoters: readonly PeerId[] = []): PeerId[] {
  return [...members.voters, ...members.learners, ...priorVoters];
}

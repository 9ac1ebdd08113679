// A runtime gives its engine the profile's tombstones as the notices they were (see "While a tab
// runs" in docs/tab-lifecycle.md). The engine passes such a notice on to peers that connect later,
// so it must carry everything the departed peer said: other devices decide from `knew` which of them
// re-founds the group (lifecycle/founding.ts), and a copy without it would make them wait.
import type { Departure } from '../messages';

/** The notice to replay for a kept tombstone: the departed peer's own fields, without a relay's `peer`. */
export function replayedNotice(tombstone: Departure): Departure {
  const { term, lastIndex, lastTerm, led, successors, knew } = tombstone;
  const notice: Departure = { type: 'Departure', term, lastIndex, lastTerm };
  if (led) notice.led = true;
  if (successors) notice.successors = [...successors];
  if (knew) notice.knew = [...knew];
  return notice;
}

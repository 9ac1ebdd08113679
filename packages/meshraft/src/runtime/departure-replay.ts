// Departures this browser profile recorded (tombstones) reach the engine as the notices they are.
// A tab that was not running when another tab of the profile departed never got that notice over
// the mesh: a crashed tab's identity adopted later, say, would keep waiting for a voter that will
// never answer again, and with no quorum nobody could remove it. A tombstone is written by the
// departing identity itself, synchronously, before its notice goes out and after which it never
// votes or acknowledges again, so it is the same promise the notice makes (see @meshraft/core
// engine/departures.ts for why excluding such a voter is safe). Replayed are the profile's own
// departures, and those of members of this peer's configuration and of voters of a configuration
// it may not have replaced yet (other devices' notices came over the mesh), each once per engine:
// - at start. The profile's own departures go in whatever the configuration says: a tab that
//   departed while still joining may be a member of a group whose log this profile never got, and
//   this engine passes the notice on to the peers it meets, which may know it as one (without it, a
//   device holding the group's log waited for that tab for good: simulator seed 600,000,915 of
//   tabs-chaos-two);
// - when the configuration comes to name a peer this profile holds a tombstone of (a tab that starts
//   on an empty slot learns its configuration from the log later, and a departed tab whose notice
//   reached nobody, a tab that reloaded a moment after it joined, is known only here: without this,
//   the group kept it as a member, and a leader later named it a successor that nobody could know
//   departed);
// - a while after another tab of the profile records one. That delay matters: the notice itself
//   normally arrives over the mesh within milliseconds, after the departing leader's TimeoutNow,
//   which a peer ignores once it knows the sender departed; the tombstone is only the fallback for a
//   tab that did not get them.
import { encodeMessage, replayedNotice, replayedPeers, type Departure, type GroupStatus, type PeerId } from '@meshraft/core';
import type { Claim } from './claim';

export interface StatusSource {
  readonly status: GroupStatus;
  subscribe(listener: () => void): () => void;
}

/** The peers whose departures this engine is told of (see replayedPeers). */
const named = (status: GroupStatus): PeerId[] => replayedPeers(status.members, status.priorVoters);

/** How long after another tab records a departure it is replayed (if the mesh has not delivered it by then, it will not). */
export const RECORDED_DEPARTURE_DELAY_MS = 2000;

/** Starts replaying into the engine behind `deliver` (inbound frames); returns a stop function. */
export function replayDepartures(claim: Claim, group: StatusSource, deliver: (from: PeerId, bytes: Uint8Array) => void): () => void {
  const departures = claim.departures;
  if (!departures) return () => {};
  const sent = new Set<PeerId>();
  const own = claim.ownDepartures?.() ?? new Set<PeerId>();
  const send = (peer: PeerId, notice: Departure) => {
    if (peer === group.status.peerId || sent.has(peer) || !(own.has(peer) || named(group.status).includes(peer))) return;
    sent.add(peer);
    deliver(peer, encodeMessage(replayedNotice(notice)));
  };
  // The configuration is known once the engine reported its first status (from its restored log);
  // a peer it names later is looked up then (only peers newly named: one already a member departs
  // with a TimeoutNow in flight, and its notice comes from the mesh or after the delay below).
  let members = new Set<PeerId>();
  const membersChanged = () => {
    const now = new Set(named(group.status));
    const added = [...now].filter((peer) => !members.has(peer));
    members = now;
    if (added.length === 0) return;
    const recorded = departures();
    for (const peer of added) {
      const notice = recorded.get(peer);
      if (notice) send(peer, notice);
    }
  };
  const unsubscribe = group.subscribe(membersChanged);
  membersChanged();
  const recorded = departures();
  for (const peer of own) {
    const notice = recorded.get(peer);
    if (notice) send(peer, notice);
  }
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (peer: PeerId, notice: Departure) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(peer, notice);
    }, RECORDED_DEPARTURE_DELAY_MS);
    timers.add(timer);
  };
  const unwatch = claim.watchDepartures?.(later) ?? (() => {});
  return () => {
    unsubscribe();
    unwatch();
    for (const timer of timers) clearTimeout(timer);
  };
}

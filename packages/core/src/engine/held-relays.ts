// Departure notices passed on by peers this one does not know as members. Raft trusts its members
// and nobody else: a forged notice taken at once could make a voter stop counting a live peer. So
// such a notice is held until its sender is a member (a new tab's configuration is still empty or
// old), or until the host sees that the peer it names runs nowhere (RaftEngine.peersPresent): a
// peer that runs nowhere is not live, and its departure is what the notice says.
import type { Departure } from '../messages';
import type { PeerId } from '../types';

/** Notices held at most (a new tab's first minutes); past it the oldest goes. */
const MAX_HELD_RELAYS = 64;

export interface HeldRelay {
  sender: PeerId;
  notice: Departure;
}

export class HeldRelays {
  private held: HeldRelay[] = [];
  /** Notices taken because the peer they name ran nowhere the host saw (tests and counters). */
  takenOnAbsence = 0;

  /** Keeps `notice` from `sender` (a copy passed on again replaces the one held); false when the oldest had to go. */
  hold(sender: PeerId, notice: Departure): boolean {
    this.held = this.held.filter((r) => r.sender !== sender || r.notice.peer !== notice.peer);
    this.held.push({ sender, notice });
    if (this.held.length <= MAX_HELD_RELAYS) return true;
    this.held.shift();
    return false;
  }

  get size(): number {
    return this.held.length;
  }

  /** Whether a notice held names `peer`. */
  names(peer: PeerId): boolean {
    return this.held.some((r) => r.notice.peer === peer);
  }

  /** The notices whose senders are members now, no longer held. */
  takeFromMembers(isMember: (peer: PeerId) => boolean): HeldRelay[] {
    return this.take((r) => isMember(r.sender));
  }

  /** The notices about peers outside `present` (every peer the host sees running), no longer held. */
  takeAboutAbsent(present: ReadonlySet<PeerId>): HeldRelay[] {
    const taken = this.take((r) => r.notice.peer !== undefined && !present.has(r.notice.peer));
    this.takenOnAbsence += taken.length;
    return taken;
  }

  private take(which: (r: HeldRelay) => boolean): HeldRelay[] {
    const taken = this.held.filter(which);
    if (taken.length > 0) this.held = this.held.filter((r) => !taken.includes(r));
    return taken;
  }
}

// A frozen tab (every voter of its configuration departed, and it cannot succeed them by itself: no
// departed leader named it a successor, or it lacks entries no running peer holds; it opened a
// moment before the last voters closed, its join answered "busy" or still a learner) runs the
// start-up rules again, as a reload onto its own slot would, and re-founds the group on its log
// when they allow it (decideFrozenRestart, docs/tab-lifecycle.md). Otherwise it stays and asks
// again later, with a growing pause (another tab of the profile may close, the room may empty): at
// once when the engine first reports it frozen, then after 1 s, 2 s, 4 s, ... 10 s.
//
// A tab whose join nobody answers is stranded the same way: it opened beside the profile's only
// running tab, took a new slot (that tab's was in use) and asked to join, and that tab closed before
// adding it, so its departure notice never reached it (they were not connected yet). Its engine
// has no configuration, so it never reports frozen; nobody is left to answer. It asks the same
// question, first JOIN_UNANSWERED_MS after it started waiting: the departed tab's slot is free now,
// and the rules re-found the group on it when nobody else runs it (the room is empty). While the
// group runs elsewhere the room is occupied, the answer is 'stay', and the join goes on.
import type { GroupStatus, PeerId, PeerView, RoomEvidence } from '@meshraft/core';
import type { Claim, FrozenRestart } from './claim';
import type { MeshSession } from './mesh-session';
import { roomEvidence } from './room-evidence';

/** First pause between two checks of a tab that stays frozen; it doubles up to FROZEN_RECHECK_MAX_MS. */
export const FROZEN_RECHECK_MS = 1000;
export const FROZEN_RECHECK_MAX_MS = 10_000;
/** How long a tab with no configuration waits for its join to be answered before it asks the start-up rules again. */
export const JOIN_UNANSWERED_MS = 2000;

/** Asking to join (no configuration yet, not online), as a tab whose join nobody answered stays. */
export function waitingToJoin(status: GroupStatus): boolean {
  const { voters, learners } = status.members;
  return voters.length === 0 && learners.length === 0 && !status.online && !status.closed && status.removed !== true && status.frozen !== true;
}

/** Frozen, or waiting to join: the tab asks the start-up rules again. */
function stranded(status: GroupStatus): boolean {
  return status.frozen === true || waitingToJoin(status);
}

/**
 * What a frozen tab's checks found (GroupStats.frozenChecks): why it still waits. `outcome`:
 * 'refound' (it started over), 'stay' (the rules say another tab, a device elsewhere or a missing
 * departure may still continue the group), 'wait' (the room's evidence is unknown), 'lock-busy'
 * (another tab of the profile held the start-up lock or the slot), 'error' (the slots could not be read).
 */
export interface FrozenCheckStats {
  checks: number;
  last: { room: RoomEvidence | null; outcome: 'refound' | 'stay' | 'wait' | 'lock-busy' | 'error' } | null;
}

export interface FrozenRestartHost {
  claim(): Claim | null;
  session(): MeshSession | null;
  status(): GroupStatus;
  /** The runtime is closing, departed, or already starting over: no decision now. */
  busy(): boolean;
  mayLead: boolean;
  /** What a connected peer last gossiped about itself: a room of frozen tabs elsewhere is evidence 'frozen'. */
  viewOf?(id: PeerId): PeerView | undefined;
  /** Depart the frozen identity and re-found the group under a new one (holding the decision's lock). */
  restart(decision: FrozenRestart): Promise<void>;
}

export class FrozenTabRestarter {
  private wasFrozen = false;
  private wasWaiting = false;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pause = FROZEN_RECHECK_MS;
  private stopped = false;
  private checks = 0;
  private last: FrozenCheckStats['last'] = null;

  constructor(private readonly host: FrozenRestartHost) {}

  /**
   * Call on every status change: a tab that has just become frozen asks at once; one that has just
   * started waiting to join asks JOIN_UNANSWERED_MS later (a join the group answers takes less).
   */
  statusChanged(): void {
    const status = this.host.status();
    const frozen = status.frozen === true;
    const waiting = waitingToJoin(status);
    if (frozen && !this.wasFrozen) {
      this.pause = FROZEN_RECHECK_MS;
      this.schedule(0);
    } else if (waiting && !this.wasWaiting) {
      this.pause = FROZEN_RECHECK_MS;
      this.schedule(JOIN_UNANSWERED_MS);
    }
    this.wasFrozen = frozen;
    this.wasWaiting = waiting;
  }

  stats(): FrozenCheckStats {
    return { checks: this.checks, last: this.last }; // replaced, never changed in place
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.check();
    }, delay);
  }

  private async check(): Promise<void> {
    const { host } = this;
    const claim = host.claim();
    const session = host.session();
    if (this.running || !claim?.reconsider || !session || host.busy() || !stranded(host.status())) return;
    this.running = true;
    this.checks++;
    try {
      const decision = await claim.reconsider(host.mayLead);
      if (!decision) this.last = { room: null, outcome: 'lock-busy' };
      else {
        try {
          if (host.busy() || host.session() !== session || !stranded(host.status())) return;
          const room = roomEvidence(session.mesh, [...session.connected], Date.now(), this.ignored(claim, decision), host.viewOf?.bind(host));
          const outcome = await decision.decide(room);
          this.last = { room, outcome };
          if (outcome === 'refound') return await host.restart(decision);
        } finally {
          decision.release();
        }
      }
    } catch {
      // The slots could not be read: ask again at the next check.
      this.last = { room: null, outcome: 'error' };
    } finally {
      this.running = false;
    }
    if (stranded(host.status())) {
      this.schedule(this.pause);
      this.pause = Math.min(this.pause * 2, FROZEN_RECHECK_MAX_MS);
    }
  }

  /** This tab, the profile's other running tabs, and departed identities (even while their links are still closing). */
  private ignored(claim: Claim, decision: FrozenRestart): Set<PeerId> {
    return new Set([this.host.status().peerId, ...decision.localPeers, ...(claim.departures?.().keys() ?? [])]);
  }
}

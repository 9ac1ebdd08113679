// The signaling server as a directory of who is in the room, for the bootstrap decision. It
// restarts (losing all presence), is unreachable while down, and live peers re-register within
// `reregisterMaxMs` of its return. An empty answer is evidence of an empty room only once the
// server has been up longer than that (founding.ts); a bug switch trusts it at once instead.
import { roomEvidenceOf, type PeerId, type RoomEvidence, type RoomPeerSays } from '@meshraft/core';
import type { EventQueue } from './event-queue';
import type { Dice } from './seeds';
import type { Trace } from './trace';

export interface DirectoryPlan {
  /** Times at which the server goes down. */
  restarts: number[];
  /** How long each outage lasts. */
  outageMs: [number, number];
  /** Live peers re-register within this long after the server is back. */
  reregisterMaxMs: number;
}

export class SignalingDirectory {
  /** The server has been up since long before the run starts. */
  private upSince = Number.NEGATIVE_INFINITY;
  private down = false;
  private readonly present = new Set<PeerId>();
  /** Peers that are running (they re-register after a restart). */
  private readonly running = new Set<PeerId>();
  restarts = 0;
  private readonly backListeners: Array<() => void> = [];

  constructor(
    private readonly queue: EventQueue,
    private readonly dice: Dice,
    private readonly trace: Trace,
    private readonly plan: DirectoryPlan,
    /** Bug switch: trust an empty room right after a restart. */
    private readonly trustEmptyAfterRestart = false,
  ) {}

  /** Called each time the server is back after a restart (before peers re-register). */
  onBack(listener: () => void): void {
    this.backListeners.push(listener);
  }

  start(): void {
    for (const at of this.plan.restarts) this.queue.at(at, () => this.restart());
  }

  /** A tab came up: it registers once the server answers. */
  register(id: PeerId): void {
    this.running.add(id);
    if (!this.down) this.present.add(id);
  }

  /** A tab went away (closed, crashed): the server drops it. */
  unregister(id: PeerId): void {
    this.running.delete(id);
    this.present.delete(id);
  }

  /** What the server says about the room, leaving out `local` (the asking profile's running tabs). */
  /** `saysFrozen`: whether a peer gossips itself frozen (PeerView.frozen); a room of only such peers is 'frozen'. */
  evidence(local: ReadonlySet<PeerId> = new Set(), saysFrozen: (id: PeerId) => boolean = () => false): RoomEvidence {
    if (this.down) return 'unknown';
    // Tabs here gossip nothing but frozen: every other peer counts as a member.
    const peers = [...this.present].filter((id) => !local.has(id)).map((id): RoomPeerSays => (saysFrozen(id) ? 'frozen' : 'member'));
    return roomEvidenceOf(peers, this.settled() || this.trustEmptyAfterRestart);
  }

  /** Up, and longer than live peers need to re-register: the room's list holds every one of them. */
  private settled(): boolean {
    return !this.down && this.queue.now - this.upSince > this.plan.reregisterMaxMs;
  }

  /** Every peer the room lists, or null while that list may miss live peers (down, or not up long enough). */
  presentPeers(): PeerId[] | null {
    return this.settled() ? [...this.present] : null;
  }

  private restart(): void {
    this.down = true;
    this.restarts++;
    this.present.clear();
    this.trace.record(this.queue.now, 'net', 'signaling server down');
    this.queue.after(this.dice.int(this.plan.outageMs[0], this.plan.outageMs[1]), () => {
      this.down = false;
      this.upSince = this.queue.now;
      this.trace.record(this.queue.now, 'net', 'signaling server back');
      for (const listener of this.backListeners) listener();
      for (const id of this.running) {
        this.queue.after(this.dice.int(1, this.plan.reregisterMaxMs), () => {
          if (this.running.has(id) && !this.down) this.present.add(id);
        });
      }
    });
  }
}

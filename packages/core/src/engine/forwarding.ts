// Follower side: proposals and reads this peer forwards to the leader, queued while no leader is
// known and failed after forwardTimeoutMs. (The leader side, the index that answers a retried
// forward with the range already in the log, is client-tag-index.ts.)
import type { ClientTag, PeerId, Random } from '../types';

/** A random first wire id, with room below the wire's integer limit (2^48) for 2^47 sends. */
export function firstForwardWireId(random: Random): number {
  return 1 + Math.floor(random() * 2 ** 46);
}

export type ForwardKind = 'propose' | 'read';

export interface PendingForward {
  kind: ForwardKind;
  /** The host's request id (reported back in Ready.proposals / Ready.reads). */
  requestId: number;
  /** Id on the wire; fresh per send so late answers to an earlier send are recognisable. */
  wireId: number;
  commands: Uint8Array[];
  client: ClientTag | null;
  deadline: number;
  /** Peer it was last sent to; null while queued. */
  sentTo: PeerId | null;
  /** Do not send to this peer again (it said it is not the leader) until the leader changes. */
  avoid: PeerId | null;
}

export class ForwardQueue {
  private items: PendingForward[] = [];
  private nextWireId: number;

  /**
   * `firstWireId` must differ between incarnations of a peer: a restarted peer may still receive
   * answers to what it sent before the restart, and a counter that starts over would match a stale
   * read index or command range to a new request (a stale read). The engine draws it at random.
   */
  constructor(firstWireId = 1) {
    this.nextWireId = firstWireId;
  }

  add(kind: ForwardKind, requestId: number, commands: Uint8Array[], client: ClientTag | null, deadline: number): PendingForward {
    const item: PendingForward = { kind, requestId, wireId: 0, commands, client, deadline, sentTo: null, avoid: null };
    this.items.push(item);
    return item;
  }

  /** Items that may be sent to `leader` now. */
  sendable(leader: PeerId): PendingForward[] {
    return this.items.filter((item) => item.sentTo === null && item.avoid !== leader);
  }

  /** Queued items the local peer (now leader) should handle itself; removed. */
  takeUnsent(): PendingForward[] {
    const unsent = this.items.filter((item) => item.sentTo === null);
    this.items = this.items.filter((item) => item.sentTo !== null);
    return unsent;
  }

  markSent(item: PendingForward, to: PeerId): void {
    item.sentTo = to;
    item.wireId = this.nextWireId++;
  }

  /** The item a response answers (matching kind, wire id and sender); removed. */
  take(kind: ForwardKind, wireId: number, from: PeerId): PendingForward | undefined {
    const at = this.items.findIndex((i) => i.kind === kind && i.wireId === wireId && i.sentTo === from);
    if (at < 0) return undefined;
    return this.items.splice(at, 1)[0];
  }

  /** Put an item back in the queue (its target was not the leader). */
  requeue(item: PendingForward, avoid: PeerId | null): void {
    item.sentTo = null;
    item.avoid = avoid;
    this.items.push(item);
  }

  /**
   * Put back every item sent to a peer that will not answer it (`stale(sentTo)`: that peer went
   * down, departed, or is no longer the leader we know), so the next flush sends it to the leader
   * at once instead of waiting for the deadline. Safe for exactly-once: the same client tag goes
   * out again, a leader that already has it answers with the existing range, and an answer to the
   * earlier send no longer matches (a re-send gets a fresh wire id). Returns how many were put back.
   */
  requeueWhere(stale: (sentTo: PeerId) => boolean, avoid: PeerId | null = null): number {
    let count = 0;
    for (const item of this.items) {
      if (item.sentTo === null || !stale(item.sentTo)) continue;
      item.sentTo = null;
      item.avoid = avoid;
      count++;
    }
    return count;
  }

  /** Items past their deadline, removed. */
  expire(now: number): PendingForward[] {
    const expired = this.items.filter((item) => item.deadline <= now);
    if (expired.length > 0) this.items = this.items.filter((item) => item.deadline > now);
    return expired;
  }

  /** A new term began: a peer that was not the leader before may be now. */
  clearAvoid(): void {
    for (const item of this.items) item.avoid = null;
  }

  size(): number {
    return this.items.length;
  }
}

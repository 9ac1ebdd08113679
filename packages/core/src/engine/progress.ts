// Leader-side view of one follower (Raft §5.3 nextIndex/matchIndex), with etcd-style flow control:
// - probe: one AppendEntries at a time until the follower's log position is found;
// - replicate: optimistic pipelining, nextIndex advances on send, up to maxInflight unacknowledged.
export type ProgressState = 'probe' | 'replicate';

export class Progress {
  state: ProgressState = 'probe';
  /** Next index to send. */
  next: number;
  /** Highest index known to be replicated on the follower (only grows within a term). */
  match = 0;
  /** Probe: an append is outstanding; cleared by any response from the follower. */
  paused = false;
  /** Replicate: last index of each unacknowledged AppendEntries, oldest first. */
  private inflight: number[] = [];
  /** Highest commit index told to this follower. */
  commitSent = 0;
  /** Highest heartbeat round it has echoed in this term (ReadIndex confirmation). */
  ackedRound = 0;
  /** Last time (ms) any message of the current term came from it (check-quorum). */
  lastHeard: number;
  /** nextIndex - 1 when the latest heartbeat was sent: a response below it means appends were lost. */
  sentAtHeartbeat = 0;
  heartbeatRound = 0;
  /** The follower said it is catching up (a catch-up session): only heartbeats until this time, then one probe. */
  catchingUpUntil = -Infinity;

  constructor(next: number, now: number) {
    this.next = next;
    this.lastHeard = now;
  }

  /** Whether another AppendEntries may be sent now. */
  canSend(maxInflight: number): boolean {
    return this.state === 'probe' ? !this.paused : this.inflight.length < maxInflight;
  }

  inflightCount(): number {
    return this.inflight.length;
  }

  /** Record that entries up to `lastIndex` were sent (nothing when the append was empty). */
  onSent(lastIndex: number, entryCount: number): void {
    if (this.state === 'probe') {
      this.paused = true;
    } else if (entryCount > 0) {
      this.inflight.push(lastIndex);
      this.next = lastIndex + 1;
    }
  }

  /** A success up to `index`. Returns false when it told us nothing new (duplicate or stale). */
  onMatch(index: number): boolean {
    this.paused = false;
    const advanced = index > this.match;
    if (advanced) this.match = index;
    if (this.next <= index) this.next = index + 1;
    while (this.inflight.length > 0 && this.inflight[0] <= index) this.inflight.shift();
    // Any success locates the follower: everything up to match agrees with our log.
    if (this.state === 'probe') this.becomeReplicate();
    return advanced;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.inflight = [];
    this.paused = false;
  }

  /** Go back to probing from `next` (clamped above match): after a rejection or suspected loss. */
  becomeProbe(next: number): void {
    this.state = 'probe';
    this.inflight = [];
    this.paused = false;
    this.next = Math.max(this.match + 1, next);
  }
}

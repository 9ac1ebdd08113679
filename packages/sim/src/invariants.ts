// Safety invariants checked after every simulation step (Raft paper Fig. 3 plus the durability
// rules of the Ready loop: state is durable before the messages that depend on it). The monitor
// is incremental: peers report persists, applies and status as they happen, and each report is
// checked against what was seen before, over all time.
// With compaction (Raft §7) a peer no longer holds entries at or below its snapshot index: per-peer
// comparisons skip those, while the monitor's own record of every committed entry (index, term,
// content) and of the state machine image at snapshot points keeps the global checks whole.
import type { LogEntry, Membership, PeerId, PersistBatch, RaftStatus, Snapshot } from '@meshraft/core';
import type { DurableStore } from './durable-store';

export type InvariantName =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'committed-changed'
  | 'commit-monotonic'
  | 'applied-monotonic'
  | 'apply-gap'
  | 'term-monotonic'
  | 'snapshot-mismatch'
  | 'storage-contract'
  | 'engine-error'
  | 'liveness'
  | 'availability'
  | 'fork'
  | 'slot-leak'
  | 'departed-spoke'
  | 'linearizability';

export interface Violation {
  invariant: InvariantName;
  message: string;
  time: number;
}

/** What the monitor needs to see of a peer. */
export interface MonitoredPeer {
  readonly id: PeerId;
  readonly incarnation: number;
  readonly durable: DurableStore;
  /** Term of the entry at `index` in the running engine's log (undefined when absent). */
  liveTermAt(index: number): number | undefined;
  /** The running engine's compaction point: entries at or below it are no longer held. */
  liveSnapshotIndex(): number;
}

interface CommittedRecord {
  fp: string;
  term: number;
  /** Lowest term in which any peer was seen to know this entry committed (>= the real commit term). */
  knownInTerm: number;
}

function hashBytes(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** Identity of an entry: equal fingerprints mean equal entries. */
export function fingerprint(e: LogEntry): string {
  switch (e.kind) {
    case 'noop':
      return `${e.term}:noop`;
    case 'config':
      return `${e.term}:config:${e.membership.voters.join(',')}/${e.membership.learners.join(',')}`;
    case 'command':
      return `${e.term}:cmd:${e.client ? `${e.client.clientId}#${e.client.seq}` : '-'}:${e.data.length}:${hashBytes(e.data)}`;
  }
}

export class InvariantMonitor {
  violation: Violation | null = null;
  /** Election safety over all time: the one leader seen in each term. */
  private readonly leaders = new Map<number, PeerId>();
  private readonly leaderChecked = new Set<string>();
  /** Log matching: (index, term) -> entry fingerprint and the term of its predecessor. */
  private readonly logPoints = new Map<string, { fp: string; prevTerm: number }>();
  /** Every entry known to be committed (applied anywhere, or under a durable commit index). */
  private readonly committed = new Map<number, CommittedRecord>();
  private readonly progress = new Map<PeerId, { incarnation: number; committed: number; applied: number }>();
  /** Identities that departed for good (see onDeparted). */
  private readonly departed = new Set<PeerId>();
  /** Committed configuration entries by index (membership history, for stats and snapshot checks). */
  private readonly configs = new Map<number, Membership>();
  /** State machine fingerprint at an index, as first seen in a snapshot taken or installed. */
  private readonly states = new Map<number, { fp: string; by: string }>();

  constructor(private readonly now: () => number) {}

  fail(invariant: InvariantName, message: string): void {
    if (this.violation === null) this.violation = { invariant, message, time: this.now() };
  }

  get ok(): boolean {
    return this.violation === null;
  }

  /**
   * `id` departed for good (its notice went out). Departures are safe only if such an identity never
   * votes, acknowledges or sends anything again (its tab's tombstone keeps it from ever starting).
   */
  onDeparted(id: PeerId): void {
    this.departed.add(id);
  }

  /** A peer sent a message (checked against the departures). */
  onSend(from: PeerId, type: string): void {
    if (this.departed.has(from)) this.fail('departed-spoke', `${from} sent ${type} after it departed for good`);
  }

  /**
   * Status of a running peer after an input. `durableTerm` is the term in the peer's stable storage:
   * a leader counts for Election Safety once its term is durable there. Before that it is a leader
   * in memory only, and nothing it sends leaves the peer (its election's batch changes the term, so
   * every message of it and of later batches waits for the write, host/ready-order.ts); a crash then
   * leaves no trace of that leadership, and the restarted peer may rightly vote in that term again
   * (a re-founding tab elected alone crashed within the write's few milliseconds, and the tab that
   * adopted its slot re-founded in the same term: tabs-reload seed 2100000812).
   */
  onStatus(peer: MonitoredPeer, status: RaftStatus, durableTerm = Infinity): void {
    const last = this.progress.get(peer.id);
    if (last && last.incarnation === peer.incarnation) {
      if (status.committed < last.committed) this.fail('commit-monotonic', `${peer.id} commit went ${last.committed} -> ${status.committed}`);
      if (status.applied < last.applied) this.fail('applied-monotonic', `${peer.id} applied went ${last.applied} -> ${status.applied}`);
    }
    this.progress.set(peer.id, { incarnation: peer.incarnation, committed: status.committed, applied: status.applied });
    if (status.role !== 'leader') return;
    if (durableTerm >= status.term) {
      const known = this.leaders.get(status.term);
      if (known === undefined) this.leaders.set(status.term, peer.id);
      else if (known !== peer.id) this.fail('election-safety', `two leaders in term ${status.term}: ${known} and ${peer.id}`);
    }
    const key = `${peer.id}@${status.term}#${peer.incarnation}`;
    if (!this.leaderChecked.has(key)) {
      this.leaderChecked.add(key);
      this.checkLeaderCompleteness(peer, status.term);
    }
  }

  /** §5.4: a leader of term T holds every entry committed in an earlier term. */
  private checkLeaderCompleteness(peer: MonitoredPeer, term: number): void {
    const compacted = peer.liveSnapshotIndex();
    for (const [index, record] of this.committed) {
      // Below its snapshot index the leader holds no entries (its snapshot covers them, §7).
      if (record.knownInTerm >= term || index < compacted) continue;
      const have = peer.liveTermAt(index);
      if (have !== record.term) {
        this.fail('leader-completeness', `${peer.id} leads term ${term} but has term ${have} at index ${index}, committed with term ${record.term}`);
        return;
      }
    }
  }

  /** A batch became durable on `peer`; `removed` are the entries it truncated. */
  onPersist(peer: MonitoredPeer, batch: PersistBatch, removed: LogEntry[], commitBefore: number, termBefore: number): void {
    const store = peer.durable;
    if (batch.truncateFrom !== undefined && batch.truncateFrom <= commitBefore && removed.length > 0) {
      this.fail('committed-changed', `${peer.id} truncated from ${batch.truncateFrom} below its durable commit ${commitBefore}`);
    }
    // A learner never counts toward a commit (§4.2.1), so a committed entry it holds beyond its own
    // commit index may be one it got from an earlier leader, which a stale leader of a later but
    // lower term than the committing one can still truncate with an AppendEntries (Raft guarantees
    // committed entries in future leaders' logs, §5.4.3, and below each peer's commit index, checked
    // above). Only that case is let through: a voter of its own latest configuration losing a
    // committed entry, or anyone losing one to a snapshot install, is still reported.
    const learnerTruncation = batch.snapshot === undefined && store.latestMembership()?.voters.includes(peer.id) === false;
    for (const e of removed) {
      const c = this.committed.get(e.index);
      if (!learnerTruncation && c && c.fp === fingerprint(e)) this.fail('committed-changed', `${peer.id} removed committed entry ${e.index} (${c.fp})`);
    }
    if (batch.snapshot) this.checkSnapshotMeta(peer, batch.snapshot);
    for (const e of batch.entries) {
      const prevTerm = store.termAt(e.index - 1) ?? -1;
      const fp = fingerprint(e);
      const key = `${e.index}:${e.term}`;
      const seen = this.logPoints.get(key);
      if (seen === undefined) this.logPoints.set(key, { fp, prevTerm });
      else if (seen.fp !== fp || (seen.prevTerm !== prevTerm && prevTerm !== -1 && seen.prevTerm !== -1)) {
        this.fail('log-matching', `${peer.id} index ${e.index} term ${e.term}: ${fp} after term ${prevTerm}, elsewhere ${seen.fp} after term ${seen.prevTerm}`);
      }
      const c = this.committed.get(e.index);
      if (c && c.fp !== fp && e.index <= commitBefore) {
        this.fail('committed-changed', `${peer.id} overwrote committed index ${e.index}: ${c.fp} -> ${fp}`);
      }
    }
    const hard = batch.hardState;
    if (!hard) return;
    if (hard.term < termBefore) this.fail('term-monotonic', `${peer.id} durable term went ${termBefore} -> ${hard.term}`);
    if (hard.commit < commitBefore) this.fail('commit-monotonic', `${peer.id} durable commit went ${commitBefore} -> ${hard.commit}`);
    for (let i = commitBefore + 1; i <= Math.min(hard.commit, store.lastIndex()); i++) {
      const e = store.entryAt(i);
      if (e) this.recordCommitted(peer, e, hard.term, 'committed-changed');
    }
  }

  /** A stored snapshot must describe the committed log: its term and membership at its index. */
  private checkSnapshotMeta(peer: MonitoredPeer, snapshot: Snapshot): void {
    const { index, term, membership } = snapshot.meta;
    const c = this.committed.get(index);
    if (c && c.term !== term) this.fail('snapshot-mismatch', `${peer.id} stored a snapshot at ${index} with term ${term}, committed term ${c.term}`);
    let configIndex = 0;
    for (const i of this.configs.keys()) if (i <= index && i > configIndex) configIndex = i;
    const config = this.configs.get(configIndex);
    if (config && describeMembership(config) !== describeMembership(membership)) {
      this.fail('snapshot-mismatch', `${peer.id} snapshot at ${index} has membership ${describeMembership(membership)}, committed config ${configIndex} says ${describeMembership(config)}`);
    }
  }

  /**
   * The state machine image of a peer at `index` (taken into or restored from a snapshot, or any
   * later apply reaching an index seen that way): every peer must agree on it (§5.4.3).
   */
  onState(peer: MonitoredPeer, index: number, fp: string, what: string): void {
    const seen = this.states.get(index);
    if (seen === undefined) this.states.set(index, { fp, by: `${peer.id} ${what}` });
    else if (seen.fp !== fp) this.fail('state-machine-safety', `${peer.id} ${what} at ${index}: state ${fp}, ${seen.by} had ${seen.fp}`);
  }

  /** True when a state image at `index` is on record (so an apply reaching it can be compared). */
  hasStateAt(index: number): boolean {
    return this.states.has(index);
  }

  /** `peer` applied `entry` to its state machine while in `term`. */
  onApply(peer: MonitoredPeer, entry: LogEntry, term: number): void {
    this.recordCommitted(peer, entry, term, 'state-machine-safety');
  }

  private recordCommitted(peer: MonitoredPeer, e: LogEntry, term: number, invariant: InvariantName): void {
    const fp = fingerprint(e);
    const c = this.committed.get(e.index);
    if (c === undefined) {
      this.committed.set(e.index, { fp, term: e.term, knownInTerm: term });
      if (e.kind === 'config') this.configs.set(e.index, { voters: [...e.membership.voters], learners: [...e.membership.learners] });
    } else if (c.fp !== fp) {
      this.fail(invariant, `${peer.id} has ${fp} committed at index ${e.index}, elsewhere ${c.fp}`);
    } else if (term < c.knownInTerm) {
      c.knownInTerm = term;
    }
  }

  get committedCount(): number {
    return this.committed.size;
  }

  get leaderTerms(): number {
    return this.leaders.size;
  }

  /** Every committed configuration entry, in index order. */
  committedConfigs(): Array<{ index: number; membership: Membership }> {
    return [...this.configs].sort((a, b) => a[0] - b[0]).map(([index, membership]) => ({ index, membership }));
  }

  /** True when `id` was in any committed configuration. */
  everMember(id: PeerId): boolean {
    for (const m of this.configs.values()) if (m.voters.includes(id) || m.learners.includes(id)) return true;
    return false;
  }
}

function describeMembership(m: Membership): string {
  return `${m.voters.join(',')}/${m.learners.join(',')}`;
}

// A simulated peer's state machine as its host keeps it: the KV store, rebuilt at a restart from
// the durable snapshot plus the durable committed entries after it, replaced by a snapshot that
// catch-up fetched, fed committed entries in index order, and imaged when the engine asks for a
// snapshot. Every image and every applied entry is reported to the monitor (state machine safety).
import type { LogEntry, RaftNode, Snapshot } from '@meshraft/core';
import { describeError } from './describe';
import type { MonitoredPeer } from './invariants';
import { KvSnapshotError, KvStore } from './kv-store';
import type { PeerEnv } from './peer-env';

/** The peer as its state machine reports it to the monitor, with its running engine (null: down). */
interface HostingPeer extends MonitoredPeer {
  readonly engine: RaftNode | null;
}

export class PeerStateMachine {
  kv = new KvStore();
  /** A snapshot the engine asked for, taken once the KV store applied this index. */
  private snapshotWanted: number | null = null;

  constructor(
    private readonly peer: HostingPeer,
    private readonly env: PeerEnv,
  ) {}

  /**
   * The KV store after a restart: the durable snapshot, then the durable committed entries after it.
   * With `carried` (the page's state machine, kept across a start under a new identity), as the
   * page's applier does: that state, the snapshot only if it is past it, then the entries past it;
   * the entries it covers already are re-deliveries, which must be the entries it applied.
   */
  rebuild(snapshot: Snapshot | null, carried?: KvStore): boolean {
    const { env, peer } = this;
    this.kv = carried ?? new KvStore();
    this.snapshotWanted = null;
    if (snapshot && snapshot.meta.index > this.kv.appliedIndex && !this.restore(snapshot, 'restart')) return false;
    const from = carried ? (snapshot?.meta.index ?? 0) : this.kv.appliedIndex;
    for (const e of peer.durable.committedEntries()) {
      if (e.index <= from) continue;
      this.apply(e, peer.durable.hardState.term);
    }
    return env.monitor.ok;
  }

  /** A snapshot fetched by catch-up (Ready.snapshotToInstall): restored unless the KV store is past it already. */
  install(snapshot: Snapshot): boolean {
    return snapshot.meta.index <= this.kv.appliedIndex || this.restore(snapshot, 'install');
  }

  /** Replaces the KV store with a snapshot image (registers and exactly-once table). */
  private restore(snapshot: Snapshot, what: 'restart' | 'install'): boolean {
    const { monitor } = this.env;
    const { id } = this.peer;
    let kv: KvStore;
    try {
      kv = KvStore.restore(snapshot.data);
    } catch (err) {
      if (!(err instanceof KvSnapshotError)) throw err;
      monitor.fail('engine-error', `${id} ${what}: snapshot at ${snapshot.meta.index} does not restore: ${err.message}`);
      return false;
    }
    if (kv.appliedIndex !== snapshot.meta.index) {
      monitor.fail('snapshot-mismatch', `${id} ${what}: snapshot meta index ${snapshot.meta.index} holds an image of index ${kv.appliedIndex}`);
      return false;
    }
    this.kv = kv;
    monitor.onState(this.peer, kv.appliedIndex, kv.fingerprint(), `${what} snapshot`);
    this.env.trace.record(this.env.queue.now, id, `${what} snapshot at ${snapshot.meta.index} (term ${snapshot.meta.term})`);
    return true;
  }

  /** The engine asked for a snapshot covering `upTo` (Ready.snapshotRequest). */
  wantSnapshot(upTo: number): void {
    this.snapshotWanted = Math.max(this.snapshotWanted ?? 0, upTo);
  }

  /** Answers Ready.snapshotRequest once the KV store applied `upTo`: its image at its applied index. */
  maybeTakeSnapshot(engine: RaftNode): void {
    if (this.snapshotWanted === null || this.kv.appliedIndex < this.snapshotWanted || engine !== this.peer.engine) return;
    this.snapshotWanted = null;
    const index = this.kv.appliedIndex;
    this.env.monitor.onState(this.peer, index, this.kv.fingerprint(), 'snapshot taken');
    const data = this.kv.snapshot();
    try {
      // The engine fills in term and membership from its log; only index and data matter here.
      engine.snapshotTaken({ meta: { index, term: 0, membership: { voters: [], learners: [] } }, data });
    } catch (err) {
      this.env.monitor.fail('engine-error', `${this.peer.id} snapshotTaken: ${describeError(err)}`);
    }
  }

  apply(entry: LogEntry, term: number): void {
    const applied = this.kv.appliedIndex;
    if (entry.index > applied + 1) {
      this.env.monitor.fail('apply-gap', `${this.peer.id} got entry ${entry.index} to apply after ${applied}`);
      return;
    }
    // Entries at or below `applied` are re-deliveries after a restart: they must be the same entries.
    if (entry.index === applied + 1) {
      this.kv.apply(entry);
      if (this.env.monitor.hasStateAt(entry.index)) this.env.monitor.onState(this.peer, entry.index, this.kv.fingerprint(), 'apply');
    }
    this.env.monitor.onApply(this.peer, entry, term);
  }
}

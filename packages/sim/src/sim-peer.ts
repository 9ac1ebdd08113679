// One simulated peer: a RaftNode driven by a deterministic host loop. Each Ready is handled in
// order: its PersistBatch becomes durable at a simulated fsync time, and only then are its
// messages sent, its committed entries applied and its results reported (DESIGN §2). A crash
// throws away the engine, the pending Ready and the state machine; a restart builds a new
// RaftNode from the durable state and replays the durable committed prefix into a fresh KV store.
import {
  RaftNode,
  type ClientTag,
  type InjectedBugs,
  type LeadershipPreference,
  type LogEntry,
  type Membership,
  type Message,
  type PeerId,
  type RaftConfig,
  type RaftStatus,
  type Ready,
} from '@meshraft/core';
import { DurableStore, isEmptyBatch, StorageContractError } from './durable-store';
import type { EventQueue } from './event-queue';
import type { InvariantMonitor, MonitoredPeer } from './invariants';
import { KvStore } from './kv-store';
import type { SimNetwork } from './network';
import { Stream, streamRandom } from './seeds';
import type { Trace } from './trace';

export type RequestOutcome = { ok: true; start: number; end: number } | { ok: true; index: number } | { ok: false; error: string };
type Callback = (outcome: RequestOutcome) => void;

/** Things a peer reports to the fault injector (used by scenarios that provoke specific bugs). */
export interface PeerEvents {
  leaderElected(peer: SimPeer, term: number): void;
  voteGranted(peer: SimPeer, to: PeerId): void;
  leaderCommitted(peer: SimPeer, term: number, commit: number): void;
}

export interface PeerEnv {
  seed: number;
  queue: EventQueue;
  network: SimNetwork;
  monitor: InvariantMonitor;
  trace: Trace;
  config: RaftConfig;
  bugs: InjectedBugs | undefined;
  bootstrap: Membership;
  fsyncDelay(): number;
  events: PeerEvents;
}

export class SimPeer implements MonitoredPeer {
  engine: RaftNode | null = null;
  readonly durable = new DurableStore();
  kv = new KvStore();
  incarnation = 0;
  paused = false;
  lastStatus: RaftStatus | null = null;
  private held: Array<() => void> = [];
  private syncing = false;
  private readonly proposals = new Map<number, Callback>();
  private readonly reads = new Map<number, Callback>();
  private applyWaiters: Array<{ index: number; done: (applied: boolean) => void }> = [];

  constructor(
    readonly id: PeerId,
    readonly index: number,
    readonly preference: LeadershipPreference,
    private readonly env: PeerEnv,
  ) {}

  get isUp(): boolean {
    return this.engine !== null;
  }

  liveTermAt(index: number): number | undefined {
    return this.engine?.log.termAt(index);
  }

  // ---------- lifecycle ----------

  start(): void {
    const { env } = this;
    const state = this.durable.load();
    this.kv = new KvStore();
    for (const e of this.durable.committedEntries()) {
      this.kv.apply(e);
      env.monitor.onApply(this, e, state.hardState.term);
    }
    try {
      this.engine = new RaftNode({
        id: this.id,
        config: env.config,
        preference: this.preference,
        random: streamRandom(env.seed, Stream.engine, this.index, this.incarnation),
        now: env.queue.now,
        state,
        bootstrap: env.bootstrap,
        bugs: env.bugs,
      });
    } catch (err) {
      env.monitor.fail('engine-error', `${this.id} constructor: ${describeError(err)}`);
      return;
    }
    this.lastStatus = null;
    env.trace.record(env.queue.now, this.id, `start #${this.incarnation} term=${state.hardState.term} commit=${state.hardState.commit} last=${this.durable.lastIndex()}`);
    this.observe();
    this.pump();
  }

  /** Loses everything not durable: engine, pending Ready, state machine, held inputs. */
  crash(): void {
    if (!this.engine) return;
    this.engine = null;
    this.incarnation++;
    this.syncing = false;
    this.paused = false;
    this.held = [];
    this.lastStatus = null;
    this.env.trace.record(this.env.queue.now, this.id, 'crash');
    const failed: RequestOutcome = { ok: false, error: 'crashed' };
    const callbacks = [...this.proposals.values(), ...this.reads.values()];
    this.proposals.clear();
    this.reads.clear();
    const waiters = this.applyWaiters;
    this.applyWaiters = [];
    for (const cb of callbacks) cb(failed);
    for (const w of waiters) w.done(false);
  }

  /** Like a throttled background tab: no ticks; inputs wait until resume(). */
  pause(): void {
    if (!this.engine) return;
    this.paused = true;
    this.env.trace.record(this.env.queue.now, this.id, 'pause');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.env.trace.record(this.env.queue.now, this.id, `resume (${this.held.length} held)`);
    const held = this.held;
    this.held = [];
    for (const run of held) if (this.engine && !this.paused) run();
  }

  // ---------- inputs ----------

  tick(): void {
    if (!this.engine || this.paused) return;
    const now = this.env.queue.now;
    this.input('tick', (e) => e.tick(now));
  }

  deliver(from: PeerId, message: Message): void {
    if (!this.engine) return;
    if (this.paused) {
      this.held.push(() => this.deliver(from, message));
      return;
    }
    const now = this.env.queue.now;
    this.env.trace.record(now, this.id, `<- ${from} ${describeMessage(message)}`);
    this.input(message.type, (e) => e.receive(from, message, now));
  }

  peerUp(id: PeerId): void {
    const now = this.env.queue.now;
    this.input('peerUp', (e) => e.peerUp(id, now));
  }

  peerDown(id: PeerId): void {
    const now = this.env.queue.now;
    this.input('peerDown', (e) => e.peerDown(id, now));
  }

  /** Proposes one client command; false when the peer is down (the client sees a connection error). */
  propose(requestId: number, data: Uint8Array, tag: ClientTag, done: Callback): boolean {
    if (!this.engine) return false;
    this.proposals.set(requestId, done);
    const run = () => this.input('propose', (e) => e.propose(requestId, [data], tag, this.env.queue.now));
    if (this.paused) this.held.push(run);
    else run();
    return true;
  }

  read(requestId: number, done: Callback): boolean {
    if (!this.engine) return false;
    this.reads.set(requestId, done);
    const run = () => this.input('readIndex', (e) => e.readIndex(requestId, this.env.queue.now));
    if (this.paused) this.held.push(run);
    else run();
    return true;
  }

  /** Calls `done(true)` once the state machine applied `index`, `done(false)` on a crash. */
  whenApplied(index: number, done: (applied: boolean) => void): void {
    if (this.kv.appliedIndex >= index) done(true);
    else this.applyWaiters.push({ index, done });
  }

  // ---------- the host loop ----------

  private input(label: string, fn: (engine: RaftNode) => void): void {
    const engine = this.engine;
    if (!engine) return;
    try {
      fn(engine);
    } catch (err) {
      this.env.monitor.fail('engine-error', `${this.id} ${label}: ${describeError(err)}`);
      return;
    }
    this.observe();
    this.pump();
  }

  private observe(): void {
    const engine = this.engine;
    if (!engine) return;
    const status = engine.status();
    const before = this.lastStatus;
    this.lastStatus = status;
    this.env.monitor.onStatus(this, status);
    if (before === null || before.role !== status.role || before.term !== status.term || before.leader !== status.leader) {
      this.env.trace.record(this.env.queue.now, this.id, `${status.role} term=${status.term} leader=${status.leader} commit=${status.committed}`);
      if (status.role === 'leader' && (before?.role !== 'leader' || before.term !== status.term)) this.env.events.leaderElected(this, status.term);
    } else if (status.role === 'leader' && status.committed > before.committed) {
      this.env.events.leaderCommitted(this, status.term, status.committed);
    }
  }

  /** Takes Ready batches one at a time; the next one waits until the previous one is durable. */
  private pump(): void {
    const engine = this.engine;
    while (engine !== null && engine === this.engine && !this.syncing) {
      let ready: Ready;
      try {
        if (!engine.hasReady()) return;
        ready = engine.ready();
      } catch (err) {
        this.env.monitor.fail('engine-error', `${this.id} ready: ${describeError(err)}`);
        return;
      }
      this.observe();
      if (isEmptyBatch(ready.persist)) {
        this.complete(engine, ready);
        continue;
      }
      this.syncing = true;
      const incarnation = this.incarnation;
      const finish = () => {
        if (incarnation !== this.incarnation) return; // crashed before the fsync finished: lost
        if (this.paused) {
          this.held.push(finish);
          return;
        }
        this.syncing = false;
        this.complete(engine, ready);
        this.pump();
      };
      this.env.queue.after(this.env.fsyncDelay(), finish);
      return;
    }
  }

  private complete(engine: RaftNode, ready: Ready): void {
    const { env } = this;
    const { hardState } = this.durable;
    const commitBefore = hardState.commit;
    const termBefore = hardState.term;
    let removed: LogEntry[];
    try {
      removed = this.durable.apply(ready.persist);
    } catch (err) {
      if (err instanceof StorageContractError) env.monitor.fail('storage-contract', `${this.id}: ${err.message}`);
      else throw err;
      return;
    }
    env.monitor.onPersist(this, ready.persist, removed, commitBefore, termBefore);
    for (const { to, message } of ready.messages) {
      if (message.type === 'RequestVoteResponse' && message.vote === 'granted') env.events.voteGranted(this, to);
      env.network.send(this.id, to, message);
    }
    if (ready.snapshotToInstall) env.monitor.fail('engine-error', `${this.id}: unexpected snapshot install (snapshots are not simulated yet)`);
    const term = this.lastStatus?.term ?? termBefore;
    for (const entry of ready.committed) this.applyEntry(entry, term);
    for (const p of ready.proposals) {
      const cb = this.proposals.get(p.requestId);
      this.proposals.delete(p.requestId);
      cb?.(p.ok ? { ok: true, start: p.start, end: p.end } : { ok: false, error: p.error });
    }
    for (const r of ready.reads) {
      const cb = this.reads.get(r.requestId);
      this.reads.delete(r.requestId);
      cb?.(r.ok ? { ok: true, index: r.index } : { ok: false, error: r.error });
    }
    try {
      engine.storageDone(ready.token);
    } catch (err) {
      env.monitor.fail('engine-error', `${this.id} storageDone: ${describeError(err)}`);
    }
    this.releaseApplyWaiters();
  }

  private applyEntry(entry: LogEntry, term: number): void {
    const applied = this.kv.appliedIndex;
    if (entry.index > applied + 1) {
      this.env.monitor.fail('apply-gap', `${this.id} got entry ${entry.index} to apply after ${applied}`);
      return;
    }
    // Entries at or below `applied` are re-deliveries after a restart: they must be the same entries.
    if (entry.index === applied + 1) this.kv.apply(entry);
    this.env.monitor.onApply(this, entry, term);
  }

  private releaseApplyWaiters(): void {
    if (this.applyWaiters.length === 0) return;
    const applied = this.kv.appliedIndex;
    const ready = this.applyWaiters.filter((w) => w.index <= applied);
    if (ready.length === 0) return;
    this.applyWaiters = this.applyWaiters.filter((w) => w.index > applied);
    for (const w of ready) w.done(true);
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 4).join('\n') ?? ''}`;
  return String(err);
}

export function describeMessage(m: Message): string {
  switch (m.type) {
    case 'AppendEntries':
      return `AE t${m.term} prev=${m.prevLogIndex}/${m.prevLogTerm} n=${m.entries.length} commit=${m.leaderCommit}`;
    case 'AppendEntriesResponse':
      return `AER t${m.term} ${m.success ? 'ok' : 'no'} match=${m.matchIndex} last=${m.lastIndex}`;
    case 'PreVote':
    case 'RequestVote':
      return `${m.type} t${m.term} last=${m.lastLogIndex}/${m.lastLogTerm}`;
    case 'PreVoteResponse':
    case 'RequestVoteResponse':
      return `${m.type} t${m.term} ${m.vote}`;
    case 'Heartbeat':
      return `HB t${m.term} commit=${m.commit} r${m.round}`;
    case 'HeartbeatResponse':
      return `HBR t${m.term} r${m.round}`;
    default:
      return m.type;
  }
}

// One simulated peer: a RaftNode driven by a deterministic host loop. Each Ready is handled in
// order: what may leave before its PersistBatch is durable leaves at once, as the browser host does
// (a leader's appends and heartbeats, @meshraft/core host/ready-order.ts); the batch becomes durable
// at a simulated fsync time, and only then are the other messages sent, a fetched snapshot restored,
// its committed entries applied and its results reported. A crash throws away the engine, the pending Ready and the state machine; a
// restart builds a new RaftNode from the durable state and rebuilds the KV store from the durable
// snapshot plus the durable committed entries after it. A retired peer (left, removed or killed
// for good) never runs again.
import {
  RaftNode,
  planLeavesEarly,
  splitReadyMessages,
  type ClientTag,
  type Departure,
  type DeparturePlan,
  type LeadershipPreference,
  type LogEntry,
  type LogTail,
  type Membership,
  type Message,
  type PeerId,
  type RaftConfig,
  type RaftNodeOptions,
  type RaftStatus,
  type Ready,
  type Snapshot,
} from '@meshraft/core';
import { withInjectedBugs, type InjectedBugs } from '@meshraft/core/testing';
import { describeError, describeMessage } from './describe';
import { DurableStore, isEmptyBatch, StorageContractError } from './durable-store';
import type { EventQueue } from './event-queue';
import type { InvariantMonitor, MonitoredPeer } from './invariants';
import { KvSnapshotError, KvStore } from './kv-store';
import type { SimNetwork } from './network';
import { PendingRequests, type RequestCallback, type RequestOutcome } from './pending-requests';
import { Stream, streamRandom } from './seeds';
import type { Trace } from './trace';

export type { RequestOutcome };

/** Things a peer reports to the fault injector and the cluster (scenarios react to them). */
export interface PeerEvents {
  leaderElected(peer: SimPeer, term: number): void;
  voteGranted(peer: SimPeer, to: PeerId): void;
  /** A vote message left before its batch's write (a candidate's RequestVote, splitReadyMessages). */
  voteSentEarly(peer: SimPeer): void;
  leaderCommitted(peer: SimPeer, term: number, commit: number): void;
  /** The engine reports this peer removed from the group (status.removed). */
  removed(peer: SimPeer): void;
  /** The engine saw another peer's Departure notice for the first time (Ready.departures). */
  departureSeen(peer: SimPeer, notice: Departure): void;
  /** The engine's configuration changed (status.members). */
  membersChanged(peer: SimPeer): void;
  /** The engine reports this peer frozen (status.frozen: every voter of its configuration departed). */
  frozen(peer: SimPeer): void;
}

export interface PeerEnv {
  seed: number;
  queue: EventQueue;
  network: SimNetwork;
  monitor: InvariantMonitor;
  trace: Trace;
  config: RaftConfig;
  bugs: InjectedBugs | undefined;
  fsyncDelay(): number;
  events: PeerEvents;
}

/** Per-peer counters (summed into SimResult.stats). */
export interface PeerCounters {
  snapshotsTaken: number;
  snapshotInstalls: number;
  catchUpSessions: number;
  /** Times the engine re-founded the group as a departed leader's successor. */
  successorRefounds: number;
  /** Times the engine's leader was reported gone (a stopped tab's lock) and it took a turn to campaign. */
  leaderGoneTurns: number;
}

export class SimPeer implements MonitoredPeer {
  engine: RaftNode | null = null;
  readonly durable: DurableStore;
  /**
   * Re-found the group on this peer's log at its next start (RaftNodeOptions.refound). The startup
   * rules decide it for one start only: the flag is consumed by that start, so a later restart of
   * the same identity is a plain restart unless the rules say so again.
   */
  refound = false;
  /** Entries another slot of the profile holds past this log, for the next start only (RaftNodeOptions.logTail). */
  logTail: LogTail | undefined = undefined;
  /** depart() was called: the identity is gone for good. */
  departed = false;
  kv = new KvStore();
  incarnation = 0;
  paused = false;
  /** Added to the cluster (started at least once). */
  joined = false;
  /** Gone for good (left, removed, or killed): never started again. */
  retired = false;
  /** leave() was called. */
  leaving = false;
  lastStatus: RaftStatus | null = null;
  readonly counters: PeerCounters = { snapshotsTaken: 0, snapshotInstalls: 0, catchUpSessions: 0, successorRefounds: 0, leaderGoneTurns: 0 };
  private held: Array<() => void> = [];
  /** The departure plan of the latest Ready whose messages were relayed (this incarnation). */
  private relayedPlan: DeparturePlan | null = null;
  private syncing = false;
  private readonly requests = new PendingRequests();
  /** A snapshot the engine asked for, taken once the KV store applied this index. */
  private snapshotWanted: number | null = null;

  constructor(
    readonly id: PeerId,
    readonly index: number,
    readonly preference: LeadershipPreference,
    /** Membership to bootstrap from when the log is empty; undefined: wait to be added (join). */
    readonly bootstrap: Membership | undefined,
    private readonly env: PeerEnv,
    /** The disk: a fresh one, or a slot a departed identity used before (a warm start). */
    durable?: DurableStore,
  ) {
    this.durable = durable ?? new DurableStore();
  }

  get isUp(): boolean {
    return this.engine !== null;
  }

  liveTermAt(index: number): number | undefined {
    return this.engine?.log.termAt(index);
  }

  liveSnapshotIndex(): number {
    return this.engine?.log.snapshotIndex ?? 0;
  }

  // ---------- lifecycle ----------

  start(): void {
    const { env } = this;
    if (this.retired || this.engine) return;
    this.joined = true;
    const state = this.durable.load();
    if (!this.rebuildKv(state.snapshot)) return;
    try {
      const options: RaftNodeOptions = {
        id: this.id,
        config: env.config,
        preference: this.preference,
        random: streamRandom(env.seed, Stream.engine, this.index, this.incarnation),
        now: env.queue.now,
        state,
        bootstrap: this.bootstrap,
        refound: this.refound,
        ...(this.logTail ? { logTail: this.logTail } : {}),
      };
      this.engine = new RaftNode(withInjectedBugs(options, env.bugs));
    } catch (err) {
      env.monitor.fail('engine-error', `${this.id} constructor: ${describeError(err)}`);
      return;
    }
    this.refound = false;
    this.logTail = undefined;
    this.relayedPlan = null;
    this.lastStatus = null;
    this.snapshotWanted = null;
    env.trace.record(env.queue.now, this.id, `start #${this.incarnation} term=${state.hardState.term} commit=${state.hardState.commit} snap=${this.durable.snapshotIndex} last=${this.durable.lastIndex()}`);
    this.observe();
    this.pump();
  }

  /** The KV store after a restart: the durable snapshot, then the durable committed entries after it. */
  private rebuildKv(snapshot: Snapshot | null): boolean {
    const { env } = this;
    this.kv = new KvStore();
    if (snapshot && !this.restore(snapshot, 'restart')) return false;
    for (const e of this.durable.committedEntries()) {
      if (e.index <= this.kv.appliedIndex) continue;
      this.applyEntry(e, this.durable.hardState.term);
    }
    return env.monitor.ok;
  }

  /** Loses everything not durable: engine, pending Ready, state machine, held inputs. */
  crash(): void {
    if (!this.engine) return;
    this.counters.catchUpSessions += this.engine.catchUp.sessions;
    this.counters.successorRefounds += this.engine.departureHandler.refounds;
    this.counters.leaderGoneTurns += this.engine.departureHandler.turns.leaderGoneTurns;
    this.engine = null;
    this.incarnation++;
    this.syncing = false;
    this.paused = false;
    this.held = [];
    this.lastStatus = null;
    this.env.trace.record(this.env.queue.now, this.id, 'crash');
    this.requests.failAll();
  }

  /** Stops for good (a closed tab): like a crash, but the peer never starts again. */
  retire(why: string): void {
    if (this.retired) return;
    this.crash();
    this.retired = true;
    this.env.trace.record(this.env.queue.now, this.id, `retired (${why})`);
  }

  /**
   * A tab closing (pagehide): the departure plan goes out on the reliable channels of the peers this
   * one can reach (last appends, then TimeoutNow when it leads, then the notice), and the identity
   * never runs again. As a browser host must, it sends the plan of the latest Ready whose messages
   * it relayed: that plan covers every acknowledgement sent, and nothing a pending fsync may yet lose
   * (a notice claiming entries its tab never stored could never be covered by its slot). Its term is
   * raised to the engine's current one: a term the engine reached without relaying anything left no
   * trace anywhere, but this monitor counts leaderships as soon as the engine reports them, and a
   * higher term in a notice is always safe (it only raises the terms of those that read it). Returns
   * the notice (the tombstone the profile keeps), or null when the peer was not running.
   */
  /** Sends the departure plan; returns its notice and the voters its engine knew had departed (DeparturePlan.departedBefore). */
  depart(reachable: readonly PeerId[]): { notice: Departure; departedBefore: readonly PeerId[] } | null {
    const engine = this.engine;
    if (!engine) return null;
    const now = this.env.queue.now;
    let plan: DeparturePlan;
    try {
      const fresh = engine.depart(now);
      plan = this.relayedPlan ? { ...this.relayedPlan, notice: { ...this.relayedPlan.notice, term: Math.max(this.relayedPlan.notice.term, fresh.notice.term) } } : fresh;
    } catch (err) {
      this.env.monitor.fail('engine-error', `${this.id} depart: ${describeError(err)}`);
      return null;
    }
    this.departed = true;
    this.env.trace.record(now, this.id, `depart (final ${plan.notice.lastIndex}/${plan.notice.lastTerm}, handoff ${plan.handoffTo ?? '-'})`);
    for (const { to, message } of plan.appends) if (reachable.includes(to)) this.env.network.sendReliable(this.id, to, message);
    if (plan.handoffTo !== null && reachable.includes(plan.handoffTo)) {
      this.env.network.sendReliable(this.id, plan.handoffTo, { type: 'TimeoutNow', term: plan.notice.term });
    }
    for (const to of reachable) this.env.network.sendReliable(this.id, to, plan.notice);
    this.env.monitor.onDeparted(this.id);
    return { notice: plan.notice, departedBefore: plan.departedBefore ?? [] };
  }

  /**
   * Bug switch only (adoptDepartedIdentities): a retired identity is made startable again, as a tab
   * that ignored a tombstone would restart it.
   */
  unretire(): void {
    this.retired = false;
    this.departed = false;
  }

  /** Graceful leave: the engine hands over leadership and asks to be removed. */
  leave(): void {
    if (!this.engine || this.leaving) return;
    this.leaving = true;
    this.env.trace.record(this.env.queue.now, this.id, 'leave');
    const now = this.env.queue.now;
    this.input('leave', (e) => e.leave?.(now));
  }

  /** Turns taken after the leader was reported gone, over all incarnations so far. */
  get leaderGoneTurns(): number {
    return this.counters.leaderGoneTurns + (this.engine?.departureHandler.turns.leaderGoneTurns ?? 0);
  }

  /** Re-foundings as a successor over all incarnations so far. */
  get successorRefounds(): number {
    return this.counters.successorRefounds + (this.engine?.departureHandler.refounds ?? 0);
  }

  /** Catch-up sessions over all incarnations so far. */
  get catchUpSessions(): number {
    return this.counters.catchUpSessions + (this.engine?.catchUp.sessions ?? 0);
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

  /** `id`'s process stopped, as a tab of the same browser learns from its Web Lock (RaftEngine.peerGone). */
  peerGone(id: PeerId): void {
    const now = this.env.queue.now;
    this.input('peerGone', (e) => e.peerGone(id, now));
  }

  /**
   * Every peer the tab sees running (RaftEngine.peersPresent, as the runtime reports it once a
   * second). Returns how many held notices that made the engine take.
   */
  peersPresent(present: readonly PeerId[]): number {
    const engine = this.engine;
    if (!engine) return 0;
    const before = engine.departureHandler.relays.takenOnAbsence;
    const now = this.env.queue.now;
    this.input('peersPresent', (e) => e.peersPresent(present, now));
    return engine.departureHandler.relays.takenOnAbsence - before;
  }

  /** Proposes one client command; false when the peer is down (the client sees a connection error). */
  propose(requestId: number, data: Uint8Array, tag: ClientTag, done: RequestCallback): boolean {
    if (!this.engine) return false;
    this.requests.addProposal(requestId, done);
    const run = () => this.input('propose', (e) => e.propose(requestId, [data], tag, this.env.queue.now));
    if (this.paused) this.held.push(run);
    else run();
    return true;
  }

  read(requestId: number, done: RequestCallback): boolean {
    if (!this.engine) return false;
    this.requests.addRead(requestId, done);
    const run = () => this.input('readIndex', (e) => e.readIndex(requestId, this.env.queue.now));
    if (this.paused) this.held.push(run);
    else run();
    return true;
  }

  /** Calls `done(true)` once the state machine applied `index`, `done(false)` on a crash. */
  whenApplied(index: number, done: (applied: boolean) => void): void {
    this.requests.whenApplied(this.kv.appliedIndex, index, done);
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
    this.env.monitor.onStatus(this, status, this.durable.hardState.term);
    if (before === null || before.role !== status.role || before.term !== status.term || before.leader !== status.leader) {
      this.env.trace.record(this.env.queue.now, this.id, `${status.role} term=${status.term} leader=${status.leader} commit=${status.committed}`);
      if (status.role === 'leader' && (before?.role !== 'leader' || before.term !== status.term)) this.env.events.leaderElected(this, status.term);
    } else if (status.role === 'leader' && status.committed > before.committed) {
      this.env.events.leaderCommitted(this, status.term, status.committed);
    }
    if (status.removed && !before?.removed) {
      this.env.trace.record(this.env.queue.now, this.id, 'removed from the group');
      this.env.events.removed(this);
    }
    if (before === null || !sameMembers(before.members, status.members)) this.env.events.membersChanged(this);
    if (status.frozen && !before?.frozen) {
      this.env.trace.record(this.env.queue.now, this.id, 'frozen: every voter of its configuration departed');
      this.env.events.frozen(this);
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
      // As the browser host does: what may leave before the batch is durable (a leader's appends
      // and heartbeats, thesis §10.2.1) goes now; the rest waits for the fsync.
      const { hardState } = this.durable;
      const { early, late } = splitReadyMessages(ready.persist, { term: hardState.term, vote: hardState.vote }, ready.messages, this.id);
      // Messages of this Ready go out now: so does its plan (a leader's commit index rides on them),
      // unless they are only a candidate's vote requests.
      if (planLeavesEarly(early) && ready.departure) this.relayedPlan = ready.departure;
      for (const { to, message } of early) this.env.network.send(this.id, to, message);
      // Only a candidate's vote requests leave before a write that changes the vote (ready-order.ts).
      if (early.some(({ message }) => message.type === 'RequestVote')) this.env.events.voteSentEarly(this);
      ready.messages = late;
      const finish = () => {
        if (incarnation !== this.incarnation) return; // crashed before the fsync finished: lost
        if (this.paused) {
          this.held.push(finish);
          return;
        }
        this.syncing = false;
        this.complete(engine, ready);
        this.observe(); // a term just made durable: its leader counts for Election Safety from now on
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
    if (ready.departure) this.relayedPlan = ready.departure;
    for (const { to, message } of ready.messages) {
      env.monitor.onSend(this.id, message.type);
      if (message.type === 'RequestVoteResponse' && message.vote === 'granted') env.events.voteGranted(this, to);
      env.network.send(this.id, to, message);
    }
    if (ready.persist.snapshot && !ready.snapshotToInstall) this.counters.snapshotsTaken++;
    if (ready.snapshotToInstall) {
      // A snapshot fetched by catch-up is persisted in the same batch; at a restart it is the image
      // the KV store was already rebuilt from.
      if (ready.persist.snapshot) this.counters.snapshotInstalls++;
      if (ready.snapshotToInstall.meta.index > this.kv.appliedIndex && !this.restore(ready.snapshotToInstall, 'install')) return;
    }
    for (const notice of ready.departures ?? []) env.events.departureSeen(this, notice);
    const term = this.lastStatus?.term ?? termBefore;
    for (const entry of ready.committed) this.applyEntry(entry, term);
    this.requests.resolve(ready);
    try {
      engine.storageDone(ready.token);
    } catch (err) {
      env.monitor.fail('engine-error', `${this.id} storageDone: ${describeError(err)}`);
    }
    if (ready.snapshotRequest) this.snapshotWanted = Math.max(this.snapshotWanted ?? 0, ready.snapshotRequest.upTo);
    this.maybeTakeSnapshot(engine);
    this.requests.released(this.kv.appliedIndex);
  }

  /** Replaces the KV store with a snapshot image (registers and exactly-once table). */
  private restore(snapshot: Snapshot, what: 'restart' | 'install'): boolean {
    const { monitor } = this.env;
    let kv: KvStore;
    try {
      kv = KvStore.restore(snapshot.data);
    } catch (err) {
      if (!(err instanceof KvSnapshotError)) throw err;
      monitor.fail('engine-error', `${this.id} ${what}: snapshot at ${snapshot.meta.index} does not restore: ${err.message}`);
      return false;
    }
    if (kv.appliedIndex !== snapshot.meta.index) {
      monitor.fail('snapshot-mismatch', `${this.id} ${what}: snapshot meta index ${snapshot.meta.index} holds an image of index ${kv.appliedIndex}`);
      return false;
    }
    this.kv = kv;
    monitor.onState(this, kv.appliedIndex, kv.fingerprint(), `${what} snapshot`);
    this.env.trace.record(this.env.queue.now, this.id, `${what} snapshot at ${snapshot.meta.index} (term ${snapshot.meta.term})`);
    return true;
  }

  /** Answers Ready.snapshotRequest once the KV store applied `upTo`: its image at its applied index. */
  private maybeTakeSnapshot(engine: RaftNode): void {
    if (this.snapshotWanted === null || this.kv.appliedIndex < this.snapshotWanted || engine !== this.engine) return;
    this.snapshotWanted = null;
    const index = this.kv.appliedIndex;
    this.env.monitor.onState(this, index, this.kv.fingerprint(), 'snapshot taken');
    const data = this.kv.snapshot();
    try {
      // The engine fills in term and membership from its log; only index and data matter here.
      engine.snapshotTaken({ meta: { index, term: 0, membership: { voters: [], learners: [] } }, data });
    } catch (err) {
      this.env.monitor.fail('engine-error', `${this.id} snapshotTaken: ${describeError(err)}`);
    }
  }

  private applyEntry(entry: LogEntry, term: number): void {
    const applied = this.kv.appliedIndex;
    if (entry.index > applied + 1) {
      this.env.monitor.fail('apply-gap', `${this.id} got entry ${entry.index} to apply after ${applied}`);
      return;
    }
    // Entries at or below `applied` are re-deliveries after a restart: they must be the same entries.
    if (entry.index === applied + 1) {
      this.kv.apply(entry);
      if (this.env.monitor.hasStateAt(entry.index)) this.env.monitor.onState(this, entry.index, this.kv.fingerprint(), 'apply');
    }
    this.env.monitor.onApply(this, entry, term);
  }
}

function sameMembers(a: Membership, b: Membership): boolean {
  return a.voters.length === b.voters.length && a.learners.length === b.learners.length && a.voters.every((v, i) => v === b.voters[i]) && a.learners.every((l, i) => l === b.learners[i]);
}

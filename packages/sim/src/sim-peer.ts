// One simulated peer: a RaftNode driven by a deterministic host loop (host-loop.ts: each Ready in
// order, its batch durable at a simulated fsync time before what depends on it goes out). A crash
// throws away the engine, the pending Ready and the state machine; a restart builds a new RaftNode
// from the durable state and rebuilds the KV store from the durable snapshot plus the durable
// committed entries after it (peer-state-machine.ts). A retired peer (left, removed or killed for
// good) never runs again.
import { finalNotice, RaftNode, type ClientTag, type Departure, type DeparturePlan, type LeadershipPreference, type LogTail, type Membership, type Message, type PeerId, type RaftNodeOptions, type RaftStatus } from '@meshraft/core';
import { withInjectedBugs } from '@meshraft/core/testing';
import { describeError, describeMessage } from './describe';
import { DurableStore } from './durable-store';
import { HostLoop } from './host-loop';
import type { MonitoredPeer } from './invariants';
import type { KvStore } from './kv-store';
import type { PeerEnv } from './peer-env';
import { PeerStateMachine } from './peer-state-machine';
import { PendingRequests, type RequestCallback } from './pending-requests';
import { Stream, streamRandom } from './seeds';

export type { RequestOutcome } from './pending-requests';
export type { PeerEnv, PeerEvents } from './peer-env';

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
  /**
   * The state machine of the page this identity starts in, for the first start only: a tab that
   * starts over under a new identity (a frozen tab re-founding) keeps its page, and the page keeps
   * its state machine and applied index (the runtime's rejoin), applying only what comes after.
   */
  carriedState: KvStore | undefined = undefined;
  /** depart() was called: the identity is gone for good. */
  departed = false;
  incarnation = 0;
  paused = false;
  /** Added to the cluster (started at least once). */
  joined = false;
  /** Gone for good (left, removed, or killed): never started again. */
  retired = false;
  /** leave() was called. */
  leaving = false;
  readonly counters: PeerCounters = { snapshotsTaken: 0, snapshotInstalls: 0, catchUpSessions: 0, successorRefounds: 0, leaderGoneTurns: 0 };
  private held: Array<() => void> = [];
  private readonly requests = new PendingRequests();
  private readonly machine: PeerStateMachine;
  private readonly loop: HostLoop;

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
    this.machine = new PeerStateMachine(this, env);
    this.loop = new HostLoop(this, env, this.machine, this.requests);
  }

  get isUp(): boolean {
    return this.engine !== null;
  }

  /** The state machine (replaced at each restart and snapshot install). */
  get kv(): KvStore {
    return this.machine.kv;
  }

  /** The engine's status as of its latest input or batch (null while down). */
  get lastStatus(): RaftStatus | null {
    return this.loop.lastStatus;
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
    const carried = this.carriedState;
    this.carriedState = undefined;
    if (!this.machine.rebuild(state.snapshot, carried)) return;
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
    env.trace.record(env.queue.now, this.id, `start #${this.incarnation} term=${state.hardState.term} commit=${state.hardState.commit} snap=${this.durable.snapshotIndex} last=${this.durable.lastIndex()}`);
    this.loop.started();
  }

  /**
   * Loses everything not durable: engine, pending Ready, state machine, held inputs. A batch being
   * written is atomic: it is lost, or (half the time, from a stream of its own) it landed before the
   * crash although the host never heard back, as an IndexedDB transaction that committed just
   * before the tab died. A departed peer's fate was decided as it departed (depart(): its Worker
   * landed what it was writing, or stopped first and lost it): nothing lands here.
   */
  crash(): void {
    if (!this.engine) return;
    if (!this.departed && streamRandom(this.env.seed, Stream.workers, this.index, this.incarnation)() < 0.5 && this.loop.landBeforeCrash()) {
      this.env.trace.record(this.env.queue.now, this.id, `its write in flight landed before the crash (commit ${this.durable.hardState.commit}, last ${this.durable.lastIndex()})`);
    }
    this.counters.catchUpSessions += this.engine.catchUp.sessions;
    this.counters.successorRefounds += this.engine.departureHandler.refounds;
    this.counters.leaderGoneTurns += this.engine.departureHandler.turns.leaderGoneTurns;
    this.engine = null;
    this.incarnation++;
    this.loop.stopped();
    this.paused = false;
    this.held = [];
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
   * that Ready's, as in the browser: the engine may have reached a later term since (a lone voter
   * elected itself, a leader's appends came in) in a Ready still being written, whose batch the
   * Worker may land after the notice (`workerReadies`). Nothing of that term left the tab, and the
   * monitor counts a leadership only once its term is durable while the peer runs, so a successor
   * judging by the notice may take that same term; the slot's taker drops those entries
   * (DurableStore.handOver).
   *
   * Returns the notice (the tombstone the profile keeps), the voters its engine knew had departed
   * (DeparturePlan.departedBefore), the highest index its page had seen committed (kept with the
   * tombstone: core handOverLimits) and whether its Worker's timer fired, or null when the peer was
   * not running.
   * `workerReadies`: how many more Readies the tab's Worker, alive a moment after the page's
   * notice, takes and writes beyond the batch it was writing (HostLoop.landAfterDeparture);
   * negative: the Worker stops first, and that batch is lost too. A Worker that lands batches may
   * also see its election timer fire (a third of the time, from a stream of its own): the engine
   * ticks past its election deadline before taking those Readies (HostLoop.landAfterDeparture).
   */
  depart(reachable: readonly PeerId[], workerReadies = 0): { notice: Departure; departedBefore: readonly PeerId[]; committed: number; timerFired: boolean } | null {
    const engine = this.engine;
    if (!engine) return null;
    const now = this.env.queue.now;
    let plan: DeparturePlan;
    try {
      plan = this.loop.relayedPlan ?? engine.departurePlan();
      // As the runtime does: a leader's notice covers what its page saw committed (it applied those
      // entries, and answered its clients from them, before the batch holding them was written).
      const seen = this.loop.lastStatus;
      if (seen) plan = { ...plan, notice: finalNotice(plan.notice, { role: seen.role, term: seen.term, committed: this.machine.kv.appliedIndex }) };
    } catch (err) {
      this.env.monitor.fail('engine-error', `${this.id} depart: ${describeError(err)}`);
      return null;
    }
    this.departed = true;
    // What the page had seen committed: the profile keeps it with the tombstone (handOverLimits).
    const committed = this.machine.kv.appliedIndex;
    this.env.trace.record(now, this.id, `depart (final ${plan.notice.lastIndex}/${plan.notice.lastTerm}, handoff ${plan.handoffTo ?? '-'})`);
    for (const { to, message } of plan.appends) if (reachable.includes(to)) this.env.network.sendReliable(this.id, to, message);
    if (plan.handoffTo !== null && reachable.includes(plan.handoffTo)) {
      this.env.network.sendReliable(this.id, plan.handoffTo, { type: 'TimeoutNow', term: plan.notice.term });
    }
    for (const to of reachable) this.env.network.sendReliable(this.id, to, plan.notice);
    this.env.monitor.onDeparted(this.id);
    const timerFires = workerReadies >= 0 && streamRandom(this.env.seed, Stream.workerTimers, this.index, this.incarnation)() < 1 / 3;
    // Twice the longest timeout: past any deadline of a normal peer (the tabs' peers all are), the
    // first one's bootstrap delay included while that delay is at most a timeout (as in simConfig).
    const { electionTimeoutMs, electionJitterMs } = this.env.config;
    const timerAt = timerFires ? now + 2 * (electionTimeoutMs + electionJitterMs) + 1 : null;
    if (timerAt !== null) this.env.trace.record(now, this.id, `its Worker's timer fires after the notice (at ${timerAt})`);
    const landed = workerReadies < 0 ? 0 : this.loop.landAfterDeparture(workerReadies, timerAt);
    if (landed > 0) {
      const { commit } = this.durable.hardState;
      this.env.trace.record(now, this.id, `its Worker landed ${landed} batch(es) after the notice (commit ${commit}, last ${this.durable.lastIndex()})`);
    }
    try {
      engine.depart(timerAt ?? now);
    } catch (err) {
      this.env.monitor.fail('engine-error', `${this.id} depart: ${describeError(err)}`);
    }
    return { notice: plan.notice, departedBefore: plan.departedBefore ?? [], committed, timerFired: timerAt !== null };
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
    this.loop.input('leave', (e) => e.leave?.(now));
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

  /** Keeps `run` (an input, or a finished write) until resume(): the peer is paused. */
  hold(run: () => void): void {
    this.held.push(run);
  }

  // ---------- inputs ----------

  tick(): void {
    if (!this.engine || this.paused) return;
    const now = this.env.queue.now;
    this.loop.input('tick', (e) => e.tick(now));
  }

  deliver(from: PeerId, message: Message): void {
    if (!this.engine) return;
    if (this.paused) {
      this.hold(() => this.deliver(from, message));
      return;
    }
    const now = this.env.queue.now;
    this.env.trace.record(now, this.id, `<- ${from} ${describeMessage(message)}`);
    this.loop.input(message.type, (e) => e.receive(from, message, now));
  }

  peerUp(id: PeerId): void {
    const now = this.env.queue.now;
    this.loop.input('peerUp', (e) => e.peerUp(id, now));
  }

  peerDown(id: PeerId): void {
    const now = this.env.queue.now;
    this.loop.input('peerDown', (e) => e.peerDown(id, now));
  }

  /** `id`'s process stopped, as a tab of the same browser learns from its Web Lock (RaftEngine.peerGone). */
  peerGone(id: PeerId): void {
    const now = this.env.queue.now;
    this.loop.input('peerGone', (e) => e.peerGone(id, now));
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
    this.loop.input('peersPresent', (e) => e.peersPresent(present, now));
    return engine.departureHandler.relays.takenOnAbsence - before;
  }

  /** Proposes one client command; false when the peer is down (the client sees a connection error). */
  propose(requestId: number, data: Uint8Array, tag: ClientTag, done: RequestCallback): boolean {
    if (!this.engine) return false;
    this.requests.addProposal(requestId, done);
    const run = () => this.loop.input('propose', (e) => e.propose(requestId, [data], tag, this.env.queue.now));
    if (this.paused) this.hold(run);
    else run();
    return true;
  }

  read(requestId: number, done: RequestCallback): boolean {
    if (!this.engine) return false;
    this.requests.addRead(requestId, done);
    const run = () => this.loop.input('readIndex', (e) => e.readIndex(requestId, this.env.queue.now));
    if (this.paused) this.hold(run);
    else run();
    return true;
  }

  /** Calls `done(true)` once the state machine applied `index`, `done(false)` on a crash. */
  whenApplied(index: number, done: (applied: boolean) => void): void {
    this.requests.whenApplied(this.kv.appliedIndex, index, done);
  }
}

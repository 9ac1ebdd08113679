// A simulated peer's host loop around its RaftNode. Each Ready is handled in order, as the browser
// host does (@meshraft/core host/ready-loop.ts): what may leave before its PersistBatch is durable
// leaves at once (a leader's appends and heartbeats, host/ready-order.ts), and what the page gets
// goes too (a fetched snapshot restored, the committed entries applied, results reported: committed
// entries are durable on a quorum already, and results only name log positions); the batch becomes
// durable at a simulated fsync time, and only then are the other messages sent. A batch that only
// moves the commit index is written in the background, as the browser's is: its messages and its
// departure plan leave at once and the next Ready is taken, while the write lands later, in order
// with the writes after it. After each input and each batch the engine's status is read, and what
// changed in it is reported (PeerEvents).
import { commitOnly, planLeavesBeforeWrite, splitReadyMessages, type DeparturePlan, type LogEntry, type Membership, type RaftNode, type RaftStatus, type Ready } from '@meshraft/core';
import { describeError } from './describe';
import { isEmptyBatch, StorageContractError } from './durable-store';
import type { PeerEnv } from './peer-env';
import type { PeerStateMachine } from './peer-state-machine';
import type { PendingRequests } from './pending-requests';
import type { SimPeer } from './sim-peer';

export class HostLoop {
  lastStatus: RaftStatus | null = null;
  /** The departure plan of the latest Ready whose messages were relayed (this incarnation). */
  private relayed: DeparturePlan | null = null;
  /** The Ready whose batch is being written (its simulated fsync has not finished). */
  private writing: Ready | null = null;
  /** Commit-only batches written in the background, oldest first, not durable yet (storage keeps order). */
  private background: Ready[] = [];

  constructor(
    private readonly peer: SimPeer,
    private readonly env: PeerEnv,
    private readonly machine: PeerStateMachine,
    private readonly requests: PendingRequests,
  ) {}

  /** What a closing tab sends (SimPeer.depart): the plan of the latest Ready whose messages were relayed. */
  get relayedPlan(): DeparturePlan | null {
    return this.relayed;
  }

  /** A new engine runs: nothing of it relayed or seen yet; its status and first Ready are taken at once. */
  started(): void {
    this.relayed = null;
    this.lastStatus = null;
    this.observe();
    this.pump();
  }

  /** The engine is gone (a crash): the batch being written is lost, and so is the last status. */
  stopped(): void {
    this.writing = null;
    this.background = [];
    this.lastStatus = null;
  }

  /**
   * The peer crashes with a batch being written, and that write became durable all the same (the
   * host never heard back): the disk holds it, and nothing else of its Ready happens. False when no
   * batch was being written.
   */
  landBeforeCrash(): boolean {
    const ready = this.writing;
    if (ready === null && this.background.length === 0) return false;
    this.writing = null;
    this.landBackground(' at its crash');
    if (ready) this.storeAndReport(ready, ' at its crash');
    return true;
  }

  /**
   * The page's departure notice went out, and its Worker lives a moment longer: the batch it was
   * writing lands (after the commit-only ones written in the background before it), and so may up
   * to `more` Readies it takes after that one (a lone voter's commit index moves past the notice's
   * final position this way: the commit rule runs once its own write is durable). Nothing of the
   * later ones leaves the tab: no message, no result, nothing applied (the page got the first one's
   * as that Ready was taken, before the notice went out). The monitor
   * is not told of them either: no client of the departed page can have seen that commit index, and
   * a group that went on from the notice may rightly hold other entries there. `timerAt`: the
   * Worker's timer fires in those moments too (the engine ticks at that time once the batch in
   * flight landed): a follower may campaign, a lone voter may elect itself in a later term and
   * write there; its requests never leave either. Returns how many batches landed.
   */
  landAfterDeparture(more: number, timerAt: number | null = null): number {
    const { peer, env } = this;
    const engine = peer.engine;
    if (!engine) return 0;
    let landed = 0;
    const land = (ready: Ready): boolean => {
      if (!this.store(ready, ' after departing')) return false;
      landed++;
      engine.storageDone(ready.token);
      return true;
    };
    const pending = this.writing;
    this.writing = null;
    if (!this.landBackground(' after departing')) return landed;
    if (pending && !land(pending)) return landed;
    try {
      if (timerAt !== null) engine.tick(timerAt);
      for (let i = 0; i < more && engine.hasReady(); i++) {
        const ready = engine.ready();
        // A commit-only batch is written like the others here: nothing of it leaves the tab.
        if (isEmptyBatch(ready.persist)) engine.storageDone(ready.token);
        else if (!land(ready)) break;
      }
    } catch (err) {
      env.monitor.fail('engine-error', `${peer.id} after departing: ${describeError(err)}`);
    }
    return landed;
  }

  input(label: string, fn: (engine: RaftNode) => void): void {
    const engine = this.peer.engine;
    if (!engine) return;
    try {
      fn(engine);
    } catch (err) {
      this.env.monitor.fail('engine-error', `${this.peer.id} ${label}: ${describeError(err)}`);
      return;
    }
    this.observe();
    this.pump();
  }

  private observe(): void {
    const { peer, env } = this;
    const engine = peer.engine;
    if (!engine) return;
    const status = engine.status();
    const before = this.lastStatus;
    this.lastStatus = status;
    env.monitor.onStatus(peer, status, peer.durable.hardState.term);
    if (before === null || before.role !== status.role || before.term !== status.term || before.leader !== status.leader) {
      env.trace.record(env.queue.now, peer.id, `${status.role} term=${status.term} leader=${status.leader} commit=${status.committed}`);
      if (status.role === 'leader' && (before?.role !== 'leader' || before.term !== status.term)) env.events.leaderElected(peer, status.term);
    } else if (status.role === 'leader' && status.committed > before.committed) {
      env.events.leaderCommitted(peer, status.term, status.committed);
    }
    if (status.removed && !before?.removed) {
      env.trace.record(env.queue.now, peer.id, 'removed from the group');
      env.events.removed(peer);
    }
    if (before === null || !sameMembers(before.members, status.members)) env.events.membersChanged(peer);
    if (status.frozen && !before?.frozen) {
      env.trace.record(env.queue.now, peer.id, 'frozen: every voter of its configuration departed');
      env.events.frozen(peer);
    }
  }

  /** Takes Ready batches one at a time; the next one waits until the previous one (`writing`) is durable. */
  private pump(): void {
    const { peer, env } = this;
    const engine = peer.engine;
    while (engine !== null && engine === peer.engine && this.writing === null) {
      let ready: Ready;
      try {
        if (!engine.hasReady()) return;
        ready = engine.ready();
      } catch (err) {
        env.monitor.fail('engine-error', `${peer.id} ready: ${describeError(err)}`);
        return;
      }
      this.observe();
      if (isEmptyBatch(ready.persist)) {
        this.complete(engine, ready);
        continue;
      }
      const incarnation = peer.incarnation;
      if (commitOnly(ready.persist, peer.durable.hardState)) {
        this.writeInBackground(engine, ready, incarnation);
        continue;
      }
      // As the browser host does: what may leave before the batch is durable (a leader's appends
      // and heartbeats, thesis §10.2.1) goes now; the rest waits for the fsync.
      const { hardState } = peer.durable;
      const { early, late } = splitReadyMessages(ready.persist, { term: hardState.term, vote: hardState.vote }, ready.messages, peer.id);
      // Messages of this Ready go out now: so does its plan (a leader's commit index rides on them),
      // unless they are only a candidate's vote requests; a leader's goes anyway (ready-order.ts).
      if (ready.departure && planLeavesBeforeWrite(early, ready, hardState)) this.relayed = ready.departure;
      for (const { to, message } of early) env.network.send(peer.id, to, message);
      // Only a candidate's vote requests leave before a write that changes the vote (ready-order.ts).
      if (early.some(({ message }) => message.type === 'RequestVote')) env.events.voteSentEarly(peer);
      if (!this.deliver(engine, ready)) return;
      ready.messages = late;
      this.writing = ready;
      const finish = () => {
        // Crashed before the fsync finished (lost), or landed already as its tab departed.
        if (incarnation !== peer.incarnation || this.writing !== ready) return;
        if (peer.paused) {
          peer.hold(finish);
          return;
        }
        this.writing = null;
        if (!this.landBackground()) return;
        this.land(engine, ready);
        this.observe(); // a term just made durable: its leader counts for Election Safety from now on
        this.pump();
      };
      env.queue.after(env.fsyncDelay(), finish);
      return;
    }
  }

  /**
   * A batch that only moves the commit index (ready-order.ts commitOnly): as the browser host does,
   * its plan, committed entries and messages go at once, the engine hears the batch is done, and the
   * write lands at a simulated fsync time, or earlier with the next batch written after it.
   */
  private writeInBackground(engine: RaftNode, ready: Ready, incarnation: number): void {
    const { peer, env } = this;
    if (ready.departure) this.relayed = ready.departure;
    if (!this.deliver(engine, ready)) return;
    this.background.push(ready);
    this.sendAfterWrite(ready);
    const finish = () => {
      if (incarnation !== peer.incarnation || !this.background.includes(ready)) return;
      if (peer.paused) {
        peer.hold(finish);
        return;
      }
      this.landBackground('', ready);
    };
    env.queue.after(env.fsyncDelay(), finish);
    this.done(engine, ready);
  }

  /**
   * Stores the background batches in order, up to `upTo` (all when absent). False when one broke
   * the storage contract (a monitor failure).
   */
  private landBackground(when = '', upTo?: Ready): boolean {
    while (this.background.length > 0) {
      const ready = this.background.shift()!;
      if (!this.storeAndReport(ready, when)) return false;
      if (ready === upTo) break;
    }
    return true;
  }

  /** Stores a batch and tells the monitor; false when the batch broke the storage contract. */
  private storeAndReport(ready: Ready, when: string): boolean {
    const { peer, env } = this;
    const { commit: commitBefore, term: termBefore } = peer.durable.hardState;
    const removed = this.store(ready, when);
    if (removed) env.monitor.onPersist(peer, ready.persist, removed, commitBefore, termBefore);
    return removed !== null;
  }

  /**
   * Writes the batch to the peer's durable store: the entries it removed, or null when the batch
   * broke the storage contract (reported as a safety failure, `when` telling at what moment).
   */
  private store(ready: Ready, when = ''): LogEntry[] | null {
    try {
      return this.peer.durable.apply(ready.persist);
    } catch (err) {
      if (!(err instanceof StorageContractError)) throw err;
      this.env.monitor.fail('storage-contract', `${this.peer.id}${when}: ${err.message}`);
      return null;
    }
  }

  /** A Ready without a write (or written at once): the page's part, then the rest. */
  private complete(engine: RaftNode, ready: Ready): void {
    if (this.deliver(engine, ready)) this.land(engine, ready);
  }

  /**
   * The page's part of a Ready, which the browser host posts before the batch is written: a fetched
   * snapshot restored, committed entries applied, results reported, a snapshot taken when asked
   * (it reaches the engine while the batch is being written). False when the snapshot did not
   * restore (a monitor failure): nothing more of this Ready happens.
   */
  private deliver(engine: RaftNode, ready: Ready): boolean {
    const { peer, machine } = this;
    // At a restart a stored snapshot is the image the KV store was already rebuilt from.
    if (ready.snapshotToInstall && !machine.install(ready.snapshotToInstall)) return false;
    const term = this.lastStatus?.term ?? peer.durable.hardState.term;
    for (const entry of ready.committed) machine.apply(entry, term);
    this.requests.resolve(ready);
    if (ready.snapshotRequest) machine.wantSnapshot(ready.snapshotRequest.upTo);
    machine.maybeTakeSnapshot(engine);
    this.requests.released(machine.kv.appliedIndex);
    return true;
  }

  /** The batch is durable: stored, the messages that waited for it sent, the engine told. */
  private land(engine: RaftNode, ready: Ready): void {
    if (!this.storeAndReport(ready, '')) return;
    if (ready.departure) this.relayed = ready.departure;
    this.sendAfterWrite(ready);
    this.done(engine, ready);
  }

  /** Tells the engine the Ready's batch is durable (or, written in the background, need not be waited for). */
  private done(engine: RaftNode, ready: Ready): void {
    try {
      engine.storageDone(ready.token);
    } catch (err) {
      this.env.monitor.fail('engine-error', `${this.peer.id} storageDone: ${describeError(err)}`);
    }
  }

  /** The messages that waited for the batch, sent; what the batch shows counted. */
  private sendAfterWrite(ready: Ready): void {
    const { peer, env } = this;
    for (const { to, message } of ready.messages) {
      env.monitor.onSend(peer.id, message.type);
      if (message.type === 'RequestVoteResponse' && message.vote === 'granted') env.events.voteGranted(peer, to);
      env.network.send(peer.id, to, message);
    }
    if (ready.persist.snapshot && !ready.snapshotToInstall) peer.counters.snapshotsTaken++;
    // A snapshot fetched by catch-up is persisted in the same batch.
    if (ready.snapshotToInstall && ready.persist.snapshot) peer.counters.snapshotInstalls++;
    for (const notice of ready.departures ?? []) env.events.departureSeen(peer, notice);
  }
}

function sameMembers(a: Membership, b: Membership): boolean {
  return a.voters.length === b.voters.length && a.learners.length === b.learners.length && a.voters.every((v, i) => v === b.voters[i]) && a.learners.every((l, i) => l === b.learners[i]);
}

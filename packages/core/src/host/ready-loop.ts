// The EngineHost's Ready loop. It runs serially, one Ready at a time:
//   send what may leave early, post committed entries and results to the client
//   -> persist(ready.persist) -> send the rest -> post status -> storageDone(token)
// so that term, vote and entries are durable before any message that depends on them leaves the peer
// (Raft Fig. 2, "respond to RPCs only after updating stable storage"). What may leave before the
// batch is durable (ready-order.ts): a leader's AppendEntries and heartbeats when the batch changes
// no term or vote (thesis §10.2.1: the leader writes its log in parallel with replicating it; the
// engine counts the leader toward a commit only for what storageDone reported durable), and
// committed entries (a quorum already stored them). A batch that only moves the commit index (volatile
// in Raft) is written in the background. A batch may carry a snapshot and a truncation
// next to entries; Storage.persist applies it atomically. Every write goes through the host's
// PersistWatch: one that never settles fails the host after the stall limit (persist-watch.ts)
// instead of stopping the loop for good.
import type { RaftEngine } from '../engine/api';
import { writesBesidesHardState, type PersistBatch } from '../storage';
import type { PeerId, RaftStatus } from '../types';
import { type ClientNotices, hasClientOutput } from './client-notices';
import { DeparturePlanRelay } from './departure-plan-relay';
import type { EngineHostOptions, EngineHostStats } from './engine-host-api';
import { IdleCommitFlush } from './idle-commit-flush';
import type { PersistWatch } from './persist-watch';
import { commitOnly, planLeavesBeforeWrite, splitReadyMessages } from './ready-order';

export function isEmptyPersistBatch(batch: PersistBatch): boolean {
  return batch.hardState === undefined && !writesBesidesHardState(batch);
}

/** What the Ready loop uses of its EngineHost, besides the host's options. */
export interface ReadyLoopHost {
  readonly stats: Pick<EngineHostStats, 'readies' | 'persists' | 'messagesSent' | 'messagesSentEarly' | 'backgroundPersists'>;
  /** Where each Ready's committed entries and results go. */
  readonly notices: Pick<ClientNotices, 'post'>;
  /** The host crashed or stopped: nothing more goes out, not even what the batch in flight vouches for. */
  isStopped(): boolean;
  /** close() was called: no new Ready is started; the one in progress finishes. */
  isClosing(): boolean;
  /** A Ready's status, once its batch is durable. */
  postStatus(status: RaftStatus): void;
  /** Storage failed: the host stops. */
  fail(error: unknown): void;
  /** Bounds every storage write (a stalled one fails the host). */
  readonly persists: Pick<PersistWatch, 'track'>;
}

export class ReadyLoop {
  private engine: RaftEngine | null = null;
  private draining = false;
  private drainDone: Promise<void> = Promise.resolve();
  /** Term and vote as last made durable (loaded at start, then from each persisted hardState). */
  private durableVote: { term: number; vote: PeerId | null } = { term: 0, vote: null };
  private readonly plans: DeparturePlanRelay;
  private readonly idleFlush: IdleCommitFlush;

  constructor(
    private readonly options: Pick<EngineHostOptions, 'id' | 'storage' | 'transport' | 'clock' | 'onReady' | 'afterSend'>,
    private readonly host: ReadyLoopHost,
  ) {
    this.plans = new DeparturePlanRelay(options);
    this.idleFlush = new IdleCommitFlush(options.clock, () => this.storeHeldCommit());
  }

  /** The engine built at start, with the term and vote its storage loaded. */
  attach(engine: RaftEngine, durable: { term: number; vote: PeerId | null }): void {
    this.engine = engine;
    this.durableVote = durable;
  }

  /** Settles once the loop run in progress (if any) has ended. */
  get settled(): Promise<void> {
    return this.drainDone;
  }

  /** Start the Ready loop unless it is already running (it re-checks hasReady before exiting). */
  kick(): void {
    const engine = this.engine;
    if (this.draining || this.host.isStopped() || this.host.isClosing() || !engine) return;
    this.draining = true;
    this.idleFlush.busy();
    this.drainDone = this.drain(engine).finally(() => {
      this.draining = false;
      if (!this.host.isStopped() && !this.host.isClosing()) this.idleFlush.idle();
    });
  }

  /** The host stops: no held commit index is stored in the background any more. */
  stop(): void {
    this.idleFlush.stop();
  }

  private async drain(engine: RaftEngine): Promise<void> {
    const { transport, storage } = this.options;
    const { stats } = this.host;
    try {
      while (!this.host.isStopped() && engine.hasReady()) {
        const ready = engine.ready();
        stats.readies++;
        this.options.onReady?.(ready);
        if (ready.departures && ready.departures.length > 0) transport.departures?.(ready.departures);
        // A batch that only moves the stored commit index vouches for nothing: it is written in the
        // background (storage keeps batches in order) and the loop goes on.
        const background = commitOnly(ready.persist, this.durableVote);
        const persist = !background && !isEmptyPersistBatch(ready.persist);
        const { early, late } = persist ? splitReadyMessages(ready.persist, this.durableVote, ready.messages, this.options.id) : { early: ready.messages, late: [] };
        // Committed entries were stored by a quorum already, and results only name log positions:
        // neither waits for this batch. Committed entries go first (the caller on this peer is
        // waiting for them; relaying frames on the main thread would delay them), otherwise the
        // frames do (the other peers wait for those).
        const applyFirst = ready.committed.length > 0;
        // The departure plan leaves with the first message of this Ready (now when some go before the
        // write, else after it): whoever sends it in a page's last moment must hold one that covers
        // every message sent, and, for a follower, nothing a write in flight may still lose. A
        // candidate's early vote requests acknowledge nothing: its plan waits for the write. A
        // leader's plan claims only what a quorum stored: it goes now (planLeavesBeforeWrite).
        if (!persist || planLeavesBeforeWrite(early, ready, this.durableVote)) this.plans.post(ready);
        if (applyFirst) this.host.notices.post(ready);
        for (const envelope of early) transport.send(envelope.to, envelope.message);
        stats.messagesSent += early.length;
        if (persist) stats.messagesSentEarly += early.length;
        if (!applyFirst) this.host.notices.post(ready);
        this.options.afterSend?.();
        if (background) {
          stats.persists++;
          stats.backgroundPersists++;
          await Promise.resolve(); // as below: what was just posted leaves first
          if (this.host.isStopped()) return;
          this.host.persists.track(storage.persist(ready.persist)).catch((error: unknown) => this.host.fail(error));
        }
        if (persist) {
          stats.persists++;
          // Ports and transports may batch what was just posted until the next microtask: let that
          // leave before the storage call, whose set-up (opening a transaction) takes a while.
          if (early.length > 0 || hasClientOutput(ready)) await Promise.resolve();
          if (this.host.isStopped()) return;
          await this.host.persists.track(storage.persist(ready.persist));
          if (this.host.isStopped()) return; // crashed while persisting: nothing that depends on it goes out
          if (ready.persist.hardState) this.durableVote = { term: ready.persist.hardState.term, vote: ready.persist.hardState.vote };
          this.plans.post(ready);
          for (const envelope of late) transport.send(envelope.to, envelope.message);
          stats.messagesSent += late.length;
          if (late.length > 0) this.options.afterSend?.();
        }
        // Once the batch is durable: the status may report a term or role that depends on it.
        if (ready.status) this.host.postStatus(ready.status);
        engine.storageDone(ready.token);
      }
    } catch (error) {
      this.host.fail(error);
    }
  }

  /** The loop has been idle for a while: store the commit index the engine held back (see IdleCommitFlush). */
  private storeHeldCommit(): void {
    const engine = this.engine;
    if (this.host.isStopped() || this.host.isClosing() || this.draining || !engine?.takeHeldHardState) return;
    const held = engine.takeHeldHardState();
    if (!held) return;
    this.host.stats.persists++;
    this.host.stats.backgroundPersists++;
    this.host.persists.track(this.options.storage.persist({ entries: [], hardState: held })).catch((error: unknown) => this.host.fail(error));
  }
}

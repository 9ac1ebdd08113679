// A scripted run of four throwaway engines, in memory and on virtual time, that a host can run once
// after it starts so the JavaScript engine compiles the code of rare events before they happen.
//
// Why: V8 compiles a function the first time it is called. The code a peer runs when a leader
// departs or crashes (the notice, TimeoutNow, a campaign, votes, a new leader's first entries, the
// removal of the departed voter, each message's codec path) runs for the first time exactly then,
// on every thread at once, and compiling it took 5-11 ms per step in Chromium on a 2-core machine
// (warmed beforehand, a graceful failover there resumed writes about 10 ms sooner, a fifth of it).
// Running those paths here beforehand takes that cost while nothing waits for it.
//
// The engines share nothing with the host's own engine: no storage (a Ready counts as durable at
// once), no transport (messages go through the wire codec and straight to the other engines), no
// clock (time is virtual). A script that does not reach a milestone in its time budget ends early
// (warming less) and says so in its report; a host still guards each step, since anything thrown
// would be a bug here and must not reach its own engine.
import { encodeMessage, decodeMessage } from '../codec/index';
import { resolveConfig } from '../config';
import type { ProposalResult, RaftEngine, ReadResult } from '../engine/api';
import { createRaftEngine } from '../engine/raft-node';
import type { Message } from '../messages';
import { seededRandom } from '../rng';
import { emptyPersistedState } from '../storage-memory/index';
import type { PeerId } from '../types';

/** The events the script goes through, in order. */
export type WarmUpMilestone = 'elected' | 'forwarded' | 'read' | 'crash-failover' | 'graceful-failover';

export const WARM_UP_MILESTONES: readonly WarmUpMilestone[] = ['elected', 'forwarded', 'read', 'crash-failover', 'graceful-failover'];

export interface WarmUpReport {
  /** Milestones reached, in order; all of WARM_UP_MILESTONES when the script ran to its end. */
  reached: WarmUpMilestone[];
  /** Messages that crossed the codec (encoded and decoded). */
  messages: number;
  /** How many of each message type. */
  messageTypes: Partial<Record<Message['type'], number>>;
  /** Virtual time the script took, in ms. */
  virtualMs: number;
}

/** Virtual time one milestone may take before the script gives up (many election timeouts). */
const MILESTONE_BUDGET_MS = 5_000;
const TICK_MS = 5;
/** Delivery rounds per settle; a quiet group needs a handful (each reply is one round). */
const SETTLE_MAX_ROUNDS = 200;
/** Short timings: the same code paths as the defaults, in fewer ticks. */
const WARM_UP_CONFIG = resolveConfig({ electionTimeoutMs: 100, electionJitterMs: 50, heartbeatMs: 20, bootstrapDelayMs: 10 });
const PEERS: readonly PeerId[] = ['warm-a', 'warm-b', 'warm-c', 'warm-d'];
const CLIENT = 'warm-up-client';

class WarmUpGroup {
  readonly engines = new Map<PeerId, RaftEngine>();
  /** Engines that crashed or departed: nothing reaches them or leaves them any more. */
  private readonly stopped = new Set<PeerId>();
  private queue: Array<{ from: PeerId; to: PeerId; message: Message }> = [];
  now = 0;
  messages = 0;
  readonly messageTypes: Partial<Record<Message['type'], number>> = {};
  private requestId = 1;
  private seq = 1;
  readonly proposals = new Map<number, ProposalResult>();
  readonly reads = new Map<number, ReadResult>();

  constructor() {
    const membership = { voters: [...PEERS], learners: [] };
    PEERS.forEach((id, i) => {
      const engine = createRaftEngine({ id, config: WARM_UP_CONFIG, preference: 'normal', random: seededRandom(7 + i), now: 0, state: emptyPersistedState(), bootstrap: membership });
      this.engines.set(id, engine);
    });
    for (const engine of this.engines.values()) for (const other of PEERS) if (other !== engine.id) engine.peerUp(other, 0);
  }

  running(): RaftEngine[] {
    return [...this.engines.values()].filter((e) => !this.stopped.has(e.id));
  }

  leader(): RaftEngine | undefined {
    const running = this.running();
    return running.find((e) => e.status().role === 'leader' && running.every((o) => o.status().leader === e.id));
  }

  follower(): RaftEngine | undefined {
    const leader = this.leader();
    return this.running().find((e) => e !== leader && e.status().role === 'follower');
  }

  propose(engine: RaftEngine): number {
    const id = this.requestId++;
    const commands = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])];
    engine.propose(id, commands, { clientId: CLIENT, seq: this.seq }, this.now);
    this.seq += commands.length;
    return id;
  }

  read(engine: RaftEngine): number {
    const id = this.requestId++;
    engine.readIndex(id, this.now);
    return id;
  }

  /** The proposal got its log positions and `engine` knows them committed. */
  committedOn(engine: RaftEngine, requestId: number): boolean {
    const result = this.proposals.get(requestId);
    return result?.ok === true && engine.status().committed >= result.end;
  }

  crash(id: PeerId): void {
    this.stopped.add(id);
    for (const engine of this.running()) engine.peerGone(id, this.now);
  }

  /** The engine leaves as a closing tab does: its last appends, TimeoutNow to its successor, its notice. */
  depart(engine: RaftEngine): void {
    if (!engine.depart) return;
    const plan = engine.depart(this.now);
    for (const { to, message } of plan.appends) this.send(engine.id, to, message);
    if (plan.handoffTo !== null) this.send(engine.id, plan.handoffTo, { type: 'TimeoutNow', term: plan.notice.term });
    for (const other of PEERS) if (other !== engine.id) this.send(engine.id, other, plan.notice);
    this.stopped.add(engine.id);
  }

  private send(from: PeerId, to: PeerId, message: Message): void {
    if (this.stopped.has(from)) return;
    // Through the wire codec both ways, as every real message goes.
    this.queue.push({ from, to, message: decodeMessage(encodeMessage(message)) });
    this.messages++;
    this.messageTypes[message.type] = (this.messageTypes[message.type] ?? 0) + 1;
  }

  /** Drain every engine's Ready and deliver messages until the network is quiet (bounded: one step stays short). */
  settle(): void {
    for (let rounds = 0; rounds < SETTLE_MAX_ROUNDS; rounds++) {
      for (const engine of this.running()) this.drain(engine);
      const batch = this.queue;
      if (batch.length === 0) return;
      this.queue = [];
      for (const { from, to, message } of batch) {
        if (this.stopped.has(to)) continue;
        this.engines.get(to)?.receive(from, message, this.now);
      }
    }
  }

  private drain(engine: RaftEngine): void {
    while (engine.hasReady()) {
      const ready = engine.ready();
      for (const result of ready.proposals) this.proposals.set(result.requestId, result);
      for (const result of ready.reads) this.reads.set(result.requestId, result);
      for (const { to, message } of ready.messages) this.send(engine.id, to, message);
      engine.storageDone(ready.token);
    }
  }

  tick(): void {
    this.now += TICK_MS;
    for (const engine of this.running()) engine.tick(this.now);
    this.settle();
  }
}

/**
 * The script, one step per call of the iterator's next(): a host runs each in its own task, so that
 * its own engine's work interleaves. Returns the report when done (or when a milestone is not
 * reached within its budget).
 */
export function* engineWarmUp(): Generator<WarmUpMilestone | null, WarmUpReport, void> {
  const group = new WarmUpGroup();
  const reached: WarmUpMilestone[] = [];
  const report = (): WarmUpReport => ({ reached, messages: group.messages, messageTypes: { ...group.messageTypes }, virtualMs: group.now });
  /** Tick until `done` (a step per tick); false when the budget ran out. */
  function* until(done: () => boolean): Generator<null, boolean, void> {
    const deadline = group.now + MILESTONE_BUDGET_MS;
    group.settle();
    while (!done()) {
      if (group.now >= deadline) return false;
      group.tick();
      yield null;
    }
    return true;
  }
  const milestone = function* (name: WarmUpMilestone, done: () => boolean): Generator<WarmUpMilestone | null, boolean, void> {
    if (!(yield* until(done))) return false;
    reached.push(name);
    yield name;
    return true;
  };

  if (!(yield* milestone('elected', () => group.leader() !== undefined && group.running().every((e) => e.status().online)))) return report();
  const follower = group.follower();
  if (!follower) return report();
  const proposed = group.propose(follower);
  group.propose(group.leader()!);
  if (!(yield* milestone('forwarded', () => group.committedOn(follower, proposed)))) return report();
  const read = group.read(follower);
  if (!(yield* milestone('read', () => group.reads.get(read)?.ok === true))) return report();

  const crashed = group.leader()!;
  group.crash(crashed.id);
  if (!(yield* milestone('crash-failover', () => group.leader() !== undefined))) return report();

  // A write is on its way from a follower when its leader's tab closes.
  const departing = group.leader()!;
  const writer = group.follower();
  if (!writer) return report();
  const pending = group.propose(writer);
  group.depart(departing);
  yield* milestone('graceful-failover', () => group.leader() !== undefined && group.committedOn(writer, pending));
  return report();
}

/** Runs the whole script at once (tests, and hosts that do not mind one long task). */
export function runEngineWarmUp(): WarmUpReport {
  const steps = engineWarmUp();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

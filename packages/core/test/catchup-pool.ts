// Test support for catch-up sessions: a pool of serving peers on a virtual clock. Each peer
// answers from its own log (through the real responder), with a controllable reply delay, and
// hooks to drop, duplicate, corrupt or delay replies; scheduled actions model departures and
// peers advancing their commit. Every request and reply goes through the real codec.
import { CatchUpSession } from '../src/catchup/catch-up-session';
import type { CatchUpOutput, CatchUpSessionOptions } from '../src/catchup/api';
import { estimateEntriesBytes } from '../src/catchup/entry-size';
import { answerCatchUpRequest, arraySource, type CatchUpReply } from '../src/catchup/responder';
import { decodeMessage, encodeMessage } from '../src/codec/index';
import type { Envelope, Message } from '../src/messages';
import type { LogEntry, PeerId, Snapshot } from '../src/types';

/** The term makeEntries gives index `i` by default (0 for index 0, the empty log). */
export const defaultTerm = (i: number): number => (i === 0 ? 0 : 1 + Math.floor(i / 150));

export function makeEntries(from: number, to: number, termOf: (index: number) => number = defaultTerm): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = from; i <= to; i++) out.push({ index: i, term: termOf(i), kind: 'command', data: new TextEncoder().encode(`cmd-${i}`) });
  return out;
}

/** The term any pool peer holds at `index` (entries or snapshot), 0 when none does. */
export function termHeldAt(peers: PoolPeer[], index: number): number {
  for (const peer of peers) {
    const entry = peer.entries.find((e) => e.index === index);
    if (entry) return entry.term;
    if (peer.snapshot?.meta.index === index) return peer.snapshot.meta.term;
  }
  return 0;
}

export interface PoolPeer {
  id: PeerId;
  /** Held entries, contiguous (first one = first held index). */
  entries: LogEntry[];
  committed: number;
  snapshot?: Snapshot | null;
  /** Reply delay in ms (called per reply, so it may be random). */
  delay: () => number;
  up: boolean;
  /**
   * Fault hook: given the request and the honest reply, returns the replies to send (none = drop,
   * two = duplicate) each with an optional extra delay.
   */
  faults?: (request: Message, reply: CatchUpReply) => Array<{ reply: CatchUpReply; extraDelay?: number }>;
}

interface Delivery {
  at: number;
  seq: number;
  from: PeerId;
  message: Message;
}

export interface RunResult {
  entries: LogEntry[];
  snapshots: Snapshot[];
  outputs: CatchUpOutput[];
  timeMs: number;
}

export class PeerPool {
  now = 0;
  readonly peers = new Map<PeerId, PoolPeer>();
  /** Every envelope the session sent, in order, with the time it was sent. */
  readonly sent: Array<Envelope & { at: number }> = [];
  private queue: Delivery[] = [];
  private seq = 0;
  private actions: Array<{ at: number; run: () => void }> = [];
  readonly result: RunResult = { entries: [], snapshots: [], outputs: [], timeMs: 0 };

  constructor(
    readonly session: CatchUpSession,
    peers: PoolPeer[],
    readonly tickMs = 50,
  ) {
    for (const p of peers) this.peers.set(p.id, p);
  }

  static create(options: Omit<Partial<CatchUpSessionOptions>, 'peers'> & { peers: PoolPeer[]; leader: PeerId | null; to: number; tickMs?: number }): PeerPool {
    const from = Math.max(options.from ?? 1, (options.localSnapshotIndex ?? 0) + 1);
    const session = new CatchUpSession({
      self: 'me',
      from: 1,
      localSnapshotIndex: 0,
      // The local log before `from` agrees with the peers' (it is committed).
      prevTerm: termHeldAt(options.peers, from - 1),
      batchSize: 100,
      requestTimeoutMs: 1000,
      snapshotChunkBytes: 1024,
      firstRequestId: 1,
      now: 0,
      // What the requester knows of the entry size, as the engine's own latest entries tell it: the
      // size of the peers' entries (a test passes entryBytesHint: undefined for a requester that knows none).
      entryBytesHint: commandBytesOf(options.peers),
      ...options,
      peers: options.peers.filter((p) => p.up).map((p) => p.id),
    });
    return new PeerPool(session, options.peers, options.tickMs);
  }

  /** Runs `fn` at virtual time `at`. */
  at(at: number, fn: () => void): void {
    this.actions.push({ at, run: fn });
    this.actions.sort((a, b) => a.at - b.at);
  }

  depart(id: PeerId): void {
    this.peer(id).up = false;
    this.queue = this.queue.filter((d) => d.from !== id);
    this.session.peerDown(id, this.now);
  }

  arrive(id: PeerId): void {
    this.peer(id).up = true;
    this.session.peerUp(id, this.now);
  }

  peer(id: PeerId): PoolPeer {
    const p = this.peers.get(id);
    if (!p) throw new Error(`no peer ${id}`);
    return p;
  }

  /** Sends the session's requests to the peers and queues their replies. */
  pump(): void {
    for (const envelope of this.session.takeOutbox()) {
      // Every request must be valid on the wire.
      const request = decodeMessage(encodeMessage(envelope.message));
      this.sent.push({ ...envelope, at: this.now });
      const peer = this.peers.get(envelope.to);
      if (!peer || !peer.up) continue;
      const honest = answerCatchUpRequest(arraySource({ entries: peer.entries, committed: peer.committed, snapshot: peer.snapshot ?? null }), request);
      if (!honest) continue;
      const replies = peer.faults ? peer.faults(request, honest) : [{ reply: honest }];
      for (const { reply, extraDelay } of replies) {
        const message = decodeMessage(encodeMessage(reply));
        this.queue.push({ at: this.now + peer.delay() + (extraDelay ?? 0), seq: this.seq++, from: peer.id, message });
      }
    }
    this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.collect();
  }

  private collect(): void {
    for (const out of this.session.takeOutput()) {
      this.result.outputs.push(out);
      if (out.kind === 'snapshot') this.result.snapshots.push(out.snapshot);
      else for (const e of out.entries) this.result.entries.push(e);
    }
  }

  /** Runs until the session is done (and `until` holds, if given) or maxTimeMs of virtual time pass. */
  run(options: { maxTimeMs?: number; until?: () => boolean; start?: boolean } = {}): RunResult {
    const maxTime = options.maxTimeMs ?? 600_000;
    if (options.start !== false) this.session.start(this.now);
    this.pump();
    let nextTick = this.now + this.tickMs;
    const finished = () => this.session.done && (!options.until || options.until());
    while (!finished() && this.now <= maxTime) {
      const nextDelivery = this.queue[0]?.at ?? Number.POSITIVE_INFINITY;
      const nextAction = this.actions[0]?.at ?? Number.POSITIVE_INFINITY;
      this.now = Math.max(this.now, Math.min(nextDelivery, nextAction, nextTick));
      while (this.actions.length > 0 && this.actions[0].at <= this.now) this.actions.shift()!.run();
      while (this.queue.length > 0 && this.queue[0].at <= this.now) {
        const d = this.queue.shift()!;
        if (this.peers.get(d.from)?.up) this.session.receive(d.from, d.message, this.now);
        this.pump();
      }
      if (this.now >= nextTick) {
        this.session.tick(this.now);
        nextTick = this.now + this.tickMs;
      }
      this.pump();
    }
    this.result.timeMs = this.now;
    return this.result;
  }

  requests(type: Message['type'], to?: PeerId): Array<Envelope & { at: number }> {
    return this.sent.filter((e) => e.message.type === type && (to === undefined || e.to === to));
  }
}

export const fixed = (ms: number) => () => ms;

/** The average wire size of the commands the first peer holding any serves, or undefined. */
function commandBytesOf(peers: PoolPeer[]): number | undefined {
  const commands = peers.flatMap((p) => p.entries.slice(0, 64)).filter((e) => e.kind === 'command');
  return commands.length > 0 ? estimateEntriesBytes(commands) / commands.length : undefined;
}

export function poolPeer(id: PeerId, entries: LogEntry[], extra: Partial<PoolPeer> = {}): PoolPeer {
  const committed = entries.length > 0 ? entries[entries.length - 1].index : 0;
  return { id, entries, committed, delay: fixed(10), up: true, ...extra };
}

/** Asserts-free check: the indices of `entries` are exactly from..to in order. */
export function indicesAre(entries: LogEntry[], from: number, to: number): boolean {
  if (entries.length !== to - from + 1) return false;
  return entries.every((e, i) => e.index === from + i);
}

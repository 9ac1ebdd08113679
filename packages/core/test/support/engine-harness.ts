// A scripted, deterministic harness for RaftNode tests: 1-5 engines, an in-test network whose
// messages are delivered only when the test says so, virtual time, and storage that persists each
// Ready at once. Tests read like scripts: advance time, deliver, cut links, assert.
import { defaultRaftConfig, type InjectedBugs, type RaftConfig } from '../../src/config';
import type { ProposalResult, ReadResult, Ready } from '../../src/engine/api';
import { RaftNode } from '../../src/engine/index';
import { withInjectedBugs } from '../../src/injected-bugs';
import type { RaftNodeInternals } from '../../src/engine/raft-node';
import type { Message } from '../../src/messages';
import { describeMessage } from '../../src/describe-message';
import { seededRandom } from '../../src/rng';
import type { PersistBatch, PersistedState } from '../../src/storage';
import type { LeadershipPreference, LogEntry, Membership, PeerId } from '../../src/types';

export interface InFlight {
  from: PeerId;
  to: PeerId;
  message: Message;
}

export interface SentMessage extends InFlight {
  /** Virtual time of the Ready that carried it. */
  at: number;
}

/** Synchronous stand-in for storage: applies a PersistBatch exactly as Storage.persist must. */
export class Disk {
  state: PersistedState = { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] };

  apply(batch: PersistBatch): void {
    if (batch.snapshot) {
      const { index, term } = batch.snapshot.meta;
      // §7: keep the entries after the snapshot only if the log agrees with it at its index.
      const agrees = this.state.entries.some((e) => e.index === index && e.term === term);
      this.state.snapshot = batch.snapshot;
      this.state.entries = agrees ? this.state.entries.filter((e) => e.index > index) : [];
    }
    if (batch.truncateFrom !== undefined) this.state.entries = this.state.entries.filter((e) => e.index < batch.truncateFrom!);
    for (const entry of batch.entries) {
      const last = this.state.entries.at(-1)?.index ?? this.state.snapshot?.meta.index ?? 0;
      if (entry.index !== last + 1) throw new Error(`disk: non-contiguous append ${entry.index} after ${last}`);
      this.state.entries.push(entry);
    }
    if (batch.hardState) this.state.hardState = { ...batch.hardState };
    if (batch.compactTo !== undefined) this.state.entries = this.state.entries.filter((e) => e.index > batch.compactTo!);
  }

  load(): PersistedState {
    return { hardState: { ...this.state.hardState }, snapshot: this.state.snapshot, entries: [...this.state.entries] };
  }
}

export interface HarnessOptions {
  ids: PeerId[];
  seed?: number;
  config?: Partial<RaftConfig>;
  preferences?: Record<PeerId, LeadershipPreference>;
  /** Default: every id a voter, except observers, which are learners. */
  bootstrap?: Membership;
  /** Per-peer bootstrap (overrides `bootstrap`); return undefined for a peer that must join. */
  bootstrapFor?: (id: PeerId) => Membership | undefined;
  /** Answer Ready.snapshotRequest at once with a snapshot of the applied commands (default true). */
  autoSnapshot?: boolean;
  bugs?: InjectedBugs;
  /** Passed to every RaftNode (e.g. a catch-up session factory). */
  internals?: RaftNodeInternals;
}

/** The harness's state machine image: the applied command strings, as JSON. */
export function encodeImage(commands: string[]): Uint8Array {
  return encode(JSON.stringify(commands));
}

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
export const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export class EngineHarness {
  now = 0;
  readonly config: RaftConfig;
  readonly nodes = new Map<PeerId, RaftNode>();
  readonly disks = new Map<PeerId, Disk>();
  /** Entries handed out in Ready.committed, per peer, in order. */
  readonly applied = new Map<PeerId, LogEntry[]>();
  readonly proposals = new Map<PeerId, ProposalResult[]>();
  readonly reads = new Map<PeerId, ReadResult[]>();
  /** The state machine: applied command strings per peer (rebuilt from snapshots on install). */
  readonly sm = new Map<PeerId, string[]>();
  /** Index of the last entry (or snapshot) applied to `sm`, per peer. */
  readonly smIndex = new Map<PeerId, number>();
  /** Snapshots installed from Ready.snapshotToInstall, per peer (restarts included). */
  readonly installs = new Map<PeerId, number>();
  /** Every Ready taken, in order (for persistence-ordering checks). */
  readonly readies: { id: PeerId; ready: Ready }[] = [];
  /** Test hook: return true to crash `id` before this Ready is persisted. */
  crashBeforePersist: ((id: PeerId, ready: Ready) => boolean) | null = null;
  /** Messages sent and not yet delivered, in send order. */
  network: InFlight[] = [];
  /** Human-readable record of every message sent (shared describer; determinism checks, failure output). */
  readonly trace: string[] = [];
  /** Every message taken from a Ready, in send order, as sent: tests query these, not the trace text. */
  readonly sent: SentMessage[] = [];
  private readonly blocked = new Set<string>();
  private readonly seed: number;
  private starts = 0;
  private readonly ids: PeerId[];
  private readonly bootstrapOverride = new Map<PeerId, Membership | null>();

  constructor(private readonly options: HarnessOptions) {
    this.config = { ...defaultRaftConfig, ...options.config };
    this.seed = options.seed ?? 1;
    this.ids = [];
    for (const id of options.ids) this.addPeer(id);
  }

  /** Create a peer with an empty disk and start it (a fresh tab joining). */
  addPeer(id: PeerId, bootstrap?: Membership | null): RaftNode {
    if (!this.ids.includes(id)) this.ids.push(id);
    this.disks.set(id, new Disk());
    this.applied.set(id, []);
    this.proposals.set(id, []);
    this.reads.set(id, []);
    if (bootstrap !== undefined) this.bootstrapOverride.set(id, bootstrap);
    return this.start(id);
  }

  /** Stop a peer for good (its messages are dropped; it is no longer ticked). */
  removePeer(id: PeerId): void {
    this.nodes.delete(id);
    this.network = this.network.filter((m) => m.to !== id && m.from !== id);
  }

  /**
   * `id` departs gracefully, as a closing tab does: TimeoutNow to the engine's handoff target (when
   * it leads), then the Departure notice to every other running peer, then it is gone for good.
   * `deliverNotice` can hold back the notice to some peers (lost frames).
   */
  depart(id: PeerId, deliverNotice: (to: PeerId) => boolean = () => true): void {
    const plan = this.node(id).depart(this.now);
    const others = [...this.nodes.keys()].filter((other) => other !== id);
    for (const { to, message } of plan.appends) if (this.nodes.has(to)) this.network.push({ from: id, to, message });
    if (plan.handoffTo !== null) this.network.push({ from: id, to: plan.handoffTo, message: { type: 'TimeoutNow', term: plan.notice.term } });
    for (const to of others) if (deliverNotice(to)) this.network.push({ from: id, to, message: plan.notice });
    this.trace.push(`${this.now} ${id} departs (final ${plan.notice.lastIndex}/${plan.notice.lastTerm}, handoff ${plan.handoffTo})`);
    this.nodes.delete(id);
  }

  /** Tell every running peer about every other (as the transport's peerUp would). */
  connectAll(): void {
    for (const [id, node] of this.nodes) {
      for (const other of this.nodes.keys()) if (other !== id) node.peerUp(other, this.now);
    }
    this.drainAll();
  }

  /** `id` disappears from everyone's view (peerDown) and its links are cut. */
  disconnect(id: PeerId): void {
    this.isolate(id);
    for (const [other, node] of this.nodes) {
      if (other === id) continue;
      node.peerDown(id, this.now);
      this.node(id)?.peerDown(other, this.now);
    }
    this.drainAll();
  }

  private defaultBootstrap(): Membership {
    const prefs = this.options.preferences ?? {};
    return {
      voters: this.options.ids.filter((id) => prefs[id] !== 'observer'),
      learners: this.options.ids.filter((id) => prefs[id] === 'observer'),
    };
  }

  /** (Re)create the engine for `id` from its disk, as a process restart would. */
  start(id: PeerId, bootstrapNow?: Membership): RaftNode {
    const index = this.ids.indexOf(id);
    const override = bootstrapNow ?? this.bootstrapOverride.get(id);
    const bootstrap = override !== undefined ? (override ?? undefined) : this.options.bootstrapFor ? this.options.bootstrapFor(id) : (this.options.bootstrap ?? this.defaultBootstrap());
    const options = {
      id,
      config: this.config,
      preference: this.options.preferences?.[id] ?? 'normal',
      random: seededRandom(this.seed * 1000 + index * 17 + this.starts++ * 7919),
      now: this.now,
      state: this.disks.get(id)!.load(),
      bootstrap,
      ...this.options.internals,
    };
    const node = new RaftNode(withInjectedBugs(options, this.options.bugs));
    this.nodes.set(id, node);
    this.applied.set(id, []);
    this.sm.set(id, []);
    this.smIndex.set(id, 0);
    return node;
  }

  /** Apply one Ready to the harness's state machine, and answer a snapshot request. */
  private applyToStateMachine(id: PeerId, ready: Ready): void {
    const sm = this.sm.get(id)!;
    if (ready.snapshotToInstall) {
      this.sm.set(id, JSON.parse(decode(ready.snapshotToInstall.data)) as string[]);
      this.smIndex.set(id, ready.snapshotToInstall.meta.index);
      this.installs.set(id, (this.installs.get(id) ?? 0) + 1);
    }
    const current = ready.snapshotToInstall ? this.sm.get(id)! : sm;
    for (const entry of ready.committed) {
      if (entry.index <= this.smIndex.get(id)!) continue;
      if (entry.kind === 'command') current.push(decode(entry.data));
      this.smIndex.set(id, entry.index);
    }
    if (ready.snapshotRequest && this.options.autoSnapshot !== false) {
      const index = this.smIndex.get(id)!;
      this.node(id).snapshotTaken({ meta: { index, term: 0, membership: { voters: [], learners: [] } }, data: encodeImage(current) });
    }
  }

  node(id: PeerId): RaftNode {
    return this.nodes.get(id)!;
  }

  /** Drain every Ready of `id`: persist at once, queue messages, record results, ack storage. */
  drain(id: PeerId): void {
    const node = this.node(id);
    while (node.hasReady()) {
      const ready = node.ready();
      if (this.crashBeforePersist?.(id, ready)) {
        this.removePeer(id); // the process dies before storage.persist finished: nothing of it is kept
        return;
      }
      this.readies.push({ id, ready });
      this.disks.get(id)!.apply(ready.persist);
      this.applyToStateMachine(id, ready);
      for (const { to, message } of ready.messages) {
        this.network.push({ from: id, to, message });
        this.sent.push({ at: this.now, from: id, to, message });
        this.trace.push(`${this.now} ${id}->${to} ${describeMessage(message)}`);
      }
      this.applied.get(id)!.push(...ready.committed);
      this.proposals.get(id)!.push(...ready.proposals);
      this.reads.get(id)!.push(...ready.reads);
      node.storageDone(ready.token);
    }
  }

  drainAll(): void {
    for (const id of this.nodes.keys()) this.drain(id);
  }

  // ---------- network ----------

  /** Messages are lost while the link from -> to is cut. */
  cut(from: PeerId, to: PeerId): void {
    this.blocked.add(`${from}>${to}`);
  }

  /** Cut every link between `id` and the others, both ways. */
  isolate(id: PeerId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut(id, other);
      this.cut(other, id);
    }
  }

  isCut(from: PeerId, to: PeerId): boolean {
    return this.blocked.has(`${from}>${to}`);
  }

  heal(): void {
    this.blocked.clear();
  }

  /** Deliver the oldest queued message (dropped when its link is cut). Returns false when none. */
  deliverOne(filter: (m: InFlight) => boolean = () => true): boolean {
    const at = this.network.findIndex(filter);
    if (at < 0) return false;
    const [m] = this.network.splice(at, 1);
    if (this.isCut(m.from, m.to) || !this.nodes.has(m.to)) return true;
    this.node(m.to).receive(m.from, m.message, this.now);
    this.drain(m.to);
    return true;
  }

  /** Deliver until the network is quiet (or `limit` messages). Returns how many were taken. */
  deliverAll(filter?: (m: InFlight) => boolean, limit = 100_000): number {
    let count = 0;
    while (count < limit && this.deliverOne(filter)) count++;
    return count;
  }

  /** Remove queued messages matching `filter` (simulated loss); returns them. */
  dropWhere(filter: (m: InFlight) => boolean): InFlight[] {
    const dropped = this.network.filter(filter);
    this.network = this.network.filter((m) => !filter(m));
    return dropped;
  }

  // ---------- time ----------

  /** Advance virtual time by `ms` in `step` increments, ticking every engine and delivering everything. */
  advance(ms: number, step = 10): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + step);
      for (const [id, node] of this.nodes) {
        node.tick(this.now);
        this.drain(id);
      }
      this.deliverAll();
    }
  }

  /** Advance until `done()` holds, failing after `maxMs` of virtual time. */
  runUntil(done: () => boolean, maxMs = 20_000, step = 10): void {
    const end = this.now + maxMs;
    while (!done()) {
      if (this.now >= end) throw new Error(`runUntil: condition not met within ${maxMs} ms`);
      this.advance(step, step);
    }
  }

  // ---------- views ----------

  leaders(): PeerId[] {
    return [...this.nodes.entries()].filter(([, n]) => n.status().role === 'leader').map(([id]) => id);
  }

  /** The single leader of the highest term (throws when there is none). */
  leader(): PeerId {
    const leaders = this.leaders().sort((a, b) => this.node(b).term - this.node(a).term);
    if (leaders.length === 0) throw new Error('no leader');
    return leaders[0];
  }

  followers(): PeerId[] {
    return [...this.nodes.keys()].filter((id) => this.node(id).status().role !== 'leader');
  }

  appliedCommands(id: PeerId): string[] {
    return this.applied.get(id)!.filter((e) => e.kind === 'command').map((e) => decode((e as { data: Uint8Array }).data));
  }

  propose(id: PeerId, requestId: number, commands: string[], clientId = `client-${id}`, seq = requestId * 1000): void {
    this.node(id).propose(requestId, commands.map(encode), { clientId, seq }, this.now);
    this.drain(id);
  }

  read(id: PeerId, requestId: number): void {
    this.node(id).readIndex(requestId, this.now);
    this.drain(id);
  }

  /** Messages of these types sent so far (optionally only from / to one peer), narrowed by type. */
  sentOf<T extends Message['type']>(types: T | T[], where: { from?: PeerId; to?: PeerId } = {}): (SentMessage & { message: Message & { type: T } })[] {
    const wanted = new Set<string>(Array.isArray(types) ? types : [types]);
    return this.sent.filter(
      (m): m is SentMessage & { message: Message & { type: T } } =>
        wanted.has(m.message.type) && (where.from === undefined || m.from === where.from) && (where.to === undefined || m.to === where.to),
    );
  }
}

/** Timings most engine tests use: 1 s election timeout (+0.5 s jitter), 100 ms heartbeats. */
export const testTimings = { electionTimeoutMs: 1000, electionJitterMs: 500, heartbeatMs: 100, bootstrapDelayMs: 500 } satisfies Partial<RaftConfig>;

/** Shorter timings for tests that run many election timeouts (catch-up, snapshots, membership). */
export const fastTimings = { electionTimeoutMs: 300, electionJitterMs: 200, heartbeatMs: 50, bootstrapDelayMs: 100 } satisfies Partial<RaftConfig>;

export interface ElectedOptions extends Omit<HarnessOptions, 'ids'> {
  /** Virtual time to let pass once every peer knows the leader (default 0). */
  settleMs?: number;
  /** Report every peer up to every other first (the transport's peerUp), as a runtime does. */
  connect?: boolean;
  /** Wait until every peer is `online` (knows the leader and is not catching up), not only knows it. */
  untilOnline?: boolean;
}

/**
 * A group of `ids` (config over testTimings) run until it has one leader that every peer knows.
 * The one helper engine tests start from instead of each writing its own.
 */
export function elected(ids: PeerId[], options: ElectedOptions = {}): EngineHarness {
  const { settleMs = 0, connect = false, untilOnline = false, ...rest } = options;
  const h = new EngineHarness({ ...rest, ids, config: { ...testTimings, ...options.config } });
  if (connect) h.connectAll();
  const ready = (id: PeerId) => (untilOnline ? h.node(id).status().online : h.node(id).status().leader !== null);
  h.runUntil(() => h.leaders().length === 1 && ids.every(ready), 10_000);
  if (settleMs > 0) h.advance(settleMs);
  return h;
}

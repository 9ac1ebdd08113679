// createInProcessCluster: N peers in one process, each an EngineHost + GroupClient joined by
// in-process ports, with a MemoryStorage per peer and an InMemoryNetwork between them. For tests,
// scenarios and benchmarks; membership is static (every peer starts from the same bootstrap
// membership; a peer "added later" is in it from the start but starts later).
import type { InjectedBugs, RaftConfig } from '../config';
import { resolveConfig } from '../config';
import { createRaftEngine } from '../engine/raft-node';
import { withInjectedBugs } from '../injected-bugs';
import { seededRandom } from '../rng';
import { createMemoryStorage, MemoryStorage } from '../storage-memory/index';
import type { LeadershipPreference, Membership, PeerId, Random, StateMachine } from '../types';
import { realClock, type Clock } from './clock';
import { EngineHost } from './engine-host';
import { GroupClient } from './group-client';
import { InMemoryNetwork } from './memory-network';
import type { PeerTransport } from './peer-transport';
import { createInProcessPorts } from './ports';

/** Fast timeouts for tests (which never assert durations, they wait on signals). */
export const testClusterConfig: Partial<RaftConfig> = {
  electionTimeoutMs: 150,
  electionJitterMs: 150,
  heartbeatMs: 30,
  bootstrapDelayMs: 50,
  forwardTimeoutMs: 1000,
};

export interface ClusterPeerSpec {
  id: PeerId;
  preference?: LeadershipPreference;
}

export interface InProcessClusterOptions<Cmd, Q, QR, R = unknown> {
  /** Every peer that may run, in bootstrap-membership order. */
  peers: Array<PeerId | ClusterPeerSpec>;
  /** A fresh state machine for a peer (called on every start and restart). */
  stateMachine: (id: PeerId) => StateMachine<Cmd, Q, R, QR>;
  /** Bootstrap membership; default: voters = normal/reluctant peers, learners = observers. */
  membership?: Membership;
  /** Merged over testClusterConfig. */
  config?: Partial<RaftConfig>;
  /** Seeds every peer's randomness (default 1). */
  seed?: number;
  clock?: Clock;
  /** Messages cross the codec (default true). */
  serialize?: boolean;
  bugs?: InjectedBugs;
  /** GroupClient apply slice length (default 8 ms). */
  sliceMs?: number;
}

export interface AddPeerOptions {
  /** Overrides the preference given in `peers`. */
  preference?: LeadershipPreference;
  /** Overrides the bootstrap membership for this peer (used only when its log is empty). */
  bootstrap?: Membership;
}

export interface InProcessCluster<Cmd, Q, QR, R = unknown> {
  readonly network: InMemoryNetwork;
  readonly config: RaftConfig;
  readonly membership: Membership;
  /** Start a peer with empty storage (or its existing storage, if it ran before). */
  add(id: PeerId, options?: AddPeerOptions): Promise<GroupClient<Cmd, Q, QR, R>>;
  /** Start several peers at once. */
  addAll(ids?: PeerId[]): Promise<Array<GroupClient<Cmd, Q, QR, R>>>;
  /** The running peer's Group (throws when it is not running). */
  group(id: PeerId): GroupClient<Cmd, Q, QR, R>;
  host(id: PeerId): EngineHost;
  storage(id: PeerId): MemoryStorage;
  isRunning(id: PeerId): boolean;
  running(): PeerId[];
  /** Crash a peer: only what its storage persisted survives; its Group rejects with ClosedError. */
  kill(id: PeerId): void;
  /** Start a killed (or running: killed first) peer again from what its storage persisted. */
  restart(id: PeerId): Promise<GroupClient<Cmd, Q, QR, R>>;
  partition(...groups: PeerId[][]): void;
  heal(): void;
  /** The leader every running peer names, or null while they disagree or know none. */
  agreedLeader(): PeerId | null;
  close(): Promise<void>;
}

interface RunningPeer<Cmd, Q, QR, R> {
  host: EngineHost;
  group: GroupClient<Cmd, Q, QR, R>;
}

export function createInProcessCluster<Cmd = unknown, Q = unknown, QR = unknown, R = unknown>(
  options: InProcessClusterOptions<Cmd, Q, QR, R>,
): InProcessCluster<Cmd, Q, QR, R> {
  const clock = options.clock ?? realClock;
  const configPartial = { ...testClusterConfig, ...options.config };
  const config = resolveConfig(configPartial);
  const specs = new Map<PeerId, LeadershipPreference>();
  for (const p of options.peers) {
    const spec = typeof p === 'string' ? { id: p } : p;
    specs.set(spec.id, spec.preference ?? 'normal');
  }
  const membership: Membership = options.membership ?? {
    voters: [...specs].filter(([, pref]) => pref !== 'observer').map(([id]) => id),
    learners: [...specs].filter(([, pref]) => pref === 'observer').map(([id]) => id),
  };
  const network = new InMemoryNetwork({ clock, serialize: options.serialize });
  const seeds = seededRandom(options.seed ?? 1);
  const nextRandom = (): Random => seededRandom(Math.floor(seeds() * 2 ** 32));
  const storages = new Map<PeerId, MemoryStorage>();
  const peerOptions = new Map<PeerId, AddPeerOptions>();
  const running = new Map<PeerId, RunningPeer<Cmd, Q, QR, R>>();
  let closed = false;

  async function start(id: PeerId, storage: MemoryStorage): Promise<GroupClient<Cmd, Q, QR, R>> {
    if (closed) throw new Error('cluster closed');
    if (running.has(id)) throw new Error(`peer ${id} is already running`);
    const extra = peerOptions.get(id) ?? {};
    const ports = createInProcessPorts();
    const group = new GroupClient<Cmd, Q, QR, R>({
      peerId: id, port: ports.client, stateMachine: options.stateMachine(id), clock, random: nextRandom(),
      config: configPartial, sliceMs: options.sliceMs,
    });
    // Messages the engine emits before the peer is attached to the network are lost (Raft retries).
    let transport: PeerTransport | null = null;
    const host = new EngineHost({
      id, storage, port: ports.host, clock, random: nextRandom(), config: configPartial,
      preference: extra.preference ?? specs.get(id) ?? 'normal',
      bootstrap: extra.bootstrap ?? (specs.has(id) ? membership : undefined),
      createEngine: options.bugs ? (engineOptions) => createRaftEngine(withInjectedBugs(engineOptions, options.bugs)) : undefined,
      transport: { send: (to, message) => transport?.send(to, message) },
    });
    const peer = { host, group };
    running.set(id, peer);
    await host.start();
    // Killed (or the cluster closed) while loading: stay detached.
    if (running.get(id) === peer) transport = network.attach(id, host);
    return group;
  }

  function runningPeer(id: PeerId): RunningPeer<Cmd, Q, QR, R> {
    const peer = running.get(id);
    if (!peer) throw new Error(`peer ${id} is not running`);
    return peer;
  }

  const cluster: InProcessCluster<Cmd, Q, QR, R> = {
    network,
    config,
    membership,
    add(id, addOptions = {}) {
      peerOptions.set(id, { ...peerOptions.get(id), ...addOptions });
      let storage = storages.get(id);
      if (!storage) {
        storage = createMemoryStorage();
        storages.set(id, storage);
      }
      return start(id, storage);
    },
    addAll(ids = [...specs.keys()]) {
      return Promise.all(ids.map((id) => cluster.add(id)));
    },
    group: (id) => runningPeer(id).group,
    host: (id) => runningPeer(id).host,
    storage(id) {
      const storage = storages.get(id);
      if (!storage) throw new Error(`peer ${id} never ran`);
      return storage;
    },
    isRunning: (id) => running.has(id),
    running: () => [...running.keys()],
    kill(id) {
      const peer = running.get(id);
      if (!peer) return;
      running.delete(id);
      peer.host.halt();
      network.detach(id);
      peer.group.terminate();
    },
    async restart(id) {
      cluster.kill(id);
      const old = storages.get(id);
      if (!old) throw new Error(`peer ${id} never ran`);
      // A fresh storage object holding exactly what was persisted: the crash loses everything else.
      const storage = MemoryStorage.from(old.dump());
      storages.set(id, storage);
      return start(id, storage);
    },
    partition: (...groups) => network.partition(...groups),
    heal: () => network.heal(),
    agreedLeader() {
      let leader: PeerId | null | undefined;
      for (const { group } of running.values()) {
        const seen = group.status.leader;
        if (seen === null || (leader !== undefined && leader !== seen)) return null;
        leader = seen;
      }
      return leader ?? null;
    },
    async close() {
      closed = true;
      const peers = [...running.entries()];
      running.clear();
      for (const [id] of peers) network.detach(id);
      // Tearing the whole cluster down: nobody leaves through the log (there would be no one left).
      await Promise.all(peers.map(([, peer]) => peer.group.close({ leave: false })));
    },
  };
  return cluster;
}

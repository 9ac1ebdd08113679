// Links outlive signaling: 3 peers meshed over @roamhq/wrtc lose their signaling server (a clean
// shutdown, and a SIGKILLed server process). Every link and every frame survives the outage; when a
// server is back on the same port the peers re-register by themselves, a newcomer sees and reaches
// all of them, and a link that really broke meanwhile is redialled.
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../../signaling/test/cli-process';
import { createPeerMesh, deriveRoomAndAuthKey, type PeerMesh, type PeerMeshOptions } from '../src/index';
import { nodePeerDeps, SimplePeer } from '../src/simple-peer-node';
import type { SimplePeerInstance, SimplePeerOptions } from '../src/types';
import { linkDrops, probe, type Probe } from './support/mesh-probe';
import { waitFor } from './support/wait';

const deps = nodePeerDeps();
const HEARTBEAT_MS = 200;
const LINK_TIMEOUT_MS = 3_000;
/** Heartbeats one link delivers in well over one link timeout: an outage at least this long proves the point. */
const HEARTBEATS_PER_LINK = Math.ceil((1.5 * LINK_TIMEOUT_MS) / HEARTBEAT_MS);

/**
 * Every peer sends a numbered control message to every other peer every 50 ms. Receivers check
 * the numbers arrive complete and in order; a refused send (link not up) is recorded.
 */
function startTraffic(probes: Probe[]) {
  const state = { delivered: new Map<string, number>(), errors: [] as string[], refused: 0 };
  const next = new Map<string, number>();
  const offs = probes.map((p) =>
    p.mesh.on('message', (from, bytes, channel) => {
      if (channel !== 'control' || bytes.length !== 5 || bytes[0] !== 0x7a) return;
      const key = `${from}>${p.mesh.peerId}`;
      const seq = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1);
      const expected = state.delivered.get(key) ?? 0;
      if (seq !== expected) state.errors.push(`${key}: expected ${expected}, got ${seq}`);
      state.delivered.set(key, seq + 1);
    }),
  );
  const timer = setInterval(() => {
    for (const p of probes) {
      for (const q of probes) {
        if (p === q) continue;
        const key = `${p.mesh.peerId}>${q.mesh.peerId}`;
        const seq = next.get(key) ?? 0;
        const message = new Uint8Array(5);
        message[0] = 0x7a;
        new DataView(message.buffer).setUint32(1, seq);
        if (p.mesh.send(q.mesh.peerId, message, 'control')) next.set(key, seq + 1);
        else state.refused += 1;
      }
    }
  }, 50);
  return {
    state,
    /** Messages delivered on every directed pair, the smallest count. */
    minDelivered: (): number => {
      const pairs = probes.length * (probes.length - 1);
      return state.delivered.size < pairs ? 0 : Math.min(...state.delivered.values());
    },
    stop: () => {
      clearInterval(timer);
      offs.forEach((off) => off());
    },
  };
}

function meshOptions(signalingUrl: string, room: string, authKey: Uint8Array): Omit<PeerMeshOptions, 'peerId'> {
  return {
    signalingUrl,
    room,
    authKey,
    ...deps,
    reconnect: { minMs: 100, maxMs: 1_000 },
    joinTimeoutMs: 2_000,
    linkHeartbeatMs: HEARTBEAT_MS,
    linkTimeoutMs: LINK_TIMEOUT_MS,
  };
}

/** Waits until the outage has lasted well over a link timeout, measured in heartbeats and frames. */
async function rideOutOutage(probes: Probe[], traffic: ReturnType<typeof startTraffic>): Promise<void> {
  await waitFor('every peer to notice the server is gone', () => probes.every((p) => p.lost >= 1));
  const heard = probes.map((p) => p.mesh.stats().heartbeatsIn);
  const delivered = traffic.minDelivered();
  await waitFor(
    'heartbeats and frames over every link for longer than a link timeout',
    () => {
      const dropped = probes.filter((p) => linkDrops(p) > 0 || p.downs.length > 0);
      if (dropped.length > 0) throw new Error(`links dropped during the outage at ${dropped.map((p) => p.mesh.peerId).join(', ')}`);
      return (
        probes.every((p, i) => p.mesh.stats().heartbeatsIn >= heard[i] + 2 * HEARTBEATS_PER_LINK) &&
        traffic.minDelivered() >= delivered + 20
      );
    },
    60_000,
  );
}

/** A newcomer sees every old peer in its join answer and connects to all of them. */
async function newcomerReachesAll(probes: Probe[], newcomer: Probe): Promise<void> {
  await waitFor('the newcomer to join', () => newcomer.joins.length >= 1);
  expect([...newcomer.joins[0].peers].sort()).toEqual(probes.map((p) => p.mesh.peerId).sort());
  expect(newcomer.joins[0].bootstrap).toBe(false);
  await waitFor('the newcomer to connect to everyone', () =>
    newcomer.mesh.peers().length === probes.length && probes.every((p) => p.mesh.peers().includes(newcomer.mesh.peerId)),
  );
}

describe('links outlive the signaling server', () => {
  let room: string;
  let authKey: Uint8Array;
  const meshes: PeerMesh[] = [];
  const open = (base: Omit<PeerMeshOptions, 'peerId'>, peerId: string, over: Partial<PeerMeshOptions> = {}): Probe => {
    const p = probe(createPeerMesh({ ...base, peerId, ...over }));
    meshes.push(p.mesh);
    return p;
  };

  beforeAll(async () => {
    ({ room, authKey } = await deriveRoomAndAuthKey('outage test group key'));
  });
  afterAll(async () => {
    await Promise.all(meshes.map((m) => m.close()));
  });

  describe('an in-process server that shuts down and comes back', () => {
    let server: SignalingServer;
    let port: number;
    let probes: Probe[];
    /** Every simple-peer instance peer-a creates, so a test can break its connections. */
    const peersOfA: SimplePeerInstance[] = [];

    beforeAll(async () => {
      server = await startSignalingServer({ port: 0 });
      port = server.port;
      const base = meshOptions(server.url, room, authKey);
      class TrackedPeer extends (SimplePeer as unknown as new (o: SimplePeerOptions) => SimplePeerInstance) {
        constructor(options: SimplePeerOptions) {
          super(options);
          peersOfA.push(this);
        }
      }
      probes = [open(base, 'peer-a', { SimplePeer: TrackedPeer }), open(base, 'peer-b'), open(base, 'peer-c')];
      await waitFor('3-peer mesh', () => probes.every((p) => p.mesh.peers().length === 2));
    });
    afterAll(async () => {
      await server?.close();
    });

    it('keeps every link and frame through a shutdown, then everyone re-registers', async () => {
      const traffic = startTraffic(probes);
      await waitFor('traffic on every pair', () => traffic.minDelivered() >= 5);
      const ups = probes.map((p) => p.ups.length);
      const joins = probes.map((p) => p.joins.length);

      await server.close();
      await rideOutOutage(probes, traffic);
      for (const p of probes) {
        expect(linkDrops(p)).toBe(0);
        expect(p.downs).toEqual([]);
        expect(p.mesh.peers()).toHaveLength(2);
      }

      server = await startSignalingServer({ port });
      await waitFor('everyone to re-join', () => probes.every((p, i) => p.joins.length > joins[i]));
      for (const p of probes) {
        const rejoin = p.joins.at(-1)!;
        expect(rejoin.uptimeMs).toBeGreaterThanOrEqual(0);
        expect(rejoin.bootstrap).toBe(false); // never alone while links are up
      }
      const newcomer = open(meshOptions(server.url, room, authKey), 'peer-d');
      await newcomerReachesAll(probes, newcomer);

      const delivered = traffic.minDelivered();
      await waitFor('traffic after the restart', () => traffic.minDelivered() >= delivered + 5);
      traffic.stop();
      expect(traffic.state.errors).toEqual([]);
      expect(traffic.state.refused).toBe(0);
      probes.forEach((p, i) => {
        expect(linkDrops(p)).toBe(0);
        expect(p.ups.slice(ups[i])).toEqual(['peer-d']); // no old link was re-made
      });
      await newcomer.mesh.close();
      await waitFor('the newcomer to be gone', () => probes.every((p) => p.mesh.peers().length === 2));
    });

    it('redials a link whose channel really closed during the outage once the server is back', async () => {
      const [a, b, c] = probes;
      const closedBefore = a.mesh.stats().linkDrops.channelClosed;
      const dropsOfB = linkDrops(b);
      await server.close();
      await waitFor('every peer to notice the server is gone', () => probes.every((p) => p.lost >= 2));
      for (const peer of peersOfA) if (!peer.destroyed) peer.destroy();
      await waitFor('a to lose both links', () => a.mesh.peers().length === 0 && b.mesh.peers().length === 1 && c.mesh.peers().length === 1);
      expect(a.mesh.stats().linkDrops.channelClosed).toBe(closedBefore + 2);
      // Without a server nothing can be redialled; b and c meanwhile keep their own link.
      const heardByB = b.mesh.stats().heartbeatsIn;
      await waitFor('b to hear c for a while', () => b.mesh.stats().heartbeatsIn >= heardByB + HEARTBEATS_PER_LINK);
      expect(a.mesh.peers()).toEqual([]);
      expect(b.mesh.peers()).toEqual(['peer-c']);
      expect(linkDrops(b)).toBe(dropsOfB + 1); // its link to a only

      server = await startSignalingServer({ port });
      await waitFor('a to be redialled to b and c', () => probes.every((p) => p.mesh.peers().length === 2));
      const at = b.messages.length;
      expect(a.mesh.send('peer-b', Uint8Array.of(42), 'control')).toBe(true);
      await waitFor('a message over the new link', () => b.messages.length > at);
      expect(b.messages.at(-1)).toMatchObject({ from: 'peer-a', bytes: Uint8Array.of(42) });
    });
  });

  describe('a server process that is killed (SIGKILL) and started again', () => {
    let child: ChildProcess | null = null;
    const env = { ...process.env, REDIS_URL: '' };
    const spawnServer = async (port: number): Promise<string> => {
      const spawned = spawnCli(['--port', String(port), '--quiet'], env);
      child = spawned.child;
      return spawned.url;
    };
    const kill = async (): Promise<void> => {
      const running = child;
      if (running === null || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    };
    afterAll(kill);

    it('keeps every link and frame while the process is gone; peers re-register with the new one', async () => {
      const url = await spawnServer(0);
      const port = Number(new URL(url).port);
      const base = meshOptions(url, room, authKey);
      const probes = ['kill-a', 'kill-b', 'kill-c'].map((id) => open(base, id));
      await waitFor('3-peer mesh', () => probes.every((p) => p.mesh.peers().length === 2));
      const traffic = startTraffic(probes);
      await waitFor('traffic on every pair', () => traffic.minDelivered() >= 5);
      const joins = probes.map((p) => p.joins.length);

      await kill(); // no goodbye: no peer-left, sockets just vanish
      await rideOutOutage(probes, traffic);
      for (const p of probes) {
        expect(linkDrops(p)).toBe(0);
        expect(p.downs).toEqual([]);
      }

      await spawnServer(port);
      await waitFor('everyone to re-join', () => probes.every((p, i) => p.joins.length > joins[i]));
      const newcomer = open(base, 'kill-d');
      await newcomerReachesAll(probes, newcomer);
      traffic.stop();
      expect(traffic.state.errors).toEqual([]);
      expect(traffic.state.refused).toBe(0);
      for (const p of probes) expect(linkDrops(p)).toBe(0);
    });
  });
});

// A real 3-peer mesh in Node: @roamhq/wrtc data channels, the real signaling server on loopback.
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerMesh, deriveRoomAndAuthKey, type PeerMesh, type PeerMeshOptions } from '../src/index';
import { encodeDataFrame, payloadPerFrame } from '../src/framing';
import { nodePeerDeps, SimplePeer } from '../src/simple-peer-node';
import type { SimplePeerInstance, SimplePeerOptions } from '../src/types';
import { linkDrops, probe, type Probe } from './support/mesh-probe';
import { waitFor } from './support/wait';

const MiB = 1024 * 1024;
const MAX_MESSAGE = 1 * MiB;
const QUEUE_CAP = 2 * MiB;
const deps = nodePeerDeps();
/** Link heartbeats in these tests; "nothing happened" checks wait for a number of them first. */
const HEARTBEAT_MS = 200;
const RECONNECT = { minMs: 100, maxMs: 1_000 };

/** FNV-1a over the payload: a cheap checksum so corruption or mixing is detected. */
function fnv1a(bytes: Uint8Array, start: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** seq u32 | checksum u32 | pseudo-random payload */
function makeMessage(seq: number, size: number): Uint8Array {
  const m = new Uint8Array(8 + size);
  let x = (seq * 2654435761) >>> 0 || 1;
  for (let i = 8; i < m.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    m[i] = x & 0xff;
  }
  const view = new DataView(m.buffer);
  view.setUint32(0, seq);
  view.setUint32(4, fnv1a(m, 8));
  return m;
}

/** Sends `totalBytes` of bulk messages, waiting for 'drain' whenever the bounded queue refuses. */
async function sendBulk(from: PeerMesh, to: string, totalBytes: number, maxQueued: { value: number }): Promise<number> {
  let seq = 0;
  let sent = 0;
  while (sent < totalBytes) {
    const size = 1 + ((seq * 7919) % (300 * 1024)); // 1 B .. 300 KiB, many multi-frame messages
    const message = makeMessage(seq, size);
    if (from.send(to, message, 'bulk')) {
      sent += message.length;
      seq += 1;
      if (seq % 50 === 0) expect(from.send(to, Uint8Array.of(0xc0, seq & 0xff), 'control')).toBe(true);
    } else {
      await new Promise<void>((resolve, reject) => {
        const offDrain = from.on('drain', (id) => id === to && done());
        const offDown = from.on('peer-down', (id) => id === to && (cleanup(), reject(new Error('peer went down'))));
        const cleanup = (): void => (offDrain(), offDown());
        const done = (): void => (cleanup(), resolve());
      });
    }
    maxQueued.value = Math.max(maxQueued.value, from.queuedBytes(to), from.stats().queuedBytes);
  }
  return seq;
}

/** Checks sequence numbers and checksums of bulk messages as they arrive. */
function receiveBulk(at: PeerMesh, from: string) {
  const state = { messages: 0, bytes: 0, errors: [] as string[], stop: () => {} };
  state.stop = at.on('message', (peer, bytes, channel) => {
    if (peer !== from || channel !== 'bulk') return;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const seq = view.getUint32(0);
    if (seq !== state.messages) state.errors.push(`expected seq ${state.messages}, got ${seq}`);
    if (view.getUint32(4) !== fnv1a(bytes, 8)) state.errors.push(`checksum mismatch at seq ${seq}`);
    state.messages += 1;
    state.bytes += bytes.length;
  });
  return state;
}

describe('PeerMesh over wrtc and the real signaling server', () => {
  let server: SignalingServer;
  let base: Omit<PeerMeshOptions, 'peerId'>;
  const probes: Record<string, Probe> = {};
  const extra: PeerMesh[] = [];
  /** Every simple-peer instance peer-a creates, so a test can break its connections. */
  const peersOfA: SimplePeerInstance[] = [];

  const open = (peerId: string, over: Partial<PeerMeshOptions> = {}): Probe => {
    const p = probe(createPeerMesh({ ...base, peerId, ...over }));
    extra.push(p.mesh);
    return p;
  };

  beforeAll(async () => {
    server = await startSignalingServer({ port: 0 });
    const { room, authKey } = await deriveRoomAndAuthKey('integration test group key');
    base = {
      signalingUrl: server.url,
      room,
      authKey,
      iceServers: [],
      ...deps,
      maxMessageBytes: MAX_MESSAGE,
      maxQueuedBytes: QUEUE_CAP,
      highWaterMark: 256 * 1024,
      reconnect: RECONNECT,
      linkHeartbeatMs: HEARTBEAT_MS,
      linkTimeoutMs: 5_000,
    };
    class TrackedPeer extends (SimplePeer as unknown as new (o: SimplePeerOptions) => SimplePeerInstance) {
      constructor(options: SimplePeerOptions) {
        super(options);
        peersOfA.push(this);
      }
    }
    probes['peer-a'] = open('peer-a', { SimplePeer: TrackedPeer });
    for (const id of ['peer-b', 'peer-c']) probes[id] = open(id);
    await waitFor('3-peer mesh', () => Object.values(probes).every((p) => p.mesh.peers().length === 2));
  });

  afterAll(async () => {
    await Promise.all(extra.map((m) => m.close()));
    await server?.close();
  });

  it('authenticates every pair', () => {
    expect(probes['peer-a'].mesh.peers()).toEqual(['peer-b', 'peer-c']);
    expect(probes['peer-b'].mesh.peers()).toEqual(['peer-a', 'peer-c']);
    expect(probes['peer-c'].mesh.peers()).toEqual(['peer-a', 'peer-b']);
    for (const p of Object.values(probes)) {
      expect(p.ups.sort()).toHaveLength(2);
      expect(p.mesh.stats().dropped.authFailed).toBe(0);
    }
  });

  it('moves 10 MB each way with no loss, no reordering and a bounded queue', async () => {
    const a = probes['peer-a'].mesh;
    const b = probes['peer-b'].mesh;
    const total = 10 * 1000 * 1000;
    const atB = receiveBulk(b, 'peer-a');
    const atA = receiveBulk(a, 'peer-b');
    const controlAtB = probes['peer-b'].messages.length;
    const maxQueuedA = { value: 0 };
    const maxQueuedB = { value: 0 };
    const refusedBefore = a.stats().dropped.queueFull + b.stats().dropped.queueFull;
    const droppedBefore = [a, b].map((m) => m.stats().dropped);
    const [sentAB, sentBA] = await Promise.all([
      sendBulk(a, 'peer-b', total, maxQueuedA),
      sendBulk(b, 'peer-a', total, maxQueuedB),
    ]);
    await waitFor('all bulk messages', () => atB.messages === sentAB && atA.messages === sentBA, 60_000);
    // Later tests send small probes on the bulk channel; these checkers are for this transfer only.
    atB.stop();
    atA.stop();
    expect(atB.errors).toEqual([]);
    expect(atA.errors).toEqual([]);
    expect(atB.bytes).toBeGreaterThanOrEqual(total);
    expect(atA.bytes).toBeGreaterThanOrEqual(total);
    // Control messages sent in between arrived, in order.
    const control = probes['peer-b'].messages.slice(controlAtB).filter((m) => m.from === 'peer-a' && m.channel === 'control');
    expect(control.map((m) => m.bytes[1])).toEqual(
      Array.from({ length: Math.floor(sentAB / 50) }, (_, i) => ((i + 1) * 50) & 0xff),
    );
    // Bounded buffering: the queue cap was reached (sends refused) but never exceeded.
    expect(a.stats().dropped.queueFull + b.stats().dropped.queueFull).toBeGreaterThan(refusedBefore);
    expect(maxQueuedA.value).toBeLessThanOrEqual(QUEUE_CAP);
    expect(maxQueuedB.value).toBeLessThanOrEqual(QUEUE_CAP);
    [a, b].forEach((m, i) => {
      const d = m.stats().dropped;
      const was = droppedBefore[i];
      expect([d.badFrame, d.tooLarge, d.unauthenticated]).toEqual([was.badFrame, was.tooLarge, was.unauthenticated]);
    });
  }, 180_000);

  it('redials peers whose connections failed while they are still in the room', async () => {
    const a = probes['peer-a'];
    const count = (list: string[], id: string): number => list.filter((x) => x === id).length;
    const ups = { b: count(a.ups, 'peer-b'), c: count(a.ups, 'peer-c') };
    for (const peer of peersOfA) if (!peer.destroyed) peer.destroy();
    await waitFor('a to reconnect to b and c', () => count(a.ups, 'peer-b') > ups.b && count(a.ups, 'peer-c') > ups.c);
    await waitFor('everyone to see a again', () => Object.values(probes).every((p) => p.mesh.peers().length === 2));
    expect(a.downs).toContain('peer-b');
    expect(probes['peer-b'].downs).toContain('peer-a');
    const at = probes['peer-c'].messages.length;
    expect(a.mesh.send('peer-c', Uint8Array.of(42), 'control')).toBe(true);
    await waitFor('a message over the new link', () => probes['peer-c'].messages.length > at);
    expect(probes['peer-c'].messages.at(-1)).toMatchObject({ from: 'peer-a', bytes: Uint8Array.of(42) });
  });

  it('reports peer-down when a peer closes, does not redial it, and admits it again when it returns', async () => {
    const dropsBefore = Object.fromEntries(Object.entries(probes).map(([id, p]) => [id, p.mesh.stats().linkDrops.channelClosed]));
    await probes['peer-c'].mesh.close();
    await waitFor('peer-down for c', () =>
      ['peer-a', 'peer-b'].every((id) => probes[id].downs.includes('peer-c')),
    );
    // The links closed by themselves (their channels closed), not because the server said c left.
    for (const id of ['peer-a', 'peer-b']) expect(probes[id].mesh.stats().linkDrops.channelClosed).toBe(dropsBefore[id] + 1);
    const upsOfC = (id: string): number => probes[id].ups.filter((u) => u === 'peer-c').length;
    const before = { 'peer-a': upsOfC('peer-a'), 'peer-b': upsOfC('peer-b') };
    // A redial, if there were one, would start within the reconnect backoff (<= maxMs). Wait for
    // a to hear enough of b's heartbeats to cover twice that before checking that none happened.
    const heard = probes['peer-a'].mesh.stats().heartbeatsIn;
    const enough = Math.ceil((2 * RECONNECT.maxMs) / HEARTBEAT_MS);
    await waitFor('a to hear b for a while', () => probes['peer-a'].mesh.stats().heartbeatsIn >= heard + enough);
    for (const id of ['peer-a', 'peer-b'] as const) {
      expect(probes[id].mesh.peers()).toEqual(id === 'peer-a' ? ['peer-b'] : ['peer-a']);
      expect(upsOfC(id)).toBe(before[id]);
    }
    // Like a reloaded tab: the same peer id joins again.
    probes['peer-c'] = open('peer-c');
    await waitFor('c to be back', () => Object.values(probes).every((p) => p.mesh.peers().length === 2));
    for (const id of ['peer-a', 'peer-b'] as const) expect(upsOfC(id)).toBe(before[id] + 1);
    expect(linkDrops(probes['peer-a'])).toBe(dropsBefore['peer-a'] + 1);
  });

  it('never admits a peer with the wrong key, nor delivers its frames', async () => {
    // Same room, wrong auth key; its simple-peer also injects a data frame before the handshake.
    const Base = SimplePeer;
    class PushyPeer extends (Base as unknown as new (o: SimplePeerOptions) => SimplePeerInstance) {
      constructor(options: SimplePeerOptions) {
        super(options);
        this.on('connect', () => {
          const frame = encodeDataFrame('control', 0, Uint8Array.of(0xee), 0, payloadPerFrame(16 * 1024));
          this.send(frame);
        });
      }
    }
    const before = Object.fromEntries(Object.entries(probes).map(([id, p]) => [id, p.mesh.stats().dropped]));
    const wrongKey = (await deriveRoomAndAuthKey('some other group key')).authKey;
    const intruder = open('peer-bx', { authKey: wrongKey, SimplePeer: PushyPeer });
    // 'peer-bx' is dialled by a and b and dials c itself: both handshake roles are exercised. The
    // initiator proves first and the responder checks: c refuses the intruder's proof; the intruder
    // refuses a's and b's proofs (never proving anything itself) and tells them with REFUSE.
    await waitFor('every honest peer to count the refusal', () =>
      Object.entries(probes).every(([id, p]) => p.mesh.stats().dropped.authFailed > before[id].authFailed),
    );
    await waitFor('the intruder to refuse a and b', () => intruder.mesh.stats().dropped.authFailed >= 2);
    await waitFor('a and b to drop its injected frames', () =>
      ['peer-a', 'peer-b'].every((id) => probes[id].mesh.stats().dropped.unauthenticated > before[id].unauthenticated),
    );
    expect(intruder.refused.map((r) => r.reason)).toContain('authFailed');
    expect(probes['peer-c'].refused).toContainEqual({ from: 'peer-bx', reason: 'authFailed' });
    expect(intruder.mesh.send('peer-a', Uint8Array.of(1), 'control')).toBe(false);
    expect(intruder.ups).toEqual([]);
    expect(intruder.mesh.peers()).toEqual([]);
    let injected = 0;
    for (const [id, p] of Object.entries(probes)) {
      expect(p.ups).not.toContain('peer-bx');
      expect(p.mesh.peers()).not.toContain('peer-bx');
      expect(p.messages.filter((m) => m.from === 'peer-bx')).toEqual([]);
      injected += p.mesh.stats().dropped.unauthenticated - before[id].unauthenticated;
    }
    expect(injected).toBeGreaterThan(0);
    await intruder.mesh.close();
    // The honest mesh is untouched.
    for (const p of Object.values(probes)) expect(p.mesh.peers()).toHaveLength(2);
  });
});

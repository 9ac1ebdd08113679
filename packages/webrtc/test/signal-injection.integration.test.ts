// A relay that has seen a session id (the signaling server, or whoever can inject into it) sends an
// ICE candidate for a link that is already up. The WebRTC stack rejects a candidate for an unknown
// media section, and simple-peer destroys its connection on that rejection: the link must not take
// signals any more once its channel is open. Real @roamhq/wrtc connections.
import { afterAll, expect, it } from 'vitest';
import { createPeerMesh, deriveRoomAndAuthKey } from '../src/index';
import { nodePeerDeps } from '../src/simple-peer-node';
import type { WrtcLike } from '../src/types';
import { startHostileSignaling, type HostileSignaling } from './support/hostile-signaling';
import { linkDrops, probe, type Probe } from './support/mesh-probe';
import { waitFor } from './support/wait';

const HEARTBEAT_MS = 200;

/**
 * @roamhq/wrtc with a browser's RTCIceCandidate: browsers parse `address` out of the candidate line,
 * wrtc leaves it null, and simple-peer only logs a rejected candidate that has no address instead
 * of destroying the connection as it does in a browser.
 */
function browserLikeWrtc(): WrtcLike {
  const wrtc = nodePeerDeps().wrtc;
  const Base = wrtc.RTCIceCandidate as new (init: RTCIceCandidateInit) => { address: string | null };
  class RTCIceCandidate extends Base {
    constructor(init: RTCIceCandidateInit) {
      super(init);
      this.address = init.candidate?.split(' ')[4] ?? null;
    }
  }
  return { ...wrtc, RTCIceCandidate };
}
const opened: Probe[] = [];
let server: HostileSignaling | null = null;
afterAll(async () => {
  await Promise.all(opened.map((p) => p.mesh.close()));
  await server?.close();
});

it('a candidate injected into an up link is dropped; the link stays up and carries messages', async () => {
  const { room, authKey } = await deriveRoomAndAuthKey('signal injection test group key');
  // An honest relay that remembers the session it saw, and can inject into it.
  let session: string | null = null;
  server = await startHostileSignaling({
    onSignal(from, to, data, srv) {
      const s = (data as { s?: unknown }).s;
      if (typeof s === 'string') session = s;
      srv.deliver(to, from, data);
    },
  });
  const open = (peerId: string): Probe => {
    const p = probe(
      createPeerMesh({ signalingUrl: server!.url, room, peerId, authKey, ...nodePeerDeps(), wrtc: browserLikeWrtc(), linkHeartbeatMs: HEARTBEAT_MS, linkTimeoutMs: 5_000 }),
    );
    opened.push(p);
    return p;
  };
  const a = open('inject-a');
  const b = open('inject-b');
  await waitFor('the pair to be up', () => a.mesh.peers().length === 1 && b.mesh.peers().length === 1);

  const bogus = { candidate: 'candidate:1 1 udp 1 203.0.113.5 9 typ host', sdpMid: 'bogus', sdpMLineIndex: null };
  const before = [a, b].map((p) => p.mesh.stats().dropped.badSignal);
  server.deliver('inject-a', 'inject-b', { s: session, sig: { type: 'candidate', candidate: bogus } });
  server.deliver('inject-b', 'inject-a', { s: session, sig: { type: 'candidate', candidate: bogus } });
  await waitFor('both injections to be dropped (or the link to fall)', () =>
    [a, b].every((p, i) => p.mesh.stats().dropped.badSignal > before[i] || p.downs.length > 0),
  );
  // Long enough for a destroyed connection to show: a few heartbeats each way.
  const heard = [a, b].map((p) => p.mesh.stats().heartbeatsIn);
  await waitFor('heartbeats after the injection', () => [a, b].every((p, i) => p.mesh.stats().heartbeatsIn >= heard[i] + 5 || p.downs.length > 0));
  for (const p of [a, b]) {
    expect(p.downs).toEqual([]);
    expect(linkDrops(p)).toBe(0);
    expect(p.mesh.peers()).toHaveLength(1);
  }
  // Counted (late trickle candidates of the real connection may be counted too).
  [a, b].forEach((p, i) => expect(p.mesh.stats().dropped.badSignal).toBeGreaterThan(before[i]));
  expect(a.mesh.send('inject-b', Uint8Array.of(1), 'control')).toBe(true);
  expect(b.mesh.send('inject-a', Uint8Array.of(2), 'control')).toBe(true);
  await waitFor('a message each way', () => a.messages.length === 1 && b.messages.length === 1);
});

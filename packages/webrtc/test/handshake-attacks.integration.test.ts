// Handshake v2 against a hostile signaling path, over real @roamhq/wrtc connections: a relay that
// terminates both WebRTC connections itself, a server that reflects a peer's own signals, a peer
// that speaks handshake v1; and, as the control, a good pair through the real signaling server.
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeFrame, FrameKind } from '../src/framing';
import { importAuthKey } from '../src/group-key';
import { verifyProof, type HandshakeTranscript } from '../src/handshake-proof';
import { createPeerMesh, deriveRoomAndAuthKey, type PeerMeshOptions } from '../src/index';
import { nodePeerDeps } from '../src/simple-peer-node';
import { startV1Peer } from './support/handshake-v1-peer';
import { startHostileSignaling } from './support/hostile-signaling';
import { probe, type Probe } from './support/mesh-probe';
import { startRelayAttack } from './support/relay-attack';
import { waitFor } from './support/wait';

const deps = nodePeerDeps();
const GROUP_KEY = 'handshake attack test group key';

describe('handshake v2 on a hostile signaling path', () => {
  let room: string;
  let authKey: Uint8Array;
  const opened: Probe[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];

  const open = (signalingUrl: string, peerId: string, over: Partial<PeerMeshOptions> = {}): Probe => {
    const p = probe(
      createPeerMesh({
        signalingUrl,
        room,
        peerId,
        authKey,
        ...deps,
        reconnect: { minMs: 100, maxMs: 1_000 },
        connectTimeoutMs: 5_000,
        linkHeartbeatMs: 200,
        linkTimeoutMs: 5_000,
        ...over,
      }),
    );
    opened.push(p);
    return p;
  };

  beforeAll(async () => {
    ({ room, authKey } = await deriveRoomAndAuthKey(GROUP_KEY));
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.mesh.close()));
    for (const cleanup of cleanups.splice(0)) await cleanup();
    vi.restoreAllMocks();
  });

  describe('through the real signaling server', () => {
    let server: SignalingServer;
    beforeAll(async () => {
      server = await startSignalingServer({ port: 0 });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('a good pair authenticates and carries frames both ways', async () => {
      const a = open(server.url, 'good-a');
      const b = open(server.url, 'good-b');
      await waitFor('the pair to be up', () => a.mesh.peers().length === 1 && b.mesh.peers().length === 1);
      expect(a.mesh.send('good-b', Uint8Array.of(1), 'control')).toBe(true);
      expect(b.mesh.send('good-a', Uint8Array.of(2), 'bulk')).toBe(true);
      await waitFor('both messages', () => a.messages.length === 1 && b.messages.length === 1);
      expect(b.messages[0]).toMatchObject({ from: 'good-a', bytes: Uint8Array.of(1), channel: 'control' });
      expect(a.messages[0]).toMatchObject({ from: 'good-b', bytes: Uint8Array.of(2), channel: 'bulk' });
      for (const p of [a, b]) {
        expect(p.refused).toEqual([]);
        // The server in use predates `uptimeMs` or reports it: either way a number is surfaced.
        expect(p.joins[0].uptimeMs).toBeGreaterThanOrEqual(0);
        expect(p.mesh.reregisterBoundMs).toBe(1_000 + 10_000);
      }
    });

    it('v1 and v2 peers refuse each other clearly, in both roles', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const v2 = open(server.url, 'peer-m');
      // 'peer-0' < 'peer-m' dials the v2 peer; 'peer-z' > 'peer-m' is dialled by it.
      const v1s = ['peer-0', 'peer-z'].map((peerId) =>
        startV1Peer({ signalingUrl: server.url, room, peerId, authKey, SimplePeer: deps.SimplePeer, wrtc: deps.wrtc }),
      );
      cleanups.push(() => v1s.forEach((v) => v.close()));
      await waitFor('the v2 peer to refuse both', () =>
        ['peer-0', 'peer-z'].every((id) => v2.refused.some((r) => r.from === id && r.reason === 'versionMismatch')),
      );
      await waitFor('both v1 peers to fail their check', () => v1s.every((v) => v.counters.authFailed >= 1));
      expect(v2.mesh.stats().dropped.versionMismatch).toBeGreaterThanOrEqual(2);
      expect(warn.mock.calls.some(([m]) => /peer-0.*handshake v1.*v2/.test(String(m)))).toBe(true);
      expect(v2.ups).toEqual([]);
      for (const v of v1s) expect(v.counters.upWith).not.toContain('peer-m');
    });
  });

  it('a relay that terminates both connections is refused by both peers, and none of its frames is accepted', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const relay = await startRelayAttack({ ...deps, initiatorId: 'peer-a', responderId: 'peer-b' });
    cleanups.push(() => relay.close());
    const a = open(relay.server.url, 'peer-a');
    const b = open(relay.server.url, 'peer-b');
    await waitFor('both peers to refuse the relayed handshake', () =>
      a.refused.some((r) => r.reason === 'authFailed') && b.refused.some((r) => r.reason === 'authFailed'),
    );
    // The relay really carried the handshake: HELLO both ways and the initiator's proof onward.
    expect(relay.log.toResponder).toEqual(expect.arrayContaining([FrameKind.hello, FrameKind.proof]));
    expect(relay.log.toInitiator).toContain(FrameKind.hello);
    // The responder never proved anything to the relay, so there was nothing to pass back.
    expect(relay.log.toInitiator).not.toContain(FrameKind.proof);
    for (const p of [a, b]) {
      expect(p.ups).toEqual([]);
      expect(p.messages).toEqual([]);
      expect(p.mesh.peers()).toEqual([]);
      expect(p.mesh.stats().dropped.unauthenticated).toBeGreaterThanOrEqual(1); // the injected frames
    }

    // Why it failed: the relayed proof is valid for the initiator's own view of its connection
    // (its certificate, the relay's first certificate), not for the responder's view.
    const key = await importAuthKey(authKey);
    const frames = relay.log.frames.filter((f) => f.direction === 'toResponder').map((f) => decodeFrame(f.bytes));
    const helloA = frames.find((f) => f?.kind === 'hello');
    const proofA = frames.find((f) => f?.kind === 'proof');
    const helloB = relay.log.frames.filter((f) => f.direction === 'toInitiator').map((f) => decodeFrame(f.bytes)).find((f) => f?.kind === 'hello');
    const legs = relay.log.legs;
    if (helloA?.kind !== 'hello' || helloB?.kind !== 'hello' || proofA?.kind !== 'proof' || !legs.initiator || !legs.responder) {
      throw new Error('the relay log lacks the handshake frames');
    }
    const seenBy = (initiatorFingerprints: string, responderFingerprints: string): HandshakeTranscript => ({
      room,
      initiatorId: 'peer-a',
      responderId: 'peer-b',
      initiatorNonce: helloA.body,
      responderNonce: helloB.body,
      initiatorFingerprints,
      responderFingerprints,
    });
    expect(await verifyProof(key, 'initiator', seenBy(legs.initiator.honest, legs.initiator.relay), proofA.proof)).toBe(true);
    expect(await verifyProof(key, 'initiator', seenBy(legs.responder.relay, legs.responder.honest), proofA.proof)).toBe(false);
  });

  it('refuses signals that come back from its own id', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // The server lists a phantom peer; whatever 'peer-m' sends it is delivered back as from 'peer-m'.
    const mirror = await startHostileSignaling({
      peersFor: () => ['peer-z'],
      onJoin: (peerId, server) => server.announce(peerId, peerId),
      onSignal: (from, _to, data, server) => server.deliver(from, from, data),
    });
    cleanups.push(() => mirror.close());
    const m = open(mirror.url, 'peer-m');
    await waitFor('reflected signals to be refused', () => m.mesh.stats().dropped.reflected >= 2);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/own peer id/));
    expect(m.ups).toEqual([]);
    expect(m.mesh.peers()).toEqual([]);
    expect(m.messages).toEqual([]);
  });
});

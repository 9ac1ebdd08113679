// A peer that speaks handshake v1, the format before versioning, to test that v1 and v2 peers
// refuse each other clearly. It joins a real signaling server with the same envelope protocol as
// the mesh and runs v1 on each connection:
//   on open: CHALLENGE [2][nonce 32]; on a CHALLENGE: answer at once with
//   PROOF [3][HMAC(authKey, nonce | len&0xff | responderId | len&0xff | challengerId)];
//   on a PROOF: verify against its own nonce, then AUTH_OK [4], or count an auth failure and close.
// Unknown frame kinds are counted as bad frames, as v1 did.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { io } from 'socket.io-client';
import { newSessionId } from '../../src/signal-envelope';
import type { PeerSignal, SimplePeerConstructor, SimplePeerInstance, WrtcLike } from '../../src/types';

export interface V1Counters {
  connected: number;
  /** Remote ids this peer authenticated. */
  upWith: string[];
  authFailed: number;
  badFrame: number;
}

function v1ProofInput(nonce: Uint8Array, responderId: string, challengerId: string): Buffer {
  const responder = Buffer.from(responderId);
  const challenger = Buffer.from(challengerId);
  return Buffer.concat([nonce, Buffer.of(responder.length & 0xff), responder, Buffer.of(challenger.length & 0xff), challenger]);
}

export function startV1Peer(options: {
  signalingUrl: string;
  room: string;
  peerId: string;
  authKey: Uint8Array;
  SimplePeer: SimplePeerConstructor;
  wrtc: WrtcLike;
}): { counters: V1Counters; close(): void } {
  const { peerId, authKey, SimplePeer, wrtc } = options;
  const counters: V1Counters = { connected: 0, upWith: [], authFailed: 0, badFrame: 0 };
  const links = new Map<string, { session: string; peer: SimplePeerInstance }>();
  const socket = io(options.signalingUrl, { transports: ['websocket'], reconnection: false });
  const proof = (nonce: Uint8Array, responder: string, challenger: string): Buffer =>
    createHmac('sha256', authKey).update(v1ProofInput(nonce, responder, challenger)).digest();

  const connect = (remote: string, initiator: boolean, session: string): SimplePeerInstance => {
    links.get(remote)?.peer.destroy();
    const peer = new SimplePeer({ initiator, trickle: true, channelName: 'meshraft', config: { iceServers: [] }, wrtc });
    links.set(remote, { session, peer });
    const nonce = randomBytes(32);
    let verified = false;
    peer.on('signal', (sig) => socket.emit('signal', { to: remote, data: { s: session, sig } }));
    peer.on('error', () => undefined);
    peer.on('connect', () => {
      counters.connected += 1;
      peer.send(Buffer.concat([Buffer.of(2), nonce]));
    });
    peer.on('data', (data: Uint8Array) => {
      const frame = Buffer.from(data);
      if (frame[0] === 2 && frame.length === 33) {
        peer.send(Buffer.concat([Buffer.of(3), proof(frame.subarray(1), peerId, remote)]));
      } else if (frame[0] === 3 && frame.length === 33) {
        if (timingSafeEqual(frame.subarray(1), proof(nonce, remote, peerId))) {
          verified = true;
          peer.send(Buffer.of(4));
        } else {
          counters.authFailed += 1;
          peer.destroy();
        }
      } else if (frame[0] === 4 && frame.length === 1 && verified) {
        counters.upWith.push(remote);
      } else {
        counters.badFrame += 1;
      }
    });
    return peer;
  };

  const dialIfInitiator = (remote: string): void => {
    if (peerId < remote) connect(remote, true, newSessionId());
  };
  socket.on('connect', () => {
    socket.emit('join', { room: options.room, peerId }, (ack: { ok: boolean; peers?: string[] }) => {
      for (const remote of ack.peers ?? []) dialIfInitiator(remote);
    });
  });
  socket.on('peer-joined', ({ peerId: remote }: { peerId: string }) => dialIfInitiator(remote));
  socket.on('signal', ({ from, data }: { from: string; data: { s?: string; sig?: PeerSignal } }) => {
    if (typeof data?.s !== 'string' || data.sig === undefined) return;
    const link = links.get(from);
    if (link !== undefined && link.session === data.s) link.peer.signal(data.sig);
    else if (peerId > from && data.sig.type === 'offer') connect(from, false, data.s).signal(data.sig);
  });
  return {
    counters,
    close: () => {
      for (const { peer } of links.values()) peer.destroy();
      socket.disconnect();
    },
  };
}

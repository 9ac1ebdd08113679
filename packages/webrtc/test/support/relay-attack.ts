// A malicious signaling server that puts itself in the middle of a connection: it answers the
// dialling peer's offer with its own WebRTC peer ("leg" facing the initiator), dials the other peer
// with a second one, and relays every data-channel frame between the two legs unchanged. It also
// tries the cheap tricks a keyless relay has: it reflects the initiator's proof back to it, and
// injects an application frame on each leg as soon as it opens.
import { encodeDataFrame, FrameKind, payloadPerFrame } from '../../src/framing';
import { fingerprintsOf } from '../../src/fingerprints';
import { newSessionId } from '../../src/signal-envelope';
import type { PeerSignal, SimplePeerConstructor, SimplePeerInstance, WrtcLike } from '../../src/types';
import { startHostileSignaling, type HostileSignaling } from './hostile-signaling';

/** What the relay saw, so a test can check the attack really ran. */
export interface RelayLog {
  /** Frames relayed from the initiator to the responder and back, by frame kind. */
  toResponder: number[];
  toInitiator: number[];
  /** Raw frames, for re-checking proofs in the test. */
  frames: { direction: 'toResponder' | 'toInitiator'; bytes: Uint8Array }[];
  /** Canonical fingerprints of each leg (latest round): relay side and honest side. */
  legs: { initiator: { relay: string; honest: string } | null; responder: { relay: string; honest: string } | null };
  rounds: number;
}

interface Leg {
  peer: SimplePeerInstance;
  open: boolean;
  pending: Uint8Array[];
}

type Envelope = { s?: unknown; sig?: PeerSignal };

/** Starts the relay between `initiatorId` and `responderId` (initiatorId < responderId, so the first dials). */
export async function startRelayAttack(options: {
  SimplePeer: SimplePeerConstructor;
  wrtc: WrtcLike;
  initiatorId: string;
  responderId: string;
}): Promise<{ server: HostileSignaling; log: RelayLog; close(): Promise<void> }> {
  const { SimplePeer, wrtc, initiatorId, responderId } = options;
  const log: RelayLog = { toResponder: [], toInitiator: [], frames: [], legs: { initiator: null, responder: null }, rounds: 0 };
  let initiatorLeg: Leg | null = null;
  let responderLeg: Leg | null = null;
  let initiatorSession = '';
  let responderSession = '';
  const all: SimplePeerInstance[] = [];

  const newLeg = (initiator: boolean, onSignal: (sig: PeerSignal) => void): Leg => {
    const peer = new SimplePeer({ initiator, trickle: true, channelName: 'meshraft', config: { iceServers: [] }, wrtc });
    all.push(peer);
    const leg: Leg = { peer, open: false, pending: [] };
    peer.on('signal', onSignal);
    peer.on('error', () => undefined);
    peer.on('connect', () => {
      leg.open = true;
      // A keyless injection: an application frame before any handshake.
      peer.send(encodeDataFrame('control', 0, Uint8Array.of(0xee), 0, payloadPerFrame(16 * 1024)));
      for (const frame of leg.pending.splice(0)) peer.send(frame);
    });
    return leg;
  };
  const sendOn = (leg: Leg | null, frame: Uint8Array): void => {
    if (leg === null || leg.peer.destroyed) return;
    if (leg.open) leg.peer.send(frame);
    else leg.pending.push(frame);
  };
  const legFingerprints = (leg: Leg) => {
    const pc = (leg.peer as unknown as { _pc?: { localDescription?: { sdp?: string }; remoteDescription?: { sdp?: string } } })._pc;
    const relay = fingerprintsOf(pc?.localDescription?.sdp);
    const honest = fingerprintsOf(pc?.remoteDescription?.sdp);
    return relay !== null && honest !== null ? { relay, honest } : null;
  };

  const startRound = (server: HostileSignaling, offer: PeerSignal): void => {
    for (const leg of [initiatorLeg, responderLeg]) leg?.peer.destroy();
    log.rounds += 1;
    responderSession = newSessionId();
    const toInitiator = newLeg(false, (sig) => server.deliver(initiatorId, responderId, { s: initiatorSession, sig }));
    const toResponder = newLeg(true, (sig) => server.deliver(responderId, initiatorId, { s: responderSession, sig }));
    initiatorLeg = toInitiator;
    responderLeg = toResponder;
    toInitiator.peer.on('data', (data: Uint8Array) => {
      const frame = new Uint8Array(data);
      log.toResponder.push(frame[0]);
      log.frames.push({ direction: 'toResponder', bytes: frame });
      log.legs.initiator = legFingerprints(toInitiator);
      sendOn(toResponder, frame);
      if (frame[0] === FrameKind.proof) sendOn(toInitiator, frame); // reflection attempt
    });
    toResponder.peer.on('data', (data: Uint8Array) => {
      const frame = new Uint8Array(data);
      log.toInitiator.push(frame[0]);
      log.frames.push({ direction: 'toInitiator', bytes: frame });
      log.legs.responder = legFingerprints(toResponder);
      sendOn(toInitiator, frame);
    });
    toInitiator.peer.signal(offer);
  };

  const server = await startHostileSignaling({
    onSignal(from, to, data, srv) {
      const envelope = data as Envelope;
      if (from === initiatorId && to === responderId && typeof envelope.s === 'string' && envelope.sig) {
        if (envelope.sig.type === 'offer') {
          initiatorSession = envelope.s;
          startRound(srv, envelope.sig);
        } else if (envelope.s === initiatorSession) {
          initiatorLeg?.peer.signal(envelope.sig);
        }
        return;
      }
      if (from === responderId && to === initiatorId && envelope.s === responderSession && envelope.sig) {
        responderLeg?.peer.signal(envelope.sig);
        return;
      }
      // hello/reset envelopes: passed on unchanged (they name sessions the other side does not know).
      srv.deliver(to, from, data);
    },
  });
  return {
    server,
    log,
    close: async () => {
      for (const peer of all) if (!peer.destroyed) peer.destroy();
      await server.close();
    },
  };
}

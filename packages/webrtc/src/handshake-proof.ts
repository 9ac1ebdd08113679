// The proof each side of a link gives in handshake v2: HMAC-SHA256(authKey, transcript).
//
// The transcript binds everything that identifies this one connection, as both honest ends see it:
// a domain label (the proof means nothing anywhere else), the prover's role (a proof cannot be
// reflected back to its maker), the room, both peer ids, both fresh nonces, and both DTLS certificate
// fingerprints. A machine in the middle (a malicious signaling server terminating both connections)
// has its own certificates on each leg, so the two honest ends compute different transcripts and a
// relayed proof fails. Every field is length-prefixed (u32), so ids of any length cannot collide.
import { bufferSource, lengthPrefixed, subtle, utf8 } from './bytes';

export const HANDSHAKE_VERSION = 2;
export const HANDSHAKE_LABEL = 'meshraft handshake v2';

/** Who made the proof: the initiator (the peer that dialled, it proves first) or the responder. */
export type ProofRole = 'initiator' | 'responder';

export interface HandshakeTranscript {
  room: string;
  initiatorId: string;
  responderId: string;
  initiatorNonce: Uint8Array;
  responderNonce: Uint8Array;
  /** Canonical fingerprint lists (see fingerprints.ts) of each side's DTLS certificate. */
  initiatorFingerprints: string;
  responderFingerprints: string;
}

/** The bytes the HMAC covers. Exported for tests of the encoding. */
export function proofInput(prover: ProofRole, t: HandshakeTranscript): Uint8Array<ArrayBuffer> {
  return lengthPrefixed([
    utf8.encode(HANDSHAKE_LABEL),
    utf8.encode(prover),
    utf8.encode(t.room),
    utf8.encode(t.initiatorId),
    utf8.encode(t.responderId),
    t.initiatorNonce,
    t.responderNonce,
    utf8.encode(t.initiatorFingerprints),
    utf8.encode(t.responderFingerprints),
  ]);
}

export async function computeProof(key: CryptoKey, prover: ProofRole, t: HandshakeTranscript): Promise<Uint8Array> {
  return new Uint8Array(await subtle().sign('HMAC', key, proofInput(prover, t)));
}

/** Checks a proof in constant time (WebCrypto's HMAC verify). Never throws: bad input is false. */
export async function verifyProof(
  key: CryptoKey,
  prover: ProofRole,
  t: HandshakeTranscript,
  proof: Uint8Array,
): Promise<boolean> {
  try {
    return await subtle().verify('HMAC', key, bufferSource(proof), proofInput(prover, t));
  } catch {
    return false;
  }
}

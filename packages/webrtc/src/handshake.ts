// Handshake v2 of one link, run on the freshly opened (ordered, reliable, DTLS-protected) channel
// before any application frame:
//
//   both      HELLO(version 2, nonce)
//   initiator PROOF_I = HMAC(authKey, transcript, prover "initiator")   once it has both nonces
//   responder verifies PROOF_I; only then PROOF_R = HMAC(..., prover "responder")
//   initiator verifies PROOF_R; sends AUTH_OK and is up
//   responder is up on AUTH_OK
//   either    REFUSE(reason, version) before closing when it refuses the other's version or proof,
//             so both ends count and log the refusal instead of one of them timing out
//
// The transcript (handshake-proof.ts) binds the room, both ids, both nonces and both DTLS
// fingerprints. The responder never proves anything to a peer that has not proved itself first.
// The initiator has to go first (someone must); its proof is useless to whoever receives it: it is
// bound to this connection's certificates and nonces and to the initiator role, so it cannot be
// replayed, relayed to the real responder or reflected, and as an offline test of a guessed key it
// costs the same slow KDF run as the public room id already does (group-key.ts).
//
// AUTH_OK precedes every application frame on the ordered channel, so an application frame that
// arrives before this side is up comes from a peer that skipped the handshake (PeerLink drops it).
import { randomBytes } from './bytes';
import type { LinkFingerprints } from './fingerprints';
import {
  encodeAuthOk,
  encodeHello,
  encodeLegacyProof,
  encodeProof,
  encodeRefuse,
  NONCE_BYTES,
  RefuseReason,
  type Frame,
} from './framing';
import { computeProof, HANDSHAKE_VERSION, verifyProof, type HandshakeTranscript, type ProofRole } from './handshake-proof';
import type { LinkRefusal } from './types';

export type HandshakeFrame = Extract<Frame, { kind: 'legacy' | 'hello' | 'proof' | 'authOk' | 'refuse' }>;

export interface HandshakeContext {
  authKey: CryptoKey;
  room: string;
  localId: string;
  remoteId: string;
  /** This side's role: the initiator is the peer that dialled. */
  role: ProofRole;
}

export interface HandshakeIo {
  send(frame: Uint8Array): void;
  /** Read when a proof is made or checked (the descriptions are set by then). */
  fingerprints(): LinkFingerprints | null;
  up(): void;
  /** `farewell`: a frame to send before closing, so the other side fails clearly too. */
  refuse(reason: LinkRefusal, detail: string, farewell: Uint8Array | null): void;
}

export class Handshake {
  private readonly nonce = randomBytes(NONCE_BYTES);
  private remoteNonce: Uint8Array | null = null;
  private started = false;
  private proving = false;
  private proofSent = false;
  private proofReceived = false;
  private finished = false;

  constructor(
    private readonly ctx: HandshakeContext,
    private readonly io: HandshakeIo,
  ) {}

  /** The channel is open: say hello. Frames may have arrived before this. */
  start(): void {
    if (this.started || this.finished) return;
    this.started = true;
    this.io.send(encodeHello(HANDSHAKE_VERSION, this.nonce));
    this.maybeProveFirst();
  }

  /** The link closed: late crypto results are ignored. */
  abort(): void {
    this.finished = true;
  }

  onFrame(frame: HandshakeFrame): void {
    if (this.finished) return;
    switch (frame.kind) {
      case 'legacy':
        // v1 opened with CHALLENGE and had no version field. A bogus v1 proof makes a v1 peer fail
        // its check (a counted auth failure) instead of waiting for its timeout.
        this.refuse('versionMismatch', 'peer speaks handshake v1; this peer speaks v2', encodeLegacyProof(randomBytes(32)));
        return;
      case 'hello':
        this.onHello(frame.version, frame.body);
        return;
      case 'proof':
        this.onProof(frame.proof);
        return;
      case 'authOk':
        if (this.ctx.role === 'responder' && this.proofSent) this.finish();
        else this.refuse('protocol', 'unexpected AUTH_OK', null);
        return;
      case 'refuse':
        if (frame.reason === RefuseReason.version) {
          this.refuse('versionMismatch', `peer refused us: it speaks handshake v${frame.version}, this peer v${HANDSHAKE_VERSION}`, null);
        } else if (frame.reason === RefuseReason.auth) {
          this.refuse('authFailed', 'peer rejected our proof (another group key, or a machine in the middle of the connection)', null);
        } else {
          this.refuse('protocol', `peer refused us (reason ${frame.reason})`, null);
        }
        return;
    }
  }

  private onHello(version: number, body: Uint8Array): void {
    if (this.remoteNonce !== null) return this.refuse('protocol', 'second HELLO', null);
    if (version !== HANDSHAKE_VERSION) {
      return this.refuse(
        'versionMismatch',
        `peer speaks handshake v${version}; this peer speaks v${HANDSHAKE_VERSION}`,
        encodeRefuse(RefuseReason.version, HANDSHAKE_VERSION),
      );
    }
    if (body.length !== NONCE_BYTES) return this.refuse('protocol', 'malformed HELLO', null);
    if (body.every((b, i) => b === this.nonce[i])) return this.refuse('reflected', 'peer echoed our own HELLO', null);
    this.remoteNonce = body;
    this.maybeProveFirst();
  }

  private onProof(proof: Uint8Array): void {
    if (this.proofReceived) return this.refuse('protocol', 'second PROOF', null);
    this.proofReceived = true;
    const initiator = this.ctx.role === 'initiator';
    // The responder proves only after it checked ours, so its proof cannot precede ours.
    if (initiator ? !this.proofSent : !this.started || this.remoteNonce === null) {
      return this.refuse('protocol', 'PROOF out of order', null);
    }
    const transcript = this.transcript();
    if (transcript === null) return;
    const prover: ProofRole = initiator ? 'responder' : 'initiator';
    void verifyProof(this.ctx.authKey, prover, transcript, proof).then((ok) => {
      if (this.finished) return;
      if (!ok) {
        // Telling the prover its proof failed reveals nothing it did not know; it lets an honest
        // initiator with a stale key count and log the refusal instead of timing out.
        this.refuse(
          'authFailed',
          'wrong proof (another group key, or a machine in the middle of the connection)',
          encodeRefuse(RefuseReason.auth, HANDSHAKE_VERSION),
        );
      } else if (initiator) {
        this.io.send(encodeAuthOk());
        this.finish();
      } else {
        this.sendProof(transcript);
      }
    });
  }

  private maybeProveFirst(): void {
    if (this.ctx.role !== 'initiator' || !this.started || this.remoteNonce === null || this.proving) return;
    const transcript = this.transcript();
    if (transcript !== null) this.sendProof(transcript);
  }

  private sendProof(transcript: HandshakeTranscript): void {
    this.proving = true;
    computeProof(this.ctx.authKey, this.ctx.role, transcript).then(
      (proof) => {
        if (this.finished) return;
        this.io.send(encodeProof(proof));
        this.proofSent = true;
      },
      () => this.refuse('protocol', 'cannot compute the proof', null),
    );
  }

  /** Null (and the link refused) when the fingerprints cannot be read. */
  private transcript(): HandshakeTranscript | null {
    const fingerprints = this.io.fingerprints();
    if (fingerprints === null || this.remoteNonce === null) {
      this.refuse('noFingerprint', 'cannot read the DTLS certificate fingerprints of this connection', null);
      return null;
    }
    const { localId, remoteId, room } = this.ctx;
    const initiator = this.ctx.role === 'initiator';
    return {
      room,
      initiatorId: initiator ? localId : remoteId,
      responderId: initiator ? remoteId : localId,
      initiatorNonce: initiator ? this.nonce : this.remoteNonce,
      responderNonce: initiator ? this.remoteNonce : this.nonce,
      initiatorFingerprints: initiator ? fingerprints.local : fingerprints.remote,
      responderFingerprints: initiator ? fingerprints.remote : fingerprints.local,
    };
  }

  private finish(): void {
    this.finished = true;
    this.io.up();
  }

  private refuse(reason: LinkRefusal, detail: string, farewell: Uint8Array | null): void {
    if (this.finished) return;
    this.finished = true;
    this.io.refuse(reason, detail, farewell);
  }
}

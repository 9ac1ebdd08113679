import { describe, expect, it } from 'vitest';
import { deriveRoomAndAuthKey, importAuthKey } from '../src/group-key';
import {
  computeProof,
  HANDSHAKE_LABEL,
  proofInput,
  verifyProof,
  type HandshakeTranscript,
  type ProofRole,
} from '../src/handshake-proof';
import { randomBytes } from '../src/bytes';

/** Splits a length-prefixed encoding back into its fields (fails on any inconsistency). */
function fields(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const length = view.getUint32(at);
    expect(at + 4 + length).toBeLessThanOrEqual(bytes.length);
    out.push(Buffer.from(bytes.subarray(at + 4, at + 4 + length)).toString('latin1'));
    at += 4 + length;
  }
  return out;
}

function transcript(over: Partial<HandshakeTranscript> = {}): HandshakeTranscript {
  return {
    room: 'room-0123456789abcdef',
    initiatorId: 'alice',
    responderId: 'bob',
    initiatorNonce: new Uint8Array(32).fill(1),
    responderNonce: new Uint8Array(32).fill(2),
    initiatorFingerprints: 'sha-256 AA:BB',
    responderFingerprints: 'sha-256 CC:DD',
    ...over,
  };
}

const keyOf = async (secret: string) => importAuthKey((await deriveRoomAndAuthKey(secret)).authKey);

describe('proof input', () => {
  it('length-prefixes every field with a u32, so long ids are encoded whole', () => {
    const longId = 'x'.repeat(300); // 300 & 0xff = 44: a one-byte prefix would be wrong
    const t = transcript({ initiatorId: longId, responderId: 'y'.repeat(256) });
    const decoded = fields(proofInput('initiator', t));
    expect(decoded).toEqual([
      HANDSHAKE_LABEL,
      'initiator',
      t.room,
      longId,
      'y'.repeat(256),
      '\x01'.repeat(32),
      '\x02'.repeat(32),
      'sha-256 AA:BB',
      'sha-256 CC:DD',
    ]);
  });

  it('differs whenever a field boundary moves or the prover role changes', () => {
    const a = proofInput('initiator', transcript({ initiatorId: 'ab', responderId: 'c' }));
    const b = proofInput('initiator', transcript({ initiatorId: 'a', responderId: 'bc' }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    const same = transcript({ initiatorId: 'p', responderId: 'p' });
    expect(Buffer.from(proofInput('initiator', same)).equals(Buffer.from(proofInput('responder', same)))).toBe(false);
  });
});

describe('HMAC proof', () => {
  it('verifies only for the same key, role, ids, nonces and fingerprints', async () => {
    const key = await keyOf('the right group key, long enough');
    const wrong = await keyOf('another group key, long enough!');
    const t = transcript({ initiatorNonce: randomBytes(32), responderNonce: randomBytes(32) });
    const proof = await computeProof(key, 'initiator', t);
    expect(await verifyProof(key, 'initiator', t, proof)).toBe(true);
    const fails: [string, CryptoKey, ProofRole, HandshakeTranscript, Uint8Array][] = [
      ['wrong key', wrong, 'initiator', t, proof],
      ['reflected (other role)', key, 'responder', t, proof],
      ['swapped ids', key, 'initiator', { ...t, initiatorId: t.responderId, responderId: t.initiatorId }, proof],
      ['other room', key, 'initiator', { ...t, room: 'room-fedcba9876543210' }, proof],
      ['replayed (new nonce)', key, 'initiator', { ...t, responderNonce: randomBytes(32) }, proof],
      ['relayed (other certificate)', key, 'initiator', { ...t, responderFingerprints: 'sha-256 EE:FF' }, proof],
      ['truncated proof', key, 'initiator', t, proof.subarray(0, 3)],
    ];
    for (const [what, k, role, tt, p] of fails) expect(await verifyProof(k, role, tt, p), what).toBe(false);
  });

  it('with equal ids, a proof still cannot be echoed back as the other role', async () => {
    const key = await keyOf('the right group key, long enough');
    const t = transcript({ initiatorId: 'same', responderId: 'same' });
    const proof = await computeProof(key, 'initiator', t);
    expect(await verifyProof(key, 'responder', t, proof)).toBe(false);
  });
});

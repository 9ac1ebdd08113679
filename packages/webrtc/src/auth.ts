// Key derivation and the peer authentication proof, on WebCrypto (browsers and Node 20).
//
// The group key never leaves the peer. The signaling server sees only a room id derived from it with
// HKDF (one-way), and peers prove knowledge of a second, independent HKDF output (the auth key) with
// an HMAC over a fresh challenge. Binding both peer ids into the proof stops a peer from reflecting a
// challenge back or replaying a proof made for someone else.

const encoder = new TextEncoder();
const HKDF_SALT = encoder.encode('meshraft/v1');
const ROOM_INFO = encoder.encode('meshraft room id');
const AUTH_INFO = encoder.encode('meshraft peer auth key');

export const MIN_AUTH_KEY_BYTES = 16;

function subtle(): SubtleCrypto {
  const crypto = globalThis.crypto;
  if (crypto?.subtle === undefined) throw new Error('WebCrypto (crypto.subtle) is not available');
  return crypto.subtle;
}

/** WebCrypto wants ArrayBuffer-backed views; copy when the input may be a SharedArrayBuffer view. */
function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Derives the signaling room id and the peer authentication key from the group key.
 * The room id is an HKDF output (43 chars of base64url); it reveals nothing usable about the key,
 * but a low-entropy key could be guessed offline from it, so use a random key (e.g. 16+ bytes).
 */
export async function deriveRoomAndAuthKey(key: string | Uint8Array): Promise<{ room: string; authKey: Uint8Array }> {
  const material = typeof key === 'string' ? encoder.encode(key) : key;
  if (!(material instanceof Uint8Array) || material.length === 0) {
    throw new TypeError('group key must be a non-empty string or Uint8Array');
  }
  const s = subtle();
  const base = await s.importKey('raw', bufferSource(material), 'HKDF', false, ['deriveBits']);
  const derive = async (info: Uint8Array<ArrayBuffer>): Promise<Uint8Array> =>
    new Uint8Array(await s.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info }, base, 256));
  const [roomBytes, authKey] = await Promise.all([derive(ROOM_INFO), derive(AUTH_INFO)]);
  return { room: base64url(roomBytes), authKey };
}

/** Imports the auth key once per mesh. */
export async function importAuthKey(authKey: Uint8Array): Promise<CryptoKey> {
  if (!(authKey instanceof Uint8Array) || authKey.length < MIN_AUTH_KEY_BYTES) {
    throw new RangeError(`authKey must be a Uint8Array of at least ${MIN_AUTH_KEY_BYTES} bytes`);
  }
  return subtle().importKey('raw', bufferSource(authKey), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

export function randomNonce(bytes = 32): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(bytes));
}

/** nonce || len(responderId) || responderId || len(challengerId) || challengerId (ids are ASCII). */
function proofInput(nonce: Uint8Array, responderId: string, challengerId: string): Uint8Array<ArrayBuffer> {
  const responder = encoder.encode(responderId);
  const challenger = encoder.encode(challengerId);
  const out = new Uint8Array(nonce.length + 2 + responder.length + challenger.length);
  let at = 0;
  out.set(nonce, at);
  at += nonce.length;
  out[at++] = responder.length & 0xff;
  out.set(responder, at);
  at += responder.length;
  out[at++] = challenger.length & 0xff;
  out.set(challenger, at);
  return out;
}

/** HMAC-SHA256(authKey, nonce || responderId || challengerId), computed by the responder. */
export async function computeProof(
  key: CryptoKey,
  nonce: Uint8Array,
  responderId: string,
  challengerId: string,
): Promise<Uint8Array> {
  const mac = await subtle().sign('HMAC', key, proofInput(nonce, responderId, challengerId));
  return new Uint8Array(mac);
}

/** Checks a proof in constant time (WebCrypto's HMAC verify). Never throws: bad input is false. */
export async function verifyProof(
  key: CryptoKey,
  nonce: Uint8Array,
  responderId: string,
  challengerId: string,
  proof: Uint8Array,
): Promise<boolean> {
  try {
    return await subtle().verify('HMAC', key, bufferSource(proof), proofInput(nonce, responderId, challengerId));
  } catch {
    return false;
  }
}

// Byte helpers shared by key derivation, invite links and the handshake transcript.

export const utf8 = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Concatenates fields, each preceded by its length as a big-endian u32, so no two different field
 * lists encode to the same bytes (a boundary cannot be moved from one field into the next).
 */
export function lengthPrefixed(fields: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let size = 0;
  for (const f of fields) size += 4 + f.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const f of fields) {
    view.setUint32(at, f.length);
    out.set(f, at + 4);
    at += 4 + f.length;
  }
  return out;
}

/** WebCrypto wants ArrayBuffer-backed views; copy when the input may be a SharedArrayBuffer view. */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export function subtle(): SubtleCrypto {
  const crypto = globalThis.crypto;
  if (crypto?.subtle === undefined) throw new Error('WebCrypto (crypto.subtle) is not available');
  return crypto.subtle;
}

export function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

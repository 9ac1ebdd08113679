// The cbor-x instances shared by the message and value codecs, and the byte-normalising helpers
// that keep every Uint8Array we hand out a plain, unaliased Uint8Array (never a Node Buffer, never a
// view into a caller's frame or into cbor-x's reused output buffer).
import { Decoder, Encoder } from 'cbor-x';

/**
 * Message and state frames: plain CBOR (no record extension, no string bundling, untagged byte
 * strings) so any CBOR reader can inspect them. They are decoded by schema-reader.ts, not cbor-x.
 */
export const messageEncoder = new Encoder({ useRecords: false, tagUint8Array: false, pack: false });

/**
 * User values: Uint8Array keeps its tag (cbor-x's default) and Map uses tag 259, so both survive a
 * round trip instead of degrading to Buffer / plain object (both are cbor-x defaults).
 */
export const valueEncoder = new Encoder({ useRecords: false, pack: false });

/**
 * User values (value-codec.ts, after its structural pre-scan). copyBuffers: decoded byte strings are
 * fresh copies, so they never pin the (possibly huge) input.
 */
export const valueDecoder = new Decoder({ useRecords: false, mapsAsObjects: true, copyBuffers: true });

/**
 * The same, but byte strings come out as views into the input: for an input its caller owns and
 * never changes (a group snapshot), where copying a 10 MB image twice (cbor-x copies once in
 * readBin and again for the Uint8Array tag) made one long task on the UI thread.
 */
export const valueViewDecoder = new Decoder({ useRecords: false, mapsAsObjects: true, copyBuffers: false });

/**
 * A plain Uint8Array view of `bytes`. cbor-x slices byte strings with the source's own species, so a
 * Buffer source would yield Buffers; it also caches a `dataView` property on the source object, which
 * must not leak onto the caller's array.
 */
export function plainView(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A fresh copy with its own ArrayBuffer (safe to keep, transfer or mutate). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  return out;
}

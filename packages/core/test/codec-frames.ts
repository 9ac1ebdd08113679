// Helpers for codec tests: build raw frames that bypass the codec's validation, read a valid
// message's positional wire form back, and ask which reason a frame is refused with.
import { decode as cborDecode, decodeMultiple, Encoder } from 'cbor-x';
import { encodeMessage, tryDecodeMessage } from '../src/codec/index';
import type { DecodeErrorReason } from '../src/errors';
import type { Message } from '../src/messages';

const raw = new Encoder({ useRecords: false, tagUint8Array: false, pack: false });

/** Encodes an arbitrary (possibly invalid) wire value as a frame, bypassing the codec's validation. */
export const frameOf = (value: unknown): Uint8Array => new Uint8Array(raw.encode(value));

/** A CBOR sequence (RFC 8742) of `items`: the wire form of an entries field. */
export function sequenceOf(items: unknown[]): Uint8Array {
  const parts = items.map((item) => frameOf(item));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The items of a CBOR sequence. */
export function itemsOf(sequence: Uint8Array): unknown[] {
  if (sequence.length === 0) return [];
  const items: unknown[] = [];
  decodeMultiple(sequence, (item: unknown) => {
    items.push(item);
  });
  return items;
}

/** The positional wire form of a valid message, to be mutated by a test. */
export const wireOf = (message: Message): [number, number, unknown[]] => cborDecode(encodeMessage(message)) as [number, number, unknown[]];

export function reasonOf(bytes: Uint8Array, maxMessageBytes?: number): DecodeErrorReason | 'ok' {
  const result = tryDecodeMessage(bytes, { maxMessageBytes });
  return result.ok ? 'ok' : result.error.reason;
}

/** The head of a CBOR unsigned integer of `value` in its 8-byte form (major type 0, additional info 27). */
export function uint64(value: bigint): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = 0x1b;
  new DataView(out.buffer).setBigUint64(1, value);
  return out;
}

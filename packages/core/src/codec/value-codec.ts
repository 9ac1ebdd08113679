// Generic value encoding for the Group layer (user commands, queries, results, snapshots).
// Supported: plain objects, arrays, strings, numbers, booleans, null, undefined, Uint8Array, Map.
// Both directions check the value against that list, so what decodes is exactly what could have been
// encoded: no Dates, Sets, RegExps, Errors, BigInts or cycles smuggled in through CBOR tags.
import { DecodeError, InvalidInputError } from '../errors';
import { copyBytes, plainView, valueDecoder, valueEncoder, valueViewDecoder } from './cbor';
import { DecodeBudget } from './decode-budget';
import { CODEC_LIMITS } from './limits';
import { DEFAULT_MAX_MESSAGE_BYTES, type CodecOptions } from './message-codec';
import { scanValue } from './value-scan';
import { describe, ShapeError } from './wire-error';

/** Deeper values are refused (also what stops reference cycles built with CBOR tags 28/29). */
export const MAX_VALUE_DEPTH = 256;

/** Returns a description of the first unsupported part of `value`, or null when all of it is supported. */
export function unsupportedPart(value: unknown, depth = 0): string | null {
  if (depth > MAX_VALUE_DEPTH) return `nesting deeper than ${MAX_VALUE_DEPTH}`;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return null;
    case 'object': {
      if (value === null || value instanceof Uint8Array) return null;
      if (Array.isArray(value)) return firstProblem(value, depth);
      if (value instanceof Map) {
        for (const [key, item] of value) {
          const problem = unsupportedPart(key, depth + 1) ?? unsupportedPart(item, depth + 1);
          if (problem !== null) return problem;
        }
        return null;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return `unsupported object ${describe(value)}`;
      // cbor-x decodes such a key as "__proto_" (it never sets a prototype from data), so the value
      // would not round-trip; JSON.parse makes them from user input.
      if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return 'an own "__proto__" key (use a Map for arbitrary keys)';
      return firstProblem(Object.values(value), depth);
    }
    default:
      return `unsupported ${typeof value}`;
  }
}

function firstProblem(items: readonly unknown[], depth: number): string | null {
  for (const item of items) {
    const problem = unsupportedPart(item, depth + 1);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * The checked encoding of `value` in cbor-x's reused output buffer: copy it before the next encode.
 * Throws InvalidInputError on unsupported input.
 */
function encodeToScratch(value: unknown): Uint8Array {
  const problem = unsupportedPart(value);
  if (problem !== null) throw new InvalidInputError(`cannot encode value: ${problem}`);
  return valueEncoder.encode(value);
}

/** Encodes a structured value into a fresh Uint8Array; throws InvalidInputError on unsupported input. */
export function encodeValue(value: unknown): Uint8Array {
  return copyBytes(encodeToScratch(value));
}

/**
 * Encodes several values (a proposal's commands): like encodeValue on each, but every result is a
 * view into one fresh buffer. A separate ArrayBuffer per small command cost more than encoding it;
 * the views are never transferred (a port packs them first) and nothing else shares the buffer.
 */
export function encodeValues(values: readonly unknown[]): Uint8Array[] {
  if (values.length === 1) return [encodeValue(values[0])];
  let buffer = new Uint8Array(Math.max(256, values.length * 64));
  const ends: number[] = [];
  let offset = 0;
  for (const value of values) {
    const encoded = encodeToScratch(value);
    if (offset + encoded.byteLength > buffer.byteLength) {
      const grown = new Uint8Array(Math.max(2 * buffer.byteLength, offset + encoded.byteLength));
      grown.set(buffer.subarray(0, offset));
      buffer = grown;
    }
    buffer.set(encoded, offset);
    offset += encoded.byteLength;
    ends.push(offset);
  }
  let start = 0;
  return ends.map((end) => {
    const view = buffer.subarray(start, end);
    start = end;
    return view;
  });
}

/**
 * Decodes a value produced by encodeValue. Throws DecodeError (only) on bad input. Before cbor-x sees
 * the bytes, a pre-scan (value-scan.ts) refuses indefinite lengths, tags other than Uint8Array/Map,
 * nesting deeper than MAX_VALUE_DEPTH and input whose decoding would allocate more than
 * valueBudgetFloorBytes + valueBudgetPerFrameByte x its size ('too-large').
 */
export function decodeValue(bytes: Uint8Array, options?: CodecOptions): unknown {
  return decodeCheckedValue(bytes, options, valueDecoder);
}

/**
 * decodeValue, except that every byte string of the result is a view into `bytes`, not a copy. For
 * a caller that owns `bytes` and never changes it (a group snapshot's image), so the views stay
 * valid; the views keep all of `bytes` alive as long as any of them is.
 */
export function decodeValueSharingBytes(bytes: Uint8Array, options?: CodecOptions): unknown {
  return decodeCheckedValue(bytes, options, valueViewDecoder);
}

function decodeCheckedValue(bytes: Uint8Array, options: CodecOptions | undefined, decoder: typeof valueDecoder): unknown {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError(`cannot decode value: got ${describe(bytes)}`, 'bad-cbor');
  const max = options?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (bytes.byteLength > max) throw new DecodeError(`value of ${bytes.byteLength} bytes exceeds ${max}`, 'too-large');
  const view = plainView(bytes);
  try {
    const budget = DecodeBudget.forFrame(bytes.byteLength, CODEC_LIMITS.valueBudgetFloorBytes, CODEC_LIMITS.valueBudgetPerFrameByte);
    scanValue(view, MAX_VALUE_DEPTH + 1, budget);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new DecodeError(`cannot decode value (${error.reason}): ${error.problem}`, error.reason);
  }
  let value: unknown;
  try {
    value = decoder.decode(view);
  } catch (error) {
    const detail = error instanceof Error ? error.message.slice(0, 200) : 'cbor-x failure';
    throw new DecodeError(`cannot decode value (bad-cbor): ${detail}`, 'bad-cbor');
  }
  const problem = unsupportedPart(value);
  if (problem !== null) throw new DecodeError(`cannot decode value (bad-shape): ${problem}`, 'bad-shape');
  return value;
}

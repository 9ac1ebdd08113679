// Encoding and decoding of wire messages.
//
// Frame = CBOR array [CODEC_VERSION, typeCode, body], body in the positional form of its schema
// (message-schemas.ts). Decoding never lets anything but a DecodeError out, and is bounded before
// it builds anything: the frame size cap is checked before a byte is read, the type's own size cap
// once the three-byte envelope head is read, and then the body is read against its schema with
// every allocation charged to a budget proportional to the frame size (schema-reader.ts).
import { DecodeError, InvalidInputError, type DecodeErrorReason } from '../errors';
import type { Message, MessageType } from '../messages';
import { copyBytes, messageEncoder, plainView } from './cbor';
import { CborReader, MAJOR } from './cbor-reader';
import { DecodeBudget } from './decode-budget';
import { CODEC_LIMITS } from './limits';
import { MESSAGE_SCHEMAS, MESSAGE_TYPE_BY_CODE, sizeClassLimit } from './message-schemas';
import { toWire } from './schema';
import { DecodeContext, readSpec, trailing } from './schema-reader';
import { describe, ShapeError } from './wire-error';

/**
 * Version of the wire format. A frame carrying another version is rejected with 'bad-version'.
 * 2: bounded integers (CODEC_LIMITS), integers above 2^32 as CBOR integers (never floats), entries
 *    as a byte string holding a CBOR sequence, ids bounded in UTF-8 bytes, per-type frame caps.
 * 3: a Departure notice carries `knew`, the voters its sender knew had departed before it.
 * Stored state has a version of its own (STATE_CODEC_VERSION): a wire change never makes a
 * profile's stored bytes unreadable.
 */
export const CODEC_VERSION = 3;

/** Default cap on a frame's size: larger frames are rejected before decoding ('too-large'). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface CodecOptions {
  /** Frames larger than this are refused (on decode: 'too-large'; on encode: InvalidInputError). */
  maxMessageBytes?: number;
}

export type DecodeResult = { ok: true; message: Message } | { ok: false; error: DecodeError };

/**
 * Encodes a message into a fresh Uint8Array. The message is validated against its schema on the way,
 * so a malformed message is a host bug reported here (InvalidInputError) rather than a silent drop at
 * the receiver.
 */
export function encodeMessage(message: Message, options?: CodecOptions): Uint8Array {
  const type = (message as { type?: unknown } | null)?.type;
  const schema = typeof type === 'string' && Object.hasOwn(MESSAGE_SCHEMAS, type) ? MESSAGE_SCHEMAS[type as MessageType] : undefined;
  if (!schema) throw new InvalidInputError(`cannot encode a message of unknown type ${describe(type)}`);
  let body: unknown;
  try {
    body = toWire(schema.body, message);
  } catch (error) {
    if (error instanceof ShapeError) throw new InvalidInputError(`cannot encode ${type} (${error.reason}): ${error.toString()}`);
    throw error;
  }
  const frame = copyBytes(messageEncoder.encode([CODEC_VERSION, schema.code, body]));
  const max = sizeClassLimit(schema.size, options?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
  if (frame.byteLength > max) throw new InvalidInputError(`${type} frame of ${frame.byteLength} bytes exceeds ${max}`);
  return frame;
}

/** Decodes and validates a frame; throws DecodeError (and nothing else) on any problem. */
export function decodeMessage(bytes: Uint8Array, options?: CodecOptions): Message {
  const result = tryDecodeMessage(bytes, options);
  if (!result.ok) throw result.error;
  return result.message;
}

/** Like decodeMessage, but never throws. */
export function tryDecodeMessage(bytes: Uint8Array, options?: CodecOptions): DecodeResult {
  try {
    return { ok: true, message: decodeFrame(bytes, options?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES) };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, error };
    if (error instanceof ShapeError) return { ok: false, error: fail(error.reason, error.toString()) };
    // Not reachable by design; kept so a bug in a validator still cannot crash a transport.
    return { ok: false, error: fail('bad-shape', `validator failure: ${String(error)}`) };
  }
}

function fail(reason: DecodeErrorReason, detail: string): DecodeError {
  return new DecodeError(`cannot decode message (${reason}): ${detail}`, reason);
}

function decodeFrame(input: Uint8Array, maxBytes: number): Message {
  if (!(input instanceof Uint8Array)) throw fail('bad-cbor', `expected a Uint8Array, got ${describe(input)}`);
  // Checked first: a hostile peer must not make us parse 1 GB to find out it is junk.
  if (input.byteLength > maxBytes) throw fail('too-large', `frame of ${input.byteLength} bytes exceeds ${maxBytes}`);
  const r = new CborReader(plainView(input));
  r.head();
  if (r.major !== MAJOR.array || r.arg === 0) throw fail('bad-shape', `expected a frame array, got ${r.describeHead()}`);
  const length = r.arg;
  if (r.head() !== MAJOR.uint || r.arg !== CODEC_VERSION) {
    throw fail('bad-version', `frame version ${r.describeHead()}, this codec speaks ${CODEC_VERSION}`);
  }
  if (length !== 3) throw fail('bad-shape', `expected [version, type, body], got ${length} elements`);
  if (r.head() !== MAJOR.uint) throw fail('bad-shape', `type code is ${r.describeHead()}`);
  const type = MESSAGE_TYPE_BY_CODE.get(r.arg);
  if (type === undefined) throw fail('unknown-type', `type code ${r.arg}`);
  const schema = MESSAGE_SCHEMAS[type];
  const limit = sizeClassLimit(schema.size, maxBytes);
  if (input.byteLength > limit) throw fail('too-large', `${type} frame of ${input.byteLength} bytes exceeds ${limit}`);
  const budget = DecodeBudget.forFrame(input.byteLength, CODEC_LIMITS.decodeBudgetFloorBytes, CODEC_LIMITS.decodeBudgetPerFrameByte);
  let body: Record<string, unknown>;
  try {
    body = readSpec(schema.body, r, new DecodeContext(budget)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ShapeError) throw fail(error.reason, `${type}.${error.toString()}`);
    throw error;
  }
  if (!r.atEnd()) throw fail('bad-cbor', trailing(r).problem);
  return { type, ...body } as unknown as Message;
}

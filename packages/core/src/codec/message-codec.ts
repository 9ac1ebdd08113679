// Encoding and decoding of wire messages.
//
// Frame = CBOR array [CODEC_VERSION, typeCode, body], body in the positional form of its schema
// (message-schemas.ts). Decoding never lets anything but a DecodeError out: the size cap is checked
// before cbor-x sees a byte, cbor-x failures become 'bad-cbor', and every field is validated.
import { DecodeError, InvalidInputError, type DecodeErrorReason } from '../errors';
import type { Message, MessageType } from '../messages';
import { copyBytes, messageEncoder, plainView, sharedDecoder } from './cbor';
import { MESSAGE_SCHEMAS, MESSAGE_TYPE_BY_CODE } from './message-schemas';
import { describe, fromWire, ShapeError, toWire } from './schema';

/** Version of the frame layout. A frame carrying another version is rejected with 'bad-version'. */
export const CODEC_VERSION = 1;

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
    if (error instanceof ShapeError) throw new InvalidInputError(`cannot encode ${type}: ${error.toString()}`);
    throw error;
  }
  const frame = copyBytes(messageEncoder.encode([CODEC_VERSION, schema.code, body]));
  const max = options?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
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
    if (error instanceof ShapeError) return { ok: false, error: fail('bad-shape', error.toString()) };
    // Not reachable by design; kept so a bug in a validator still cannot crash a transport.
    return { ok: false, error: fail('bad-shape', `validator failure: ${String(error)}`) };
  }
}

function fail(reason: DecodeErrorReason, detail: string): DecodeError {
  return new DecodeError(`cannot decode message (${reason}): ${detail}`, reason);
}

function decodeFrame(bytes: Uint8Array, maxBytes: number): Message {
  if (!(bytes instanceof Uint8Array)) throw fail('bad-cbor', `expected a Uint8Array, got ${describe(bytes)}`);
  // Checked first: a hostile peer must not make us parse 1 GB to find out it is junk.
  if (bytes.byteLength > maxBytes) throw fail('too-large', `frame of ${bytes.byteLength} bytes exceeds ${maxBytes}`);
  let raw: unknown;
  try {
    raw = sharedDecoder.decode(plainView(bytes));
  } catch (error) {
    // cbor-x throws plain Errors and RangeErrors (truncation, deep nesting); all mean "not CBOR we accept".
    throw fail('bad-cbor', error instanceof Error ? error.message.slice(0, 200) : 'cbor-x failure');
  }
  if (!Array.isArray(raw) || raw.length === 0) throw fail('bad-shape', `expected a frame array, got ${describe(raw)}`);
  if (raw[0] !== CODEC_VERSION) throw fail('bad-version', `frame version ${describe(raw[0])}, this codec speaks ${CODEC_VERSION}`);
  if (raw.length !== 3) throw fail('bad-shape', `expected [version, type, body], got ${raw.length} elements`);
  const code: unknown = raw[1];
  if (typeof code !== 'number' || !Number.isSafeInteger(code)) throw fail('bad-shape', `type code is ${describe(code)}`);
  const type = MESSAGE_TYPE_BY_CODE.get(code);
  if (type === undefined) throw fail('unknown-type', `type code ${code}`);
  try {
    const body = fromWire(MESSAGE_SCHEMAS[type].body, raw[2]) as Record<string, unknown>;
    return { type, ...body } as unknown as Message;
  } catch (error) {
    if (error instanceof ShapeError) throw fail('bad-shape', `${type}.${error.toString()}`);
    throw error;
  }
}

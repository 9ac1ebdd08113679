// Fuzzing the decoder: random bytes, mutated valid frames and structurally hostile CBOR must only ever
// produce a DecodeError (decodeMessage) or an { ok: false } result (tryDecodeMessage).
import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODEC_VERSION, decodeMessage, decodeValue, decodeValueSharingBytes, encodeMessage, tryDecodeMessage } from '../src/codec/index';
import { MESSAGE_SCHEMAS } from '../src/codec/message-schemas';
import { DecodeError } from '../src/errors';
import type { Message } from '../src/messages';
import { messageArb } from './codec-arbitraries';

const raw = new Encoder({ useRecords: false });

/** Decodes with both entry points; fails the property if anything but a DecodeError escapes. */
function decodeSafely(bytes: Uint8Array): Message | null {
  const result = tryDecodeMessage(bytes); // must not throw at all
  try {
    const message = decodeMessage(bytes);
    expect(result.ok).toBe(true);
    return message;
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    expect(result.ok).toBe(false);
    return null;
  }
}

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 9 }) }),
);

function mutate(frame: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = Array.from(frame);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    if (m.kind === 'flip' && bytes.length > 0) bytes[at] = m.value;
    if (m.kind === 'truncate') bytes = bytes.slice(0, at);
    if (m.kind === 'insert') bytes.splice(at, 0, ...m.bytes);
    if (m.kind === 'delete') bytes.splice(at, m.count);
  }
  return new Uint8Array(bytes);
}

/** Arbitrary CBOR-able junk, including shapes that look almost right. */
const junkArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double(),
    fc.constantFrom(-1, 2 ** 53, Number.NaN, Infinity, -0, null, undefined, true, false, '__proto__', 'constructor'),
    fc.string({ maxLength: 10 }),
    fc.uint8Array({ maxLength: 8 }),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'term', 'a'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('decoder fuzzing', () => {
  it('random bytes never throw anything but DecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void decodeSafely(bytes)), { numRuns: 3000 });
  });

  it('random bytes behind a valid envelope prefix never throw anything but DecodeError', () => {
    const codes = Object.values(MESSAGE_SCHEMAS).map((s) => s.code);
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.uint8Array({ maxLength: 120 }), (code, tail) => {
        void decodeSafely(new Uint8Array([0x83, CODEC_VERSION, code, ...tail]));
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated valid frames never throw anything but DecodeError; survivors re-encode identically', () => {
    fc.assert(
      fc.property(messageArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (message, mutations) => {
        const decoded = decodeSafely(mutate(encodeMessage(message), mutations));
        // A mutation that still decodes must have produced a fully valid message.
        if (decoded !== null) expect(decodeMessage(encodeMessage(decoded))).toEqual(decoded);
      }),
      { numRuns: 2000 },
    );
  });

  it('hostile CBOR values in the body of every message type yield DecodeError, never a crash; what decodes is a valid message', () => {
    const codes = Object.values(MESSAGE_SCHEMAS).map((s) => s.code);
    fc.assert(
      fc.property(fc.constantFrom(...codes), junkArb, (code, junk) => {
        const decoded = decodeSafely(new Uint8Array(raw.encode([CODEC_VERSION, code, junk])));
        if (decoded !== null) expect(decodeMessage(encodeMessage(decoded))).toEqual(decoded);
      }),
      { numRuns: 2000 },
    );
  });

  it('deep nesting and huge declared lengths are rejected, and the decoder keeps working afterwards', () => {
    const deep = new Uint8Array(200_000).fill(0x81); // [[[[...]]]] beyond any stack
    deep[deep.length - 1] = 0x00;
    expect(tryDecodeMessage(deep)).toMatchObject({ ok: false, error: { reason: 'bad-version' } }); // refused at byte 2
    const deepBody = new Uint8Array([0x83, CODEC_VERSION, MESSAGE_SCHEMAS.AppendEntries.code, ...deep]);
    expect(tryDecodeMessage(deepBody)).toMatchObject({ ok: false, error: { reason: 'bad-shape' } });
    // array header claiming 2^32-1 elements, map header claiming 2^32-1 pairs, 4 GiB byte string
    for (const header of [[0x9a, 0xff, 0xff, 0xff, 0xff], [0xba, 0xff, 0xff, 0xff, 0xff], [0x5a, 0xff, 0xff, 0xff, 0xff]]) {
      expect(tryDecodeMessage(new Uint8Array([0x83, CODEC_VERSION, 0x08, ...header]))).toMatchObject({ ok: false, error: { reason: 'bad-cbor' } });
    }
    const heartbeat: Message = { type: 'Heartbeat', term: 1, commit: 1, round: 1 };
    expect(decodeMessage(encodeMessage(heartbeat))).toEqual(heartbeat);
  });

  it('does not pollute Object.prototype: a message body refuses maps, and decoded values keep __proto__ keys as plain data', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "a": {"constructor": {"prototype": {"polluted": 1}}}}') as unknown;
    const frame = new Uint8Array(raw.encode([CODEC_VERSION, MESSAGE_SCHEMAS.Heartbeat.code, hostile]));
    expect(tryDecodeMessage(frame)).toMatchObject({ ok: false, error: { reason: 'bad-shape' } });
    // Application values (commands, query results, snapshots) are decoded as objects: a map key
    // __proto__ must not become the decoded object's prototype, nor reach Object.prototype.
    const bytes = new Uint8Array(raw.encode(hostile));
    for (const decode of [decodeValue, decodeValueSharingBytes]) {
      const value = decode(bytes) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(value.polluted).toBeUndefined();
      expect((value.a as Record<string, unknown>).polluted).toBeUndefined();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

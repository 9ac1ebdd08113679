// Generic value codec (Group layer commands/queries) and the storage state helpers.
import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeHardState,
  decodeLogEntry,
  decodePersistedState,
  decodeSnapshot,
  decodeValue,
  encodeHardState,
  encodeLogEntry,
  encodePersistedState,
  encodeSnapshot,
  encodeValue,
  MAX_WIRE_INTEGER,
} from '../src/codec/index';
import { encodeValues } from '../src/codec/value-codec';
import { DecodeError, InvalidInputError } from '../src/errors';
import { bytesArb, entryRunArb, logEntryArb, snapshotMetaArb } from './codec-arbitraries';

/** Structured values of the supported kinds (keys avoid __proto__, which CBOR decoders rename). */
const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 12 }),
    fc.double().map((x) => (Object.is(x, -0) ? 0 : x)), // -0 is covered by its own test below
    fc.integer(),
    fc.maxSafeInteger(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 4, noNullPrototype: true }),
    fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), tie('value')), { maxLength: 4 }).map((pairs) => new Map(pairs)),
  ),
})).value;

describe('encodeValue / decodeValue', () => {
  it('round-trips arbitrary structured values (objects, arrays, Map, Uint8Array, numbers...)', () => {
    fc.assert(fc.property(valueArb, (value) => {
      expect(decodeValue(encodeValue(value))).toEqual(value);
    }), { numRuns: 500 });
  });

  it('documents the one lossy case: -0 decodes as 0 (CBOR integer encoding), NaN/Infinity survive', () => {
    expect(Object.is(decodeValue(encodeValue(-0)), 0)).toBe(true);
    expect(decodeValue(encodeValue([Number.NaN, Infinity, -Infinity]))).toEqual([Number.NaN, Infinity, -Infinity]);
  });

  it('keeps Uint8Array and Map types exactly', () => {
    const decoded = decodeValue(encodeValue({ bytes: new Uint8Array([1, 2]), map: new Map<unknown, unknown>([[1, 'one'], ['k', [true]]]) })) as {
      bytes: Uint8Array;
      map: Map<unknown, unknown>;
    };
    expect(Object.getPrototypeOf(decoded.bytes)).toBe(Uint8Array.prototype);
    expect(decoded.map).toBeInstanceOf(Map);
    expect(decoded.map.get(1)).toBe('one');
    expect(Object.getPrototypeOf(decodeValue(encodeValue(Buffer.from([7]))))).toBe(Uint8Array.prototype);
  });

  it('refuses unsupported values on encode', () => {
    for (const bad of [() => 1, Symbol('s'), 10n, new Date(0), new Set([1]), new (class Point { x = 1; })(), [new Date(0)], { a: { b: /x/ } }]) {
      expect(() => encodeValue(bad), String(bad)).toThrow(InvalidInputError);
    }
    const deep: unknown[] = [];
    let cursor = deep;
    for (let i = 0; i < 300; i++) cursor = (cursor[0] = []) as unknown[];
    expect(() => encodeValue(deep)).toThrow(InvalidInputError);
  });

  it('refuses an object with an own "__proto__" key (JSON.parse makes them), which would decode renamed; a Map keeps that key', () => {
    const parsed = JSON.parse('{"__proto__": {"a": 1}, "__proto_": "kept", "b": 2}') as unknown;
    expect(() => encodeValue(parsed)).toThrow(/"__proto__"/);
    expect(() => encodeValue({ nested: [parsed] })).toThrow(InvalidInputError);
    const map = new Map<string, unknown>([['__proto__', { a: 1 }], ['__proto_', 'kept']]);
    expect(decodeValue(encodeValue(map))).toEqual(map);
  });

  it('decodes hostile bytes to a DecodeError only (bad-cbor, bad-shape for smuggled tags, too-large)', () => {
    const foreign = new Encoder({ useRecords: false });
    expect(() => decodeValue(new Uint8Array([0xff]))).toThrow(DecodeError);
    expect(() => decodeValue(new Uint8Array(foreign.encode({ when: new Date(0) })))).toThrow(expect.objectContaining({ reason: 'bad-shape' }));
    expect(() => decodeValue(new Uint8Array(foreign.encode(new Set([1]))))).toThrow(expect.objectContaining({ reason: 'bad-shape' }));
    expect(() => decodeValue(new Uint8Array(100), { maxMessageBytes: 10 })).toThrow(expect.objectContaining({ reason: 'too-large' }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      try {
        decodeValue(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
      }
    }), { numRuns: 2000 });
  });
});

describe('encodeValues (a proposal\'s commands in one buffer)', () => {
  it('gives each value the bytes encodeValue gives it, as views of one buffer', () => {
    fc.assert(fc.property(fc.array(valueArb, { minLength: 1, maxLength: 40 }), (values) => {
      const encoded = encodeValues(values);
      expect(encoded.map((bytes) => [...bytes])).toEqual(values.map((value) => [...encodeValue(value)]));
      if (encoded.length > 1) expect(new Set(encoded.map((bytes) => bytes.buffer)).size).toBe(1);
    }), { numRuns: 300 });
  });

  it('grows past its first estimate for large values', () => {
    const big = 'x'.repeat(10_000);
    const encoded = encodeValues([1, big, { big }, 2]);
    expect(encoded.map((bytes) => decodeValue(bytes))).toEqual([1, big, { big }, 2]);
  });

  it('refuses a batch with one unsupported value, naming it', () => {
    expect(() => encodeValues([1, new Date(0), 2])).toThrow(InvalidInputError);
    expect(() => encodeValues([1, new Date(0), 2])).toThrow(/Date/);
  });
});

describe('state codec helpers', () => {
  it('round-trip log entries, hard states, snapshots and whole persisted states', () => {
    fc.assert(
      fc.property(
        logEntryArb,
        fc.record({ term: fc.nat({ max: MAX_WIRE_INTEGER }), vote: fc.option(fc.string({ maxLength: 10 }), { nil: null }), commit: fc.nat({ max: MAX_WIRE_INTEGER }) }),
        fc.record({ meta: snapshotMetaArb, data: bytesArb }),
        entryRunArb(5, 2, 9),
        (entry, hardState, snapshot, entries) => {
          expect(decodeLogEntry(encodeLogEntry(entry))).toEqual(entry);
          expect(decodeHardState(encodeHardState(hardState))).toEqual(hardState);
          expect(decodeSnapshot(encodeSnapshot(snapshot))).toEqual(snapshot);
          const state = { hardState, snapshot, entries };
          expect(decodePersistedState(encodePersistedState(state))).toEqual(state);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reject malformed input with DecodeError', () => {
    expect(() => decodeLogEntry(encodeHardState({ term: 1, vote: null, commit: 0 }))).toThrow(DecodeError);
    expect(() => decodeSnapshot(new Uint8Array([0x82, 0x09, 0x80]))).toThrow(expect.objectContaining({ reason: 'bad-version' }));
    expect(() => encodeLogEntry({ kind: 'noop', index: 0, term: 1 })).toThrow(InvalidInputError);
  });
});

// Numbers a peer may send: every integer field is bounded by CODEC_LIMITS (so the engine's own
// arithmetic on received values stays exact), cross-field sums are bounded too, integers must be
// CBOR integers (never floats or -0), ids are bounded in UTF-8 bytes, and each message type has its
// own frame size cap.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODEC_LIMITS, CODEC_VERSION, decodeMessage, encodeMessage, MAX_WIRE_INTEGER } from '../src/codec/index';
import { MESSAGE_SCHEMAS } from '../src/codec/message-schemas';
import type { Spec } from '../src/codec/schema';
import { InvalidInputError } from '../src/errors';
import type { Message, MessageType } from '../src/messages';
import { messageArbs } from './codec-arbitraries';
import { frameOf, reasonOf, sequenceOf, wireOf } from './codec-frames';

const UNSAFE = 2n ** 53n - 1n; // Number.MAX_SAFE_INTEGER as a CBOR integer

const code = (type: MessageType): number => MESSAGE_SCHEMAS[type].code;
const frame = (type: MessageType, body: unknown[]): Uint8Array => frameOf([CODEC_VERSION, code(type), body]);

/** Field positions holding a uint in the wire form of `message` (records and the variant of a union). */
function uintPositions(type: MessageType, message: Message): Array<{ name: string; at: number; max: number }> {
  const spec = MESSAGE_SCHEMAS[type].body;
  let fields: Record<string, Spec>;
  let offset = 0;
  if (spec.kind === 'record') fields = { ...spec.fields };
  else if (spec.kind === 'union') {
    const variant = spec.variants.find((v) => v.tag === (message as unknown as Record<string, unknown>)[spec.tag])!;
    fields = { ...variant.fields };
    offset = 1;
  } else throw new Error(`unexpected body kind ${spec.kind}`);
  const positions: Array<{ name: string; at: number; max: number }> = [];
  Object.entries(fields).forEach(([name, field], i) => {
    const inner = field.kind === 'optional' ? field.of : field;
    if (inner.kind === 'uint') positions.push({ name, at: offset + i, max: inner.max });
  });
  return positions;
}

/** Integer fields whose limit, put alone into a sampled message, breaks a cross-field rule. */
const CROSS_FIELD = new Set([
  'AppendEntries.prevLogIndex', // prevLogIndex + entries <= maxIndex
  'AppendEntries.prevLogTerm', // prevLogTerm <= term
  'FetchEntriesRequest.from', // from <= to
  'FetchEntriesRequest.to', // to - from < maxEntriesPerMessage
  'FetchSnapshotRequest.offset', // offset + length <= maxSnapshotBytes
  'FetchSnapshotResponse.offset', // offset + data <= totalSize
  'LogTailRequest.lastIndex', // lastIndex < upTo
]);

describe('integer bounds', () => {
  it('every integer field of every message type refuses 2^53-1 and its limit + 1 (out-of-range), and takes its limit', () => {
    for (const type of Object.keys(MESSAGE_SCHEMAS) as MessageType[]) {
      const [message] = fc.sample(messageArbs[type], { numRuns: 1, seed: 7 });
      const [v, c, body] = wireOf(message);
      const positions = uintPositions(type, message);
      for (const { name, at, max } of positions) {
        for (const hostile of [UNSAFE, BigInt(max) + 1n]) {
          const mutated = [...body];
          mutated[at] = hostile;
          expect(reasonOf(frameOf([v, c, mutated])), `${type}.${name} = ${hostile}`).toBe('out-of-range');
        }
        // The limit itself passes the field's bound; a few fields are also under a cross-field rule
        // that the sampled message breaks at the limit (a sum, an order), tested on its own below.
        if (CROSS_FIELD.has(`${type}.${name}`)) continue;
        const atLimit = [...body];
        atLimit[at] = BigInt(max);
        expect(reasonOf(frameOf([v, c, atLimit])), `${type}.${name} = ${max}`).toBe('ok');
      }
      expect(positions.length, type).toBeGreaterThan(0);
    }
  });

  it('the probe frames: term 2^53-1 and a ForwardCommands at seq 2^53-1 are refused at decode', () => {
    expect(reasonOf(frame('Heartbeat', [UNSAFE, 1, 1]))).toBe('out-of-range');
    expect(reasonOf(frame('RequestVote', [UNSAFE, 0, 0, null]))).toBe('out-of-range');
    expect(reasonOf(frame('AppendEntries', [UNSAFE, 0, 0, sequenceOf([]), 0]))).toBe('out-of-range');
    const two = [new Uint8Array([1]), new Uint8Array([2])];
    expect(reasonOf(frame('ForwardCommands', [1, ['c', UNSAFE], two]))).toBe('out-of-range');
  });

  it('the limits themselves are accepted, and term + 1, index + n, seq + n, offset + length stay exact', () => {
    const max = MAX_WIRE_INTEGER;
    expect(Number.isSafeInteger(max * 31)).toBe(true); // headroom for sums of up to 31 bounded values
    const heartbeat = decodeMessage(frame('Heartbeat', [BigInt(max), BigInt(max), BigInt(max)]));
    expect(heartbeat).toEqual({ type: 'Heartbeat', term: max, commit: max, round: max });
    expect(Number.isSafeInteger((heartbeat as { term: number }).term + 1)).toBe(true);
  });

  it('cross-field: ForwardCommands seq + commands.length - 1 must stay within maxSeq', () => {
    const seq = CODEC_LIMITS.maxSeq;
    const one = [new Uint8Array([1])];
    const two = [new Uint8Array([1]), new Uint8Array([2])];
    expect(reasonOf(frame('ForwardCommands', [1, ['c', BigInt(seq)], one]))).toBe('ok');
    expect(reasonOf(frame('ForwardCommands', [1, ['c', BigInt(seq)], []]))).toBe('ok');
    expect(reasonOf(frame('ForwardCommands', [1, ['c', BigInt(seq)], two]))).toBe('out-of-range');
    expect(reasonOf(frame('ForwardCommands', [1, ['c', BigInt(seq - 1)], two]))).toBe('ok');
    const message: Message = { type: 'ForwardCommands', requestId: 1, client: { clientId: 'c', seq }, commands: two };
    expect(() => encodeMessage(message)).toThrow(InvalidInputError);
  });

  it('cross-field: FetchSnapshotRequest offset + length, chunk length, FetchEntriesRequest range width', () => {
    const max = BigInt(CODEC_LIMITS.maxSnapshotBytes);
    expect(reasonOf(frame('FetchSnapshotRequest', [1, 1, 1, max - 10n, 10]))).toBe('ok');
    expect(reasonOf(frame('FetchSnapshotRequest', [1, 1, 1, max - 10n, 11]))).toBe('out-of-range');
    expect(reasonOf(frame('FetchSnapshotRequest', [1, 1, 1, 0, CODEC_LIMITS.maxChunkBytes + 1]))).toBe('out-of-range');
    const width = CODEC_LIMITS.maxEntriesPerMessage;
    expect(reasonOf(frame('FetchEntriesRequest', [1, 1, width]))).toBe('ok');
    expect(reasonOf(frame('FetchEntriesRequest', [1, 1, width + 1]))).toBe('out-of-range');
  });

  it('cross-field: AppendEntries prevLogIndex + entries.length must stay within maxIndex', () => {
    const max = BigInt(CODEC_LIMITS.maxIndex);
    expect(reasonOf(frame('AppendEntries', [1, max - 1n, 1, sequenceOf([[0, max, 1]]), 0]))).toBe('ok');
    expect(reasonOf(frame('AppendEntries', [1, max, 1, sequenceOf([[0, max + 1n, 1]]), 0]))).toBe('out-of-range');
    const append: Message = { type: 'AppendEntries', term: 1, prevLogIndex: CODEC_LIMITS.maxIndex, prevLogTerm: 1, leaderCommit: 0, entries: [{ kind: 'noop', index: CODEC_LIMITS.maxIndex + 1, term: 1 }] };
    expect(() => encodeMessage(append)).toThrow(InvalidInputError);
  });

  it('cross-field: a LogTailRequest asks for something after its last entry; a LogTailResponse run continues its anchor', () => {
    expect(reasonOf(frame('LogTailRequest', [5, 2, 6]))).toBe('ok');
    expect(reasonOf(frame('LogTailRequest', [5, 2, 5]))).toBe('bad-shape');
    expect(reasonOf(frame('LogTailResponse', [5, 2, sequenceOf([[0, 6, 2], [0, 7, 3]])]))).toBe('ok');
    expect(reasonOf(frame('LogTailResponse', [5, 2, sequenceOf([[0, 7, 2]])]))).toBe('bad-shape'); // a gap after the anchor
    expect(reasonOf(frame('LogTailResponse', [5, 3, sequenceOf([[0, 6, 2]])]))).toBe('bad-shape'); // a term below the anchor's
    const max = BigInt(CODEC_LIMITS.maxIndex);
    expect(reasonOf(frame('LogTailResponse', [max, 1, sequenceOf([[0, max + 1n, 1]])]))).toBe('out-of-range');
  });

  it('encodeMessage refuses values above the limits (the engine can check against the same table)', () => {
    expect(() => encodeMessage({ type: 'Heartbeat', term: MAX_WIRE_INTEGER + 1, commit: 0, round: 0 })).toThrow(/out-of-range/);
    expect(() => encodeMessage({ type: 'TimeoutNow', term: Number.MAX_SAFE_INTEGER })).toThrow(InvalidInputError);
    expect(decodeMessage(encodeMessage({ type: 'TimeoutNow', term: MAX_WIRE_INTEGER }))).toEqual({ type: 'TimeoutNow', term: MAX_WIRE_INTEGER });
  });

  it('integers above 2^32 travel as CBOR integers, not floats', () => {
    const bytes = encodeMessage({ type: 'TimeoutNow', term: 2 ** 40 });
    expect(Array.from(bytes.subarray(bytes.length - 9))).toEqual([0x1b, 0, 0, 1, 0, 0, 0, 0, 0]);
  });
});

describe('integers must be CBOR integers', () => {
  // 1.0 as float64, float32 and float16; -0 and +0 as float16; 0 as a CBOR negative integer is impossible,
  // so -1 stands for major type 1.
  const floats: Array<[string, number[]]> = [
    ['float64 1.0', [0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]],
    ['float32 1.0', [0xfa, 0x3f, 0x80, 0, 0]],
    ['float16 1.0', [0xf9, 0x3c, 0x00]],
    ['float16 -0', [0xf9, 0x80, 0x00]],
    ['float64 -0', [0xfb, 0x80, 0, 0, 0, 0, 0, 0, 0]],
    ['float16 +0', [0xf9, 0x00, 0x00]],
    ['negative integer -1', [0x20]],
    ['bignum tag', [0xc2, 0x41, 0x01]],
  ];

  for (const [name, encoded] of floats) {
    it(`refuses ${name} in an integer field (bad-shape)`, () => {
      // Heartbeat [term, commit, round] with term replaced by the encoded number.
      const hostile = new Uint8Array([0x83, CODEC_VERSION, code('Heartbeat'), 0x83, ...encoded, 0x01, 0x01]);
      expect(reasonOf(hostile)).toBe('bad-shape');
      expect(reasonOf(new Uint8Array([0x83, CODEC_VERSION, code('Heartbeat'), 0x83, 0x01, 0x01, 0x01]))).toBe('ok');
    });
  }

  it('refuses a float entry index inside an entries sequence, a float type code and a float version', () => {
    const floatIndex = new Uint8Array([0x83, 0x00, 0xfb, 0x40, 0x24, 0, 0, 0, 0, 0, 0, 0x01]); // [0, 10.0, 1]
    expect(reasonOf(frame('AppendEntries', [1, 9, 1, floatIndex, 0]))).toBe('bad-shape');
    expect(reasonOf(frame('AppendEntries', [1, 9, 1, sequenceOf([[0, 10, 1]]), 0]))).toBe('ok');
    expect(reasonOf(new Uint8Array([0x83, CODEC_VERSION, 0xf9, 0x48, 0x00, 0x83, 1, 1, 1]))).toBe('bad-shape'); // type 8.0
    expect(reasonOf(new Uint8Array([0x83, 0xf9, 0x40, 0x00, code('Heartbeat'), 0x83, 1, 1, 1]))).toBe('bad-version'); // version 2.0
  });
});

describe('ids, versions and per-type frame caps', () => {
  const failure = (leader: string): Message => ({ type: 'ReadIndexResponse', requestId: 1, ok: false, error: 'not-leader', leader });

  it(`ids: up to ${CODEC_LIMITS.maxIdBytes} UTF-8 bytes, valid UTF-8 only`, () => {
    expect(decodeMessage(encodeMessage(failure('p'.repeat(CODEC_LIMITS.maxIdBytes))))).toEqual(failure('p'.repeat(CODEC_LIMITS.maxIdBytes)));
    expect(() => encodeMessage(failure('p'.repeat(CODEC_LIMITS.maxIdBytes + 1)))).toThrow(InvalidInputError);
    expect(() => encodeMessage(failure('\ud800'))).toThrow(InvalidInputError); // lone surrogate
    expect(decodeMessage(encodeMessage(failure('tab-é-😀')))).toEqual(failure('tab-é-😀'));
    const body = (id: Uint8Array): Uint8Array => new Uint8Array([0x83, CODEC_VERSION, code('ReadIndexResponse'), 0x84, 0x01, 0x01, 0x00, 0x60 + id.length, ...id]); // [false, requestId, error, leader]
    expect(reasonOf(body(new Uint8Array([0x61, 0x62])))).toBe('ok');
    expect(reasonOf(body(new Uint8Array([0xc3, 0x28])))).toBe('bad-cbor'); // invalid UTF-8
    expect(reasonOf(body(new Uint8Array([0xed, 0xa0, 0x80])))).toBe('bad-cbor'); // an encoded surrogate
  });

  it('a frame of another version (the previous one included) is refused with bad-version', () => {
    const [, c, body] = wireOf({ type: 'Heartbeat', term: 1, commit: 1, round: 1 });
    expect(reasonOf(frameOf([CODEC_VERSION - 1, c, body]))).toBe('bad-version');
    expect(reasonOf(frameOf([CODEC_VERSION, c, body]))).toBe('ok');
  });

  it('indefinite-length items are refused (bad-cbor)', () => {
    // [_ 2, 8, [1, 1, 1]] with an indefinite-length outer array
    expect(reasonOf(new Uint8Array([0x9f, CODEC_VERSION, code('Heartbeat'), 0x83, 1, 1, 1, 0xff]))).toBe('bad-cbor');
    expect(reasonOf(new Uint8Array([0x83, CODEC_VERSION, code('Heartbeat'), 0x9f, 1, 1, 1, 0xff]))).toBe('bad-cbor');
  });

  it('control messages are capped at maxControlFrameBytes, AvailabilityResponse at maxMembershipFrameBytes', () => {
    // A vote padded past the control cap: refused as too-large before its body is read.
    const padded = new Uint8Array(CODEC_LIMITS.maxControlFrameBytes + 1);
    padded.set([0x83, CODEC_VERSION, code('PreVote')]);
    expect(reasonOf(padded)).toBe('too-large');
    const big = new Uint8Array(CODEC_LIMITS.maxMembershipFrameBytes + 1);
    big.set([0x83, CODEC_VERSION, code('AvailabilityResponse')]);
    expect(reasonOf(big)).toBe('too-large');
    // The largest legitimate shapes fit.
    expect(encodeMessage(failure('p'.repeat(CODEC_LIMITS.maxIdBytes))).length).toBeLessThan(CODEC_LIMITS.maxControlFrameBytes);
    const ids = (prefix: string) => Array.from({ length: CODEC_LIMITS.maxMembers }, (_, i) => `${prefix}${i}`.padEnd(CODEC_LIMITS.maxIdBytes, 'x'));
    const availability: Message = {
      type: 'AvailabilityResponse', requestId: MAX_WIRE_INTEGER, senderTerm: MAX_WIRE_INTEGER, firstIndex: MAX_WIRE_INTEGER, committed: MAX_WIRE_INTEGER,
      snapshot: { index: MAX_WIRE_INTEGER, term: MAX_WIRE_INTEGER, size: MAX_WIRE_INTEGER, membership: { voters: ids('v'), learners: ids('l') } },
    };
    expect(decodeMessage(encodeMessage(availability))).toEqual(availability);
  });
});

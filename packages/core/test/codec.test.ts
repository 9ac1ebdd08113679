// Message codec: round trips of every message type, and one targeted case per decode-error reason.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { CborReader } from '../src/codec/cbor-reader';
import {
  CODEC_VERSION,
  createDecodeStats,
  decodeCounted,
  decodeMessage,
  encodeMessage,
} from '../src/codec/index';
import { MESSAGE_SCHEMAS } from '../src/codec/message-schemas';
import { DecodeError, InvalidInputError } from '../src/errors';
import type { Message, MessageType } from '../src/messages';
import type { LogEntry } from '../src/types';
import { messageArb, messageArbs } from './codec-arbitraries';
import { frameOf, itemsOf, reasonOf, sequenceOf, wireOf } from './codec-frames';

const heartbeat: Message = { type: 'Heartbeat', term: 3, commit: 7, round: 11 };
const append: Message = {
  type: 'AppendEntries',
  term: 4,
  prevLogIndex: 9,
  prevLogTerm: 2,
  leaderCommit: 9,
  entries: [
    { kind: 'noop', index: 10, term: 3 },
    { kind: 'command', index: 11, term: 4, data: new Uint8Array([1, 2, 3]), client: { clientId: 'c1', seq: 5 } },
    { kind: 'config', index: 12, term: 4, membership: { voters: ['a', 'b'], learners: ['c'] } },
  ],
};

describe('message codec round trip', () => {
  it('assigns every message type a distinct wire code', () => {
    const codes = Object.values(MESSAGE_SCHEMAS).map((s) => s.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  for (const type of Object.keys(messageArbs) as MessageType[]) {
    it(`round-trips arbitrary ${type} messages`, () => {
      fc.assert(
        fc.property(messageArbs[type], (message) => {
          expect(decodeMessage(encodeMessage(message))).toEqual(message);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('decodes bytes as plain Uint8Arrays that never alias the frame (never Buffer)', () => {
    const frame = encodeMessage(append);
    // Transports in Node hand us Buffers; the result must still be plain Uint8Array.
    const received = Buffer.from(frame);
    const decoded = decodeMessage(received) as Extract<Message, { type: 'AppendEntries' }>;
    const entry = decoded.entries[1];
    if (entry.kind !== 'command') throw new Error('expected a command');
    expect(Object.getPrototypeOf(entry.data)).toBe(Uint8Array.prototype);
    expect([...entry.data]).toEqual([1, 2, 3]);
    // A view into the decoder's own copy of the entries, never into the frame: the frame's owner
    // may reuse it, and the entries pin no more than their own bytes.
    expect(entry.data.buffer).not.toBe(received.buffer);
    expect(entry.data.buffer.byteLength).toBeLessThan(frame.byteLength);
    received.fill(0);
    expect([...entry.data]).toEqual([1, 2, 3]);
    // The entries of one frame share that copy (one allocation, not an ArrayBuffer per entry).
    const command = (index: number, data: Uint8Array): LogEntry => ({ kind: 'command', index, term: 4, data });
    const two = decodeMessage(encodeMessage({ ...append, entries: [command(10, Uint8Array.of(1, 2, 3)), command(11, Uint8Array.of(4))] }));
    if (two.type !== 'AppendEntries' || two.entries[0].kind !== 'command' || two.entries[1].kind !== 'command') throw new Error('expected two commands');
    expect(two.entries[1].data.buffer).toBe(two.entries[0].data.buffer);
    expect([...two.entries[1].data]).toEqual([4]);
    expect(Object.getPrototypeOf(encodeMessage(heartbeat))).toBe(Uint8Array.prototype);
  });

  it('decodes a bytes field outside entries as a copy with its own buffer', () => {
    const data = new Uint8Array(64).fill(5);
    const frame = encodeMessage({ type: 'FetchSnapshotResponse', requestId: 1, senderTerm: 2, index: 9, term: 2, offset: 0, data, totalSize: 64, meta: null });
    const decoded = decodeMessage(frame) as Extract<Message, { type: 'FetchSnapshotResponse' }>;
    expect(decoded.data.buffer.byteLength).toBe(64);
  });

  it('omits absent optional fields instead of decoding them as undefined keys', () => {
    const decoded = decodeMessage(encodeMessage({ type: 'RequestVote', term: 1, lastLogIndex: 0, lastLogTerm: 0 }));
    expect(Object.keys(decoded)).not.toContain('transfer');
  });

  it('returns fresh frames: encoding again does not overwrite an earlier result', () => {
    const first = encodeMessage(heartbeat);
    const copy = first.slice();
    for (let i = 0; i < 100; i++) encodeMessage({ ...heartbeat, round: i });
    expect(first).toEqual(copy);
  });

  it('round-trips a mixed batch of arbitrary messages', () => {
    fc.assert(fc.property(fc.array(messageArb, { maxLength: 5 }), (messages) => {
      for (const m of messages) expect(decodeMessage(encodeMessage(m))).toEqual(m);
    }), { numRuns: 100 });
  });
});

describe('encodeMessage rejects malformed messages (host bugs)', () => {
  const bad: Array<[string, unknown]> = [
    ['unknown type', { type: 'Nope', term: 1 }],
    ['negative term', { ...heartbeat, term: -1 }],
    ['fractional term', { ...heartbeat, term: 1.5 }],
    ['missing field', { type: 'Heartbeat', term: 1, commit: 1 }],
    ['bad enum', { type: 'RequestVoteResponse', term: 1, vote: 'maybe' }],
    ['non-contiguous entries', { ...append, entries: [{ kind: 'noop', index: 11, term: 3 }] }],
    ['data not bytes', { ...append, entries: [{ kind: 'command', index: 10, term: 3, data: [1, 2] }] }],
  ];
  for (const [name, message] of bad) {
    it(name, () => {
      expect(() => encodeMessage(message as Message)).toThrow(InvalidInputError);
    });
  }

  it('refuses a frame above maxMessageBytes', () => {
    const big: Message = { type: 'ForwardCommands', requestId: 1, client: { clientId: 'c', seq: 0 }, commands: [new Uint8Array(2000)] };
    expect(() => encodeMessage(big, { maxMessageBytes: 1000 })).toThrow(InvalidInputError);
  });
});

describe('each decode error reason', () => {
  it('too-large: checked before decoding', () => {
    const spy = vi.spyOn(CborReader.prototype, 'head');
    try {
      const junk = new Uint8Array(1025).fill(0xff); // would be bad-cbor if it were parsed
      expect(reasonOf(junk, 1024)).toBe('too-large');
      expect(reasonOf(encodeMessage(append), 16)).toBe('too-large');
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(reasonOf(encodeMessage(append))).toBe('ok'); // the default cap (64 MiB) lets it through
  });

  it('bad-cbor: truncated, trailing garbage, lone break, empty, not bytes', () => {
    const frame = encodeMessage(append);
    expect(reasonOf(frame.subarray(0, frame.length - 1))).toBe('bad-cbor');
    expect(reasonOf(new Uint8Array([...frame, 0x00]))).toBe('bad-cbor');
    expect(reasonOf(new Uint8Array([0xff]))).toBe('bad-cbor');
    expect(reasonOf(new Uint8Array([]))).toBe('bad-cbor');
    expect(reasonOf('hello' as unknown as Uint8Array)).toBe('bad-cbor');
  });

  it('bad-version: a well-formed frame of another version', () => {
    const [, code, body] = wireOf(heartbeat);
    expect(reasonOf(frameOf([CODEC_VERSION + 1, code, body]))).toBe('bad-version');
    expect(reasonOf(frameOf([0]))).toBe('bad-version');
    expect(reasonOf(frameOf(['1', code, body]))).toBe('bad-version');
  });

  it('unknown-type: a code no message has', () => {
    expect(reasonOf(frameOf([CODEC_VERSION, 999, [1, 2, 3]]))).toBe('unknown-type');
    expect(reasonOf(frameOf([CODEC_VERSION, 0, []]))).toBe('unknown-type');
  });

  it('bad-shape: envelope', () => {
    expect(reasonOf(frameOf({ v: 1, t: 8, b: [] }))).toBe('bad-shape');
    expect(reasonOf(frameOf([]))).toBe('bad-shape');
    expect(reasonOf(frameOf([CODEC_VERSION, 8]))).toBe('bad-shape');
    expect(reasonOf(frameOf([CODEC_VERSION, 'Heartbeat', [1, 2, 3]]))).toBe('bad-shape');
    expect(reasonOf(frameOf([CODEC_VERSION, 8.5, [1, 2, 3]]))).toBe('bad-shape');
  });

  it('bad-shape: wrong field types (negative, float, NaN, Infinity, string, bigint, null)', () => {
    const [v, code] = wireOf(heartbeat);
    for (const term of [-1, 1.5, Number.NaN, Infinity, '3', 2n ** 64n, null, true, new Uint8Array(1), 2 ** 53]) {
      expect(reasonOf(frameOf([v, code, [term, 7, 11]])), String(term)).toBe('bad-shape');
    }
    expect(reasonOf(frameOf([v, code, [3, 7]]))).toBe('bad-shape'); // missing field
    expect(reasonOf(frameOf([v, code, [3, 7, 11, 0]]))).toBe('bad-shape'); // extra field
  });

  it('bad-shape: prototype-pollution keys where a record belongs', () => {
    const [v, code] = wireOf(heartbeat);
    const hostile = new Uint8Array([0x83, CODEC_VERSION, code, 0xa1, 0x69, ...new TextEncoder().encode('__proto__'), 0xa1, 0x61, 0x78, 0x01]);
    expect(reasonOf(hostile)).toBe('bad-shape');
    expect(reasonOf(frameOf([v, code, { term: 3, commit: 7, round: 11 }]))).toBe('bad-shape');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('bad-shape: enum out of range, over-long id, too many members, duplicate member', () => {
    const vote = wireOf({ type: 'RequestVoteResponse', term: 1, vote: 'granted' });
    expect(reasonOf(frameOf([vote[0], vote[1], [1, 3]]))).toBe('bad-shape');
    expect(reasonOf(frameOf([vote[0], vote[1], [1, -1]]))).toBe('bad-shape');
    const [v, code, body] = wireOf(append);
    const withMembers = (voters: unknown, learners: unknown): unknown[] => {
      const entries = itemsOf(body[3] as Uint8Array) as unknown[][];
      entries[2][3] = [voters, learners];
      return [body[0], body[1], body[2], sequenceOf(entries), body[4]];
    };
    expect(reasonOf(frameOf([v, code, withMembers(['a'], ['b'])]))).toBe('ok');
    expect(reasonOf(frameOf([v, code, withMembers(['x'.repeat(128)], [])]))).toBe('ok');
    expect(reasonOf(frameOf([v, code, withMembers(['x'.repeat(129)], [])]))).toBe('bad-shape');
    expect(reasonOf(frameOf([v, code, withMembers(['é'.repeat(65)], [])]))).toBe('bad-shape'); // 130 UTF-8 bytes
    expect(reasonOf(frameOf([v, code, withMembers(Array.from({ length: 1025 }, (_, i) => `p${i}`), [])]))).toBe('bad-shape');
    expect(reasonOf(frameOf([v, code, withMembers(['a'], ['a'])]))).toBe('bad-shape');
  });

  it('bad-shape: non-contiguous or term-decreasing entries in AppendEntries', () => {
    const [v, code, body] = wireOf(append);
    const entries = itemsOf(body[3] as Uint8Array) as unknown[][];
    const withEntries = (list: unknown[]): Uint8Array => frameOf([v, code, [body[0], body[1], body[2], sequenceOf(list), body[4]]]);
    expect(reasonOf(withEntries(entries))).toBe('ok');
    expect(reasonOf(withEntries([entries[0], entries[2]]))).toBe('bad-shape'); // gap 10 -> 12
    expect(reasonOf(withEntries([entries[1]]))).toBe('bad-shape'); // does not follow prevLogIndex 9
    expect(reasonOf(withEntries([[0, 10, 1]]))).toBe('bad-shape'); // term 1 below prevLogTerm 2
    expect(reasonOf(withEntries([[0, 10, 5]]))).toBe('bad-shape'); // term above the message term 4
    expect(reasonOf(withEntries([[0, -1, 3]]))).toBe('bad-shape'); // negative index
    expect(reasonOf(withEntries([[7, 10, 3]]))).toBe('bad-shape'); // unknown entry kind
  });

  it('bad-shape: non-contiguous FetchEntriesResponse, inverted fetch range, chunk past totalSize', () => {
    const fetched = wireOf({ type: 'FetchEntriesResponse', requestId: 1, senderTerm: 1, entries: [] });
    const withFetched = (list: unknown[]): Uint8Array => frameOf([fetched[0], fetched[1], [1, 1, sequenceOf(list)]]);
    expect(reasonOf(withFetched([[0, 5, 1], [0, 6, 1]]))).toBe('ok');
    expect(reasonOf(withFetched([[0, 5, 1], [0, 7, 1]]))).toBe('bad-shape');
    expect(reasonOf(withFetched([[0, 6, 1], [0, 5, 1]]))).toBe('bad-shape');
    expect(reasonOf(withFetched([[0, 0, 1]]))).toBe('bad-shape'); // index 0
    expect(reasonOf(frameOf([fetched[0], fetched[1], [1, 1, [[0, 5, 1]]]]))).toBe('bad-shape'); // entries as an array, not a sequence
    const range = wireOf({ type: 'FetchEntriesRequest', requestId: 1, from: 1, to: 1 });
    expect(reasonOf(frameOf([range[0], range[1], [1, 9, 3]]))).toBe('bad-shape');
    const chunk = wireOf({ type: 'FetchSnapshotResponse', requestId: 1, senderTerm: 1, index: 1, term: 1, offset: 0, data: new Uint8Array(4), totalSize: 4, meta: null });
    expect(reasonOf(frameOf([chunk[0], chunk[1], [1, 1, 1, 1, 1, new Uint8Array(4), 4, null]]))).toBe('bad-shape');
    // an empty chunk ("no longer held") may echo any offset
    expect(reasonOf(frameOf([chunk[0], chunk[1], [1, 1, 1, 1, 4096, new Uint8Array(0), 0, null]]))).toBe('ok');
  });

  it('entries sequences: a cut or padded sequence is bad-cbor, a non-entry item bad-shape', () => {
    const [v, code, body] = wireOf(append);
    const sequence = body[3] as Uint8Array;
    const withSequence = (bytes: Uint8Array): Uint8Array => frameOf([v, code, [body[0], body[1], body[2], bytes, body[4]]]);
    expect(reasonOf(withSequence(sequence))).toBe('ok');
    expect(reasonOf(withSequence(sequence.subarray(0, sequence.length - 1)))).toBe('bad-cbor'); // last entry cut
    expect(reasonOf(withSequence(new Uint8Array([...sequence, 0x9f])))).toBe('bad-cbor'); // an indefinite-length item after the last entry
    expect(reasonOf(withSequence(new Uint8Array([...sequence, 0xa0])))).toBe('bad-shape'); // a map after the last entry
    expect(reasonOf(withSequence(new Uint8Array([0x80])))).toBe('bad-shape'); // an empty array is no entry
  });

  it('bad-shape: ForwardCommands with non-bytes commands', () => {
    const fwd = wireOf({ type: 'ForwardCommands', requestId: 1, client: { clientId: 'c', seq: 1 }, commands: [] });
    expect(reasonOf(frameOf([fwd[0], fwd[1], [1, ['c', 1], ['not bytes']]]))).toBe('bad-shape');
    expect(reasonOf(frameOf([fwd[0], fwd[1], [1, ['c', 1], [new Uint8Array(2)]]]))).toBe('ok');
  });

  it('decodeMessage throws the same DecodeError with its reason', () => {
    try {
      decodeMessage(frameOf([CODEC_VERSION, 999, []]));
      throw new Error('expected a DecodeError');
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as DecodeError).reason).toBe('unknown-type');
    }
  });
});

describe('DecodeStats', () => {
  it('counts decoded frames and drops per reason', () => {
    const stats = createDecodeStats();
    expect(decodeCounted(encodeMessage(heartbeat), stats)).toEqual(heartbeat);
    expect(decodeCounted(new Uint8Array([0xff]), stats)).toBeNull();
    expect(decodeCounted(frameOf([CODEC_VERSION, 999, []]), stats)).toBeNull();
    expect(decodeCounted(frameOf([CODEC_VERSION, 999, []]), stats)).toBeNull();
    expect(decodeCounted(new Uint8Array(100), stats, { maxMessageBytes: 10 })).toBeNull();
    expect(stats.decoded).toBe(1);
    expect(stats.dropped).toBe(4);
    expect(stats.byReason).toEqual({ 'too-large': 1, 'bad-cbor': 1, 'bad-version': 0, 'bad-shape': 0, 'unknown-type': 2, 'out-of-range': 0 });
    expect(stats.lastError).toContain('too-large');
  });
});

// Decoding memory is bounded by the frame, not by what the frame declares: hostile frames within the
// size cap (64 MiB of empty maps, floods of empty byte strings, deep nesting) are refused after
// reading a handful of item heads or within the decode budget, and legitimate large shapes still fit.
// Measured by counts (item heads read, budget charged) and heap growth, never by time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { valueDecoder } from '../src/codec/cbor';
import { CborReader } from '../src/codec/cbor-reader';
import { CODEC_LIMITS, CODEC_VERSION, decodeValue, encodeMessage, encodeValue, tryDecodeMessage } from '../src/codec/index';
import { MESSAGE_SCHEMAS } from '../src/codec/message-schemas';
import type { Message } from '../src/messages';
import type { LogEntry } from '../src/types';

const MiB = 1024 * 1024;
const code = (type: keyof typeof MESSAGE_SCHEMAS): number => MESSAGE_SCHEMAS[type].code;

/** `count` copies of `item` after `prefix`, with `head` (a CBOR head declaring them) in between. */
function flood(prefix: number[], head: number[], item: number, count: number): Uint8Array {
  const bytes = new Uint8Array(prefix.length + head.length + count).fill(item);
  bytes.set(prefix);
  bytes.set(head, prefix.length);
  return bytes;
}

/** CBOR head of major type `major` with a 4-byte argument. */
const head32 = (major: number, n: number): number[] => [(major << 5) | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

function heapGrowth<T>(run: () => T): { result: T; growth: number } {
  const before = process.memoryUsage().heapUsed;
  const result = run();
  return { result, growth: process.memoryUsage().heapUsed - before };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('hostile frames inside the size cap', () => {
  const count = 64 * MiB - 16;
  const envelope = [0x83, CODEC_VERSION];

  const cases: Array<[string, () => Uint8Array, string]> = [
    ['a bare array of 64M empty maps', () => flood([], head32(4, count), 0xa0, count), 'bad-version'],
    ['64M empty maps as an AppendEntries body', () => flood([...envelope, code('AppendEntries')], head32(4, count), 0xa0, count), 'bad-shape'],
    ['64M empty maps as the entries sequence', () => flood([...envelope, code('AppendEntries'), 0x85, 1, 0, 0], head32(2, count), 0xa0, count), 'bad-shape'],
    ['64M empty maps as ForwardCommands commands', () => flood([...envelope, code('ForwardCommands'), 0x83, 1, 0x82, 0x61, 0x63, 0], head32(4, count), 0xa0, count), 'bad-shape'],
    ['64M nested arrays', () => flood([...envelope, code('AppendEntries')], [], 0x81, count + 5), 'bad-shape'],
  ];

  for (const [name, build, reason] of cases) {
    it(`${name}: refused (${reason}) after reading a few item heads, heap growth far below the frame size`, () => {
      const frame = build();
      expect(frame.byteLength).toBeLessThanOrEqual(64 * MiB); // inside the default cap
      const heads = vi.spyOn(CborReader.prototype, 'head');
      const { result, growth } = heapGrowth(() => tryDecodeMessage(frame));
      expect(result).toMatchObject({ ok: false, error: { reason } });
      expect(heads.mock.calls.length).toBeLessThanOrEqual(16);
      expect(growth).toBeLessThan(4 * frame.byteLength);
      expect(growth).toBeLessThan(4 * MiB);
    });
  }

  it('a flood of empty byte strings (the costliest item per byte) is refused within the decode budget', () => {
    const n = CODEC_LIMITS.maxCommandsPerMessage;
    const frame = flood([...envelope, code('ForwardCommands'), 0x83, 1, 0x82, 0x61, 0x63, 0], head32(4, n), 0x40, n);
    const budget = CODEC_LIMITS.decodeBudgetFloorBytes + CODEC_LIMITS.decodeBudgetPerFrameByte * frame.byteLength;
    const heads = vi.spyOn(CborReader.prototype, 'head');
    const { result, growth } = heapGrowth(() => tryDecodeMessage(frame));
    expect(result).toMatchObject({ ok: false, error: { reason: 'too-large' } });
    // Each empty byte string is charged about 230 bytes: the decoder stopped long before the end.
    expect(heads.mock.calls.length).toBeLessThan(budget / 200);
    expect(growth).toBeLessThan(budget + 16 * MiB); // what was built before the refusal, plus slack for the test itself
  });

  it('decodeValue: 16 MiB of empty maps is refused by the pre-scan before cbor-x allocates anything', () => {
    const n = 16 * MiB - 8;
    const value = flood([], head32(4, n), 0xa0, n);
    const cbor = vi.spyOn(valueDecoder, 'decode');
    const { growth } = heapGrowth(() => expect(() => decodeValue(value)).toThrow(expect.objectContaining({ reason: 'too-large' })));
    expect(cbor).not.toHaveBeenCalled();
    expect(growth).toBeLessThan(4 * MiB);
    // Deep nesting and indefinite lengths never reach cbor-x either.
    expect(() => decodeValue(new Uint8Array(100_000).fill(0x81))).toThrow(expect.objectContaining({ reason: 'bad-shape' }));
    expect(() => decodeValue(new Uint8Array([0x9f, 0x01, 0xff]))).toThrow(expect.objectContaining({ reason: 'bad-cbor' }));
    expect(() => decodeValue(new Uint8Array([0xd8, 0x40, 0x01]))).toThrow(expect.objectContaining({ reason: 'bad-shape' })); // tag 64 on a number
    expect(cbor).not.toHaveBeenCalled();
  });
});

describe('legitimate large messages still fit the budget', () => {
  const client = { clientId: 'peer-0123456789abcdef/1x2y3z', seq: 1 };

  it('an AppendEntries of 20,000 one-byte command entries and a 2,000-entry catch-up chunk', () => {
    const entries: LogEntry[] = Array.from({ length: 20_000 }, (_, i) => ({
      kind: 'command', index: 2 ** 33 + i + 1, term: 7, data: new Uint8Array([i & 0xff]), client: { ...client, seq: i },
    }));
    const append: Message = { type: 'AppendEntries', term: 7, prevLogIndex: 2 ** 33, prevLogTerm: 7, entries, leaderCommit: 2 ** 33 };
    const decoded = tryDecodeMessage(encodeMessage(append));
    expect(decoded).toEqual({ ok: true, message: append });
    const chunk: Message = { type: 'FetchEntriesResponse', requestId: 3, senderTerm: 7, entries: entries.slice(0, 2000) };
    expect(tryDecodeMessage(encodeMessage(chunk))).toEqual({ ok: true, message: chunk });
  });

  it('a ForwardCommands of 30,000 one-byte commands (the default proposal limit is 10,000)', () => {
    const commands = Array.from({ length: 30_000 }, (_, i) => new Uint8Array([i & 0xff]));
    const forward: Message = { type: 'ForwardCommands', requestId: 1, client, commands };
    expect(tryDecodeMessage(encodeMessage(forward))).toEqual({ ok: true, message: forward });
  });

  it('a 32 MiB snapshot chunk and a 32 MiB command', () => {
    const data = new Uint8Array(32 * MiB).fill(7);
    const chunk: Message = { type: 'FetchSnapshotResponse', requestId: 1, senderTerm: 2, index: 10, term: 2, offset: 0, data, totalSize: data.length, meta: null };
    const result = tryDecodeMessage(encodeMessage(chunk));
    expect(result.ok && result.message.type === 'FetchSnapshotResponse' && result.message.data.length).toBe(data.length);
    const forward: Message = { type: 'ForwardCommands', requestId: 1, client, commands: [data] };
    expect(tryDecodeMessage(encodeMessage(forward)).ok).toBe(true);
  });

  it('user values: 200,000 small objects decode', () => {
    const value = Array.from({ length: 200_000 }, (_, i) => ({ id: i, ok: true }));
    expect(decodeValue(encodeValue(value))).toEqual(value);
  });
});

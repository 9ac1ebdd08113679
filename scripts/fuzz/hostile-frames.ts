// Frames a hostile or broken peer could send, by kind: random bytes, valid and mutated frames of
// every type, hostile numbers in integer fields (limits, overflow, floats, -0, negatives, tags),
// cross-field overflow, huge declared lengths, deep nesting, structural junk, and the two memory
// bombs (64 MiB of empty maps; a megabyte of empty byte strings).
import { Encoder } from 'cbor-x';
import { CODEC_LIMITS, CODEC_VERSION, encodeMessage } from '../../packages/core/src/codec/index';
import { MESSAGE_SCHEMAS } from '../../packages/core/src/codec/message-schemas';
import type { Spec } from '../../packages/core/src/codec/schema';
import type { Message, MessageType } from '../../packages/core/src/messages';
import { chance, int, pick, randomMessage, type GroupView, type Rng } from './valid-messages';

export const FRAME_KINDS = [
  'random-bytes', 'valid', 'mutated', 'hostile-integer', 'cross-field-overflow', 'huge-header', 'deep-nesting', 'structural', 'memory-bomb',
] as const;
export type FrameKind = (typeof FRAME_KINDS)[number];

/** Relative frequency of each kind (the memory bombs are few but large). */
const WEIGHTS: Record<FrameKind, number> = {
  'random-bytes': 12, valid: 20, mutated: 30, 'hostile-integer': 15, 'cross-field-overflow': 5, 'huge-header': 5, 'deep-nesting': 4, structural: 8.99, 'memory-bomb': 0.01,
};

const raw = new Encoder({ useRecords: false, tagUint8Array: false, pack: false });
const cbor = (value: unknown): Uint8Array => new Uint8Array(raw.encode(value));

/** A CBOR integer placeholder whose 9 encoded bytes are then swapped for a hostile encoding. */
const SENTINEL = 0x0fedcba987654321n;
const SENTINEL_BYTES = [0x1b, 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21];

function replaceSentinel(bytes: Uint8Array, replacement: number[]): Uint8Array {
  for (let i = 0; i + SENTINEL_BYTES.length <= bytes.length; i++) {
    if (SENTINEL_BYTES.every((b, j) => bytes[i + j] === b)) {
      const out = new Uint8Array(bytes.length - SENTINEL_BYTES.length + replacement.length);
      out.set(bytes.subarray(0, i));
      out.set(replacement, i);
      out.set(bytes.subarray(i + SENTINEL_BYTES.length), i + replacement.length);
      return out;
    }
  }
  return bytes;
}

const uint64 = (value: bigint): number[] => {
  const out = new Uint8Array(9);
  out[0] = 0x1b;
  new DataView(out.buffer).setBigUint64(1, value);
  return [...out];
};
const float64 = (value: number): number[] => {
  const out = new Uint8Array(9);
  out[0] = 0xfb;
  new DataView(out.buffer).setFloat64(1, value);
  return [...out];
};

/** Encodings of hostile numbers for an integer field bounded by `max` (only the first two are accepted). */
function hostileIntegers(max: number): number[][] {
  return [
    uint64(BigInt(max)),
    uint64(BigInt(max) - 1n),
    uint64(BigInt(max) + 1n),
    uint64(2n ** 53n - 1n),
    uint64(2n ** 53n),
    uint64(2n ** 64n - 1n),
    float64(1),
    float64(2 ** 53 - 1),
    [0xf9, 0x3c, 0x00], // 1.0 as float16
    [0xf9, 0x80, 0x00], // -0
    [0xfb, 0x80, 0, 0, 0, 0, 0, 0, 0], // -0 as float64
    [0xfa, 0x7f, 0xc0, 0, 0], // NaN
    [0x20], // -1
    [0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // -2^64
    [0xc2, 0x41, 0x01], // bignum tag
    [0x61, 0x31], // "1"
    [0xf7], // undefined
  ];
}

/** Top-level integer fields of a message's body: position in the wire array, name, bound. */
function integerFields(message: Message): Array<{ at: number; name: string; max: number }> {
  const spec = MESSAGE_SCHEMAS[message.type].body;
  let fields: Record<string, Spec> = {};
  let offset = 0;
  if (spec.kind === 'record') fields = { ...spec.fields };
  else if (spec.kind === 'union') {
    const variant = spec.variants.find((v) => v.tag === (message as unknown as Record<string, unknown>)[spec.tag]);
    fields = { ...variant?.fields };
    offset = 1;
  }
  const out: Array<{ at: number; name: string; max: number }> = [];
  Object.entries(fields).forEach(([name, field], i) => {
    const inner = field.kind === 'optional' ? field.of : field;
    if (inner.kind === 'uint') out.push({ at: offset + i, name, max: inner.max });
  });
  return out;
}

function bodyOf(message: Message): unknown[] {
  return (raw.decode(encodeMessage(message)) as [number, number, unknown[]])[2];
}

function frameWithBody(type: MessageType, body: unknown[]): Uint8Array {
  return cbor([CODEC_VERSION, MESSAGE_SCHEMAS[type].code, body]);
}

function mutate(rng: Rng, frame: Uint8Array): Uint8Array {
  let bytes = Array.from(frame);
  for (let n = 1 + int(rng, 4); n > 0; n--) {
    const at = bytes.length === 0 ? 0 : int(rng, bytes.length);
    switch (int(rng, 5)) {
      case 0:
        if (bytes.length > 0) bytes[at] = int(rng, 256);
        break;
      case 1:
        bytes = bytes.slice(0, at);
        break;
      case 2:
        bytes.splice(at, 0, ...Array.from({ length: 1 + int(rng, 9) }, () => int(rng, 256)));
        break;
      case 3:
        bytes.splice(at, 1 + int(rng, 9));
        break;
      default:
        if (bytes.length > 0) bytes[at] ^= 1 << int(rng, 8);
    }
  }
  return new Uint8Array(bytes);
}

function randomBytes(rng: Rng, max: number): Uint8Array {
  const out = new Uint8Array(int(rng, max + 1));
  for (let i = 0; i < out.length; i++) out[i] = int(rng, 256);
  return out;
}

function crossFieldOverflow(rng: Rng): Uint8Array {
  const L = CODEC_LIMITS;
  const near = (max: number) => BigInt(max) - BigInt(int(rng, 4));
  const command = () => new Uint8Array([int(rng, 256)]);
  switch (int(rng, 4)) {
    case 0: {
      const commands = Array.from({ length: 1 + int(rng, 4) }, command);
      return frameWithBody('ForwardCommands', [int(rng, 100), ['mallory/0', near(L.maxSeq)], commands]);
    }
    case 1:
      return frameWithBody('FetchSnapshotRequest', [1, 1, 1, near(L.maxSnapshotBytes), int(rng, 16)]);
    case 2: {
      const prev = near(L.maxIndex);
      const entries = Array.from({ length: 1 + int(rng, 3) }, (_, i) => cbor([0, prev + 1n + BigInt(i), 1]));
      const sequence = new Uint8Array(entries.reduce((n, e) => n + e.length, 0));
      entries.reduce((at, e) => (sequence.set(e, at), at + e.length), 0);
      return frameWithBody('AppendEntries', [1, prev, 1, sequence, 0]);
    }
    default:
      return frameWithBody('FetchEntriesRequest', [1, 1, L.maxEntriesPerMessage + int(rng, 3)]);
  }
}

function hugeHeader(rng: Rng): Uint8Array {
  const major = pick(rng, [2, 3, 4, 5]);
  const head = chance(rng, 0.5) ? [(major << 5) | 26, 0xff, 0xff, 0xff, 0xff] : [(major << 5) | 27, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
  const code = pick(rng, Object.values(MESSAGE_SCHEMAS)).code;
  const prefix = pick(rng, [[], [0x83, CODEC_VERSION, code], [0x83, CODEC_VERSION, code, 0x85, 1, 1, 1]]);
  return new Uint8Array([...prefix, ...head, ...randomBytes(rng, 16)]);
}

function deepNesting(rng: Rng): Uint8Array {
  const depth = pick(rng, [16, 300, 5000, 100_000]);
  const opener = pick(rng, [0x81, 0x9f, 0xa1]); // [x], [_ x, and {k: v} with the nesting in the value
  const code = pick(rng, Object.values(MESSAGE_SCHEMAS)).code;
  const unit = opener === 0xa1 ? [0xa1, 0x00] : [opener];
  const bytes = new Uint8Array(3 + depth * unit.length + 1);
  bytes.set([0x83, CODEC_VERSION, code]);
  for (let i = 0; i < depth; i++) bytes.set(unit, 3 + i * unit.length);
  return bytes;
}

function structural(rng: Rng, view: GroupView): Uint8Array {
  const message = randomMessage(rng, view);
  const body = bodyOf(message);
  const code = MESSAGE_SCHEMAS[message.type].code;
  switch (int(rng, 8)) {
    case 0:
      return cbor([CODEC_VERSION, code, Object.fromEntries(body.map((v, i) => [`f${i}`, v]))]); // a map where a record belongs
    case 1:
      return cbor([CODEC_VERSION - 1, code, body]); // the previous wire version
    case 2:
      return cbor([CODEC_VERSION, 900 + int(rng, 100), body]); // unknown type
    case 3: {
      const padded = new Uint8Array(CODEC_LIMITS.maxControlFrameBytes + 1 + int(rng, 4096)); // control type past its cap
      padded.set([0x83, CODEC_VERSION, MESSAGE_SCHEMAS.Heartbeat.code, 0x83, 1, 1, 1]);
      return padded;
    }
    case 4: {
      const frame = cbor([CODEC_VERSION, code, body]);
      const indefinite = new Uint8Array(frame.length + 1);
      indefinite.set(frame);
      indefinite[0] = 0x9f; // the outer array as indefinite-length, closed by a break
      indefinite[frame.length] = 0xff;
      return indefinite;
    }
    case 5:
      return cbor([CODEC_VERSION, code, [...body, 0]]); // an extra field
    case 6:
      return cbor([CODEC_VERSION, code, body.slice(0, -1)]); // a missing field
    default: {
      const frame = cbor([CODEC_VERSION, code, body]);
      return new Uint8Array([0xd9, 0xd9, 0xf7, ...frame]); // self-described CBOR tag in front
    }
  }
}

let emptyMaps: Uint8Array | null = null;
/** 64 MiB: an AppendEntries whose body array declares 64M items, all empty maps (inside the default cap). */
export function emptyMapsFrame(): Uint8Array {
  if (!emptyMaps) {
    const n = 64 * 1024 * 1024 - 16;
    emptyMaps = new Uint8Array(8 + n).fill(0xa0);
    emptyMaps.set([0x83, CODEC_VERSION, MESSAGE_SCHEMAS.AppendEntries.code, 0x9a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  }
  return emptyMaps;
}

/** A ForwardCommands of a million empty commands (1 MB): the costliest item per byte. */
export function emptyCommandsFrame(): Uint8Array {
  const n = CODEC_LIMITS.maxCommandsPerMessage;
  const head = [0x83, CODEC_VERSION, MESSAGE_SCHEMAS.ForwardCommands.code, 0x83, 1, 0x82, 0x61, 0x63, 0, 0x9a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const bytes = new Uint8Array(head.length + n).fill(0x40);
  bytes.set(head);
  return bytes;
}

export interface HostileFrame {
  kind: FrameKind;
  bytes: Uint8Array;
}

const TOTAL_WEIGHT = FRAME_KINDS.reduce((sum, kind) => sum + WEIGHTS[kind], 0);

function pickKind(rng: Rng): FrameKind {
  let x = rng() * TOTAL_WEIGHT;
  for (const kind of FRAME_KINDS) {
    x -= WEIGHTS[kind];
    if (x < 0) return kind;
  }
  return 'valid';
}

/** The next hostile frame, of a kind drawn by weight. */
export function hostileFrame(rng: Rng, view: GroupView): HostileFrame {
  const kind = pickKind(rng);
  switch (kind) {
    case 'random-bytes':
      return { kind, bytes: randomBytes(rng, pick(rng, [8, 64, 512])) };
    case 'valid':
      return { kind, bytes: encodeMessage(randomMessage(rng, view)) };
    case 'mutated':
      return { kind, bytes: mutate(rng, encodeMessage(randomMessage(rng, view))) };
    case 'hostile-integer': {
      const message = randomMessage(rng, view);
      const fields = integerFields(message);
      if (fields.length === 0) return { kind, bytes: encodeMessage(message) };
      const field = pick(rng, fields);
      const body = bodyOf(message);
      body[field.at] = SENTINEL;
      return { kind, bytes: replaceSentinel(frameWithBody(message.type, body), pick(rng, hostileIntegers(field.max))) };
    }
    case 'cross-field-overflow':
      return { kind, bytes: crossFieldOverflow(rng) };
    case 'huge-header':
      return { kind, bytes: hugeHeader(rng) };
    case 'deep-nesting':
      return { kind, bytes: deepNesting(rng) };
    case 'structural':
      return { kind, bytes: structural(rng, view) };
    case 'memory-bomb':
      return { kind, bytes: chance(rng, 0.5) ? emptyMapsFrame() : emptyCommandsFrame() };
  }
}


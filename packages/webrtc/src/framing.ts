// Wire frames on a peer data channel. Messages are split into frames of at most 16 KiB because
// SCTP implementations disagree about larger messages, and so control frames can be interleaved
// between the frames of a large bulk message.
//
// Frame layout (big endian):
//   DATA       [kind=1][channel u8][msgId u32][index u32][count u32][total u32][payload...]
//   AUTH_OK    [kind=4]
//   HELLO      [kind=5][version u8][version-specific body; v2: nonce, 32 bytes]
//   PROOF      [kind=6][hmac: 32 bytes]
//   REFUSE     [kind=7][reason u8][sender's handshake version u8]
//   HEARTBEAT  [kind=8][flags u8: bit 0 = reply requested]
// Kinds 2 (CHALLENGE) and 3 (PROOF) belong to handshake v1, which had no version field: they are
// recognised only to refuse a v1 peer clearly (see handshake.ts).
import type { MeshChannel } from './types';

export const MAX_FRAME_BYTES = 16 * 1024;
export const DATA_HEADER_BYTES = 18;
export const NONCE_BYTES = 32;
export const PROOF_BYTES = 32;

export const FrameKind = {
  data: 1,
  legacyChallenge: 2,
  legacyProof: 3,
  authOk: 4,
  hello: 5,
  proof: 6,
  refuse: 7,
  heartbeat: 8,
} as const;

/** REFUSE reasons: version = "I speak another handshake version"; auth = "your proof did not verify". */
export const RefuseReason = { version: 1, auth: 2 } as const;

const CHANNEL_CODES: Record<MeshChannel, number> = { control: 0, bulk: 1 };
const CHANNEL_BY_CODE: readonly MeshChannel[] = ['control', 'bulk'];

export interface DataFrame {
  kind: 'data';
  channel: MeshChannel;
  msgId: number;
  index: number;
  count: number;
  total: number;
  payload: Uint8Array;
}

export type Frame =
  | DataFrame
  | { kind: 'legacy' }
  | { kind: 'hello'; version: number; body: Uint8Array }
  | { kind: 'proof'; proof: Uint8Array }
  | { kind: 'authOk' }
  | { kind: 'refuse'; reason: number; version: number }
  | { kind: 'heartbeat'; replyRequested: boolean };

/** Payload bytes that fit in one frame of `frameBytes`. */
export function payloadPerFrame(frameBytes: number): number {
  if (!Number.isInteger(frameBytes) || frameBytes <= DATA_HEADER_BYTES || frameBytes > MAX_FRAME_BYTES) {
    throw new RangeError(`frameBytes must be an integer in (${DATA_HEADER_BYTES}, ${MAX_FRAME_BYTES}]`);
  }
  return frameBytes - DATA_HEADER_BYTES;
}

/** Number of frames a message of `length` bytes needs (an empty message still takes one frame). */
export function frameCount(length: number, payloadBytes: number): number {
  return Math.max(1, Math.ceil(length / payloadBytes));
}

/** Builds frame `index` of a message; frames are built lazily so a queued message costs no copies. */
export function encodeDataFrame(
  channel: MeshChannel,
  msgId: number,
  message: Uint8Array,
  index: number,
  payloadBytes: number,
): Uint8Array {
  const count = frameCount(message.length, payloadBytes);
  const start = index * payloadBytes;
  const end = Math.min(message.length, start + payloadBytes);
  const frame = new Uint8Array(DATA_HEADER_BYTES + (end - start));
  const view = new DataView(frame.buffer);
  view.setUint8(0, FrameKind.data);
  view.setUint8(1, CHANNEL_CODES[channel]);
  view.setUint32(2, msgId >>> 0);
  view.setUint32(6, index);
  view.setUint32(10, count);
  view.setUint32(14, message.length);
  frame.set(message.subarray(start, end), DATA_HEADER_BYTES);
  return frame;
}

export function encodeHello(version: number, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(2 + body.length);
  frame[0] = FrameKind.hello;
  frame[1] = version;
  frame.set(body, 2);
  return frame;
}

export function encodeProof(proof: Uint8Array): Uint8Array {
  const frame = new Uint8Array(1 + PROOF_BYTES);
  frame[0] = FrameKind.proof;
  frame.set(proof.subarray(0, PROOF_BYTES), 1);
  return frame;
}

export function encodeAuthOk(): Uint8Array {
  return Uint8Array.of(FrameKind.authOk);
}

export function encodeRefuse(reason: number, version: number): Uint8Array {
  return Uint8Array.of(FrameKind.refuse, reason, version);
}

export function encodeHeartbeat(replyRequested: boolean): Uint8Array {
  return Uint8Array.of(FrameKind.heartbeat, replyRequested ? 1 : 0);
}

/**
 * A handshake-v1 PROOF frame with the given (meaningless) bytes: a v1 peer verifies it, fails and
 * counts an auth failure, instead of waiting silently for its connect timeout.
 */
export function encodeLegacyProof(bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(1 + PROOF_BYTES);
  frame[0] = FrameKind.legacyProof;
  frame.set(bytes.subarray(0, PROOF_BYTES), 1);
  return frame;
}

/** Decodes one frame; null for anything malformed (the caller counts it). Never throws. */
export function decodeFrame(bytes: Uint8Array): Frame | null {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return null;
  switch (bytes[0]) {
    case FrameKind.data: {
      if (bytes.length < DATA_HEADER_BYTES) return null;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const channel = CHANNEL_BY_CODE[view.getUint8(1)];
      if (channel === undefined) return null;
      const index = view.getUint32(6);
      const count = view.getUint32(10);
      if (count === 0 || index >= count) return null;
      return {
        kind: 'data',
        channel,
        msgId: view.getUint32(2),
        index,
        count,
        total: view.getUint32(14),
        payload: bytes.subarray(DATA_HEADER_BYTES),
      };
    }
    case FrameKind.legacyChallenge:
    case FrameKind.legacyProof:
      return bytes.length === 1 + NONCE_BYTES ? { kind: 'legacy' } : null;
    case FrameKind.authOk:
      return bytes.length === 1 ? { kind: 'authOk' } : null;
    case FrameKind.hello:
      return bytes.length >= 2 ? { kind: 'hello', version: bytes[1], body: bytes.slice(2) } : null;
    case FrameKind.proof:
      return bytes.length === 1 + PROOF_BYTES ? { kind: 'proof', proof: bytes.slice(1) } : null;
    case FrameKind.refuse:
      return bytes.length === 3 ? { kind: 'refuse', reason: bytes[1], version: bytes[2] } : null;
    case FrameKind.heartbeat:
      return bytes.length === 2 && bytes[1] <= 1 ? { kind: 'heartbeat', replyRequested: bytes[1] === 1 } : null;
    default:
      return null;
  }
}

export type DropReason = 'badFrame' | 'tooLarge';

interface PartialMessage {
  msgId: number;
  count: number;
  nextIndex: number;
  filled: number;
  /** The declared size of the whole message. */
  total: number;
  /** Grows as frames arrive (see append): a first frame alone never allocates the declared size. */
  buffer: Uint8Array;
}

/** A partial message's first buffer; it doubles as frames fill it, up to the declared total. */
const INITIAL_PARTIAL_BYTES = 64 * 1024;

/**
 * Reassembles the messages of one channel of one peer. The sender never interleaves two messages of
 * the same channel and the data channel is ordered, so frames of a message arrive contiguously.
 * Anything else is a broken sender: the partial message is dropped and reported through `onDrop`
 * (once per dropped frame or message), never thrown.
 */
export class Reassembler {
  private partial: PartialMessage | null = null;
  /** msgId of an oversized message whose remaining frames are skipped without further counting. */
  private skipping: number | null = null;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly onDrop: (reason: DropReason) => void,
  ) {}

  /** Returns the complete message when `frame` finishes one, else null. */
  push(frame: DataFrame): Uint8Array | null {
    if (frame.index === 0) return this.start(frame);
    if (this.skipping !== null && this.skipping === frame.msgId) {
      if (frame.index === frame.count - 1) this.skipping = null;
      return null;
    }
    const p = this.partial;
    if (p === null || p.msgId !== frame.msgId || p.count !== frame.count || p.nextIndex !== frame.index) {
      return this.drop('badFrame');
    }
    return this.append(p, frame);
  }

  private start(frame: DataFrame): Uint8Array | null {
    if (this.partial !== null) this.drop('badFrame'); // the unfinished message is lost
    this.skipping = null;
    if (frame.total > this.maxMessageBytes) {
      if (frame.count > 1) this.skipping = frame.msgId;
      return this.drop('tooLarge');
    }
    // Every frame carries at least one payload byte (except the single frame of an empty message).
    if (frame.count > Math.max(1, frame.total)) return this.drop('badFrame');
    if (frame.count === 1) {
      if (frame.payload.length !== frame.total) return this.drop('badFrame');
      return frame.payload.slice();
    }
    const p: PartialMessage = {
      msgId: frame.msgId,
      count: frame.count,
      nextIndex: 0,
      filled: 0,
      total: frame.total,
      buffer: new Uint8Array(Math.min(frame.total, INITIAL_PARTIAL_BYTES)),
    };
    this.partial = p;
    return this.append(p, frame);
  }

  private append(p: PartialMessage, frame: DataFrame): Uint8Array | null {
    const last = frame.index === p.count - 1;
    const size = frame.payload.length;
    if (size === 0 || p.filled + size > p.total || (last && p.filled + size !== p.total)) {
      return this.drop('badFrame');
    }
    // Grown as the data arrives, not allocated at the declared size up front: a sender repeating
    // first frames that declare a huge total would otherwise cost an allocation of that size each.
    if (p.filled + size > p.buffer.length) {
      const grown = new Uint8Array(Math.min(p.total, Math.max(p.buffer.length * 2, p.filled + size)));
      grown.set(p.buffer.subarray(0, p.filled));
      p.buffer = grown;
    }
    p.buffer.set(frame.payload, p.filled);
    p.filled += size;
    p.nextIndex += 1;
    if (!last) return null;
    this.partial = null;
    return p.buffer;
  }

  private drop(reason: DropReason): null {
    this.partial = null;
    this.onDrop(reason);
    return null;
  }
}

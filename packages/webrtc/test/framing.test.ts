import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DATA_HEADER_BYTES,
  decodeFrame,
  encodeAuthOk,
  encodeDataFrame,
  encodeHeartbeat,
  encodeHello,
  encodeLegacyProof,
  encodeProof,
  encodeRefuse,
  frameCount,
  payloadPerFrame,
  Reassembler,
  type DataFrame,
  type DropReason,
} from '../src/framing';
import type { MeshChannel } from '../src/types';

function split(message: Uint8Array, channel: MeshChannel, msgId: number, payloadBytes: number): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < frameCount(message.length, payloadBytes); i++) {
    frames.push(encodeDataFrame(channel, msgId, message, i, payloadBytes));
  }
  return frames;
}

function collector(max = 1 << 20) {
  const drops: DropReason[] = [];
  const messages: Uint8Array[] = [];
  const reassembler = new Reassembler(max, (r) => drops.push(r));
  const feed = (bytes: Uint8Array): void => {
    const frame = decodeFrame(bytes);
    if (frame === null) {
      drops.push('badFrame');
      return;
    }
    if (frame.kind !== 'data') return;
    const message = reassembler.push(frame);
    if (message !== null) messages.push(message);
  };
  return { drops, messages, feed };
}

describe('framing', () => {
  it('splits any message into frames within the frame size and reassembles it exactly', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 5000 }),
        fc.integer({ min: DATA_HEADER_BYTES + 1, max: 600 }),
        fc.constantFrom<MeshChannel>('control', 'bulk'),
        fc.nat(),
        (message, frameBytes, channel, msgId) => {
          const payload = payloadPerFrame(frameBytes);
          const frames = split(message, channel, msgId, payload);
          for (const f of frames) expect(f.length).toBeLessThanOrEqual(frameBytes);
          const c = collector();
          for (const f of frames) c.feed(f);
          expect(c.drops).toEqual([]);
          expect(c.messages).toHaveLength(1);
          expect(c.messages[0]).toEqual(message);
        },
      ),
    );
  });

  it('reassembles a stream of consecutive messages in order', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (messages) => {
        const c = collector();
        messages.forEach((m, i) => split(m, 'bulk', i, 50).forEach(c.feed));
        expect(c.messages).toEqual(messages);
        expect(c.drops).toEqual([]);
      }),
    );
  });

  it('never throws on garbage and never delivers more than was well-formed', () => {
    let delivered = 0;
    // Garbage chunks mixed with the frames of real messages, so that messages do get delivered.
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((garbage) => [garbage]),
      fc.tuple(fc.uint8Array({ maxLength: 120 }), fc.nat(1000)).map(([message, msgId]) => split(message, 'control', msgId, 40)),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 30 }), (chunks) => {
        const c = collector(1000);
        const dataFrames: DataFrame[] = [];
        /** For each delivered message, the position in dataFrames of the frame that completed it. */
        const completedBy: number[] = [];
        for (const bytes of chunks.flat()) {
          const before = c.messages.length;
          expect(() => c.feed(bytes)).not.toThrow();
          const frame = decodeFrame(bytes);
          if (frame?.kind === 'data') dataFrames.push(frame);
          if (c.messages.length > before) completedBy.push(dataFrames.length - 1);
        }
        // Each delivered message is exactly the payloads of one message's frames 0..count-1, in a
        // row, whose first frame declared its size.
        c.messages.forEach((message, i) => {
          const last = dataFrames[completedBy[i]];
          const run = dataFrames.slice(completedBy[i] - last.count + 1, completedBy[i] + 1);
          expect(run.map((f) => [f.msgId, f.index, f.count])).toEqual(run.map((_, j) => [last.msgId, j, last.count]));
          expect(run[0].total).toBe(message.length);
          expect(message).toEqual(Uint8Array.from(run.flatMap((f) => [...f.payload])));
        });
        delivered += c.messages.length;
      }),
    );
    expect(delivered).toBeGreaterThan(0);
  });

  it('drops mutated frames of a real message without throwing: a changed header is dropped or harmless, a changed payload arrives as sent', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (message, mutations) => {
          const original = split(message, 'control', 7, 40);
          const frames = original.map((f) => f.slice());
          for (const [fi, bi, value] of mutations) {
            const f = frames[fi % frames.length];
            f[bi % f.length] = value;
          }
          const c = collector(1000);
          expect(() => frames.forEach(c.feed)).not.toThrow();
          // A well-formed message after them always arrives: the reassembler recovers, and a
          // message the mutated headers left unfinished is dropped (counted) when it starts.
          const next = new Uint8Array([9, 9, 9]);
          split(next, 'control', 8, 40).forEach(c.feed);
          expect(c.messages.at(-1)).toEqual(next);
          const fromMutated = c.messages.slice(0, -1);
          const headersKept = frames.every((f, i) => f.subarray(0, DATA_HEADER_BYTES).every((b, j) => b === original[i][j]));
          if (headersKept) {
            // Only payload bytes changed: framing cannot tell (the codec and the handshake's
            // authentication above it do); the message arrives exactly as the frames carry it.
            const payload = new Uint8Array(frames.flatMap((f) => [...f.subarray(DATA_HEADER_BYTES)]));
            expect(c.drops).toEqual([]);
            expect(fromMutated).toEqual([payload]);
          } else {
            // A changed header: the frames make at most the one message, and nothing vanishes
            // silently: they are delivered in a message, counted as dropped, or no longer data
            // frames at all (a changed kind byte can make a valid heartbeat, handled as one).
            const otherKinds = frames.filter((f) => {
              const decoded = decodeFrame(f);
              return decoded !== null && decoded.kind !== 'data';
            }).length;
            expect(fromMutated.length).toBeLessThanOrEqual(1);
            expect(fromMutated.length + c.drops.length + otherKinds).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops an oversized message once, skips its frames, then accepts the next message', () => {
    const c = collector(100);
    split(new Uint8Array(500).fill(1), 'bulk', 1, 50).forEach(c.feed);
    split(new Uint8Array(80).fill(2), 'bulk', 2, 50).forEach(c.feed);
    expect(c.drops).toEqual(['tooLarge']);
    expect(c.messages).toEqual([new Uint8Array(80).fill(2)]);
  });

  it('counts a message abandoned mid-way and frames out of sequence as bad', () => {
    const c = collector();
    const first = split(new Uint8Array(200).fill(3), 'bulk', 1, 50);
    const second = split(new Uint8Array(120).fill(4), 'bulk', 2, 50);
    c.feed(first[0]);
    c.feed(first[1]);
    second.forEach(c.feed); // first is abandoned
    c.feed(first[3]); // stray continuation
    expect(c.messages).toEqual([new Uint8Array(120).fill(4)]);
    expect(c.drops).toEqual(['badFrame', 'badFrame']);
  });

  it('reassembles a message much larger than its first buffer exactly, with frames of any size', () => {
    const message = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7 + 3) & 0xff);
    for (const payload of [1000, 16_000, 65_000, 150_000]) {
      const c = collector();
      split(message, 'bulk', 3, payload).forEach(c.feed);
      expect(c.drops).toEqual([]);
      expect(c.messages).toHaveLength(1);
      expect(c.messages[0]).toEqual(message);
    }
  });

  it('does not allocate a message\'s declared size on its first frame: the buffer grows with what arrives', () => {
    const declared = new Uint8Array(16 << 20);
    const reassembler = new Reassembler(32 << 20, () => {});
    const before = process.memoryUsage().arrayBuffers;
    // First frames of 2-frame messages that each declare 16 MiB, as a hostile peer would repeat them.
    for (let msgId = 0; msgId < 8; msgId++) {
      const frame = decodeFrame(encodeDataFrame('bulk', msgId, declared, 0, 16))!;
      expect(reassembler.push(frame as DataFrame)).toBeNull();
    }
    // One partial message is held at a time; before, it alone held 16 MiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('rejects inconsistent headers', () => {
    const frame = encodeDataFrame('bulk', 1, new Uint8Array(10), 0, 50);
    const bad = (mutate: (v: DataView) => void): DataFrame | null => {
      const copy = frame.slice();
      mutate(new DataView(copy.buffer));
      const f = decodeFrame(copy);
      return f !== null && f.kind === 'data' ? f : null;
    };
    expect(bad((v) => v.setUint8(1, 9))).toBeNull(); // unknown channel
    expect(bad((v) => v.setUint32(10, 0))).toBeNull(); // zero frame count
    expect(bad((v) => v.setUint32(6, 5))).toBeNull(); // index beyond count
    const c = collector();
    c.feed(frame.subarray(0, frame.length - 1)); // truncated payload vs total
    expect(c.drops).toEqual(['badFrame']);
  });
});

describe('handshake and heartbeat frames', () => {
  it('round-trip, and malformed ones decode to null', () => {
    const nonce = new Uint8Array(32).fill(7);
    expect(decodeFrame(encodeHello(2, nonce))).toEqual({ kind: 'hello', version: 2, body: nonce });
    expect(decodeFrame(encodeHello(9, new Uint8Array(0)))).toEqual({ kind: 'hello', version: 9, body: new Uint8Array(0) });
    expect(decodeFrame(encodeProof(nonce))).toEqual({ kind: 'proof', proof: nonce });
    expect(decodeFrame(encodeAuthOk())).toEqual({ kind: 'authOk' });
    expect(decodeFrame(encodeRefuse(1, 2))).toEqual({ kind: 'refuse', reason: 1, version: 2 });
    expect(decodeFrame(encodeHeartbeat(true))).toEqual({ kind: 'heartbeat', replyRequested: true });
    expect(decodeFrame(encodeHeartbeat(false))).toEqual({ kind: 'heartbeat', replyRequested: false });
    // Handshake v1 frames (CHALLENGE kind 2, PROOF kind 3) are only recognised, to refuse them.
    expect(decodeFrame(Uint8Array.of(2, ...nonce))).toEqual({ kind: 'legacy' });
    expect(decodeFrame(encodeLegacyProof(nonce))).toEqual({ kind: 'legacy' });
    for (const bad of [Uint8Array.of(5), Uint8Array.of(6, 1), Uint8Array.of(4, 0), Uint8Array.of(7, 1), Uint8Array.of(8, 2), Uint8Array.of(2, 1)]) {
      expect(decodeFrame(bad)).toBeNull();
    }
  });
});

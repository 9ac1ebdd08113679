import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, payloadPerFrame, Reassembler } from '../src/framing';
import { SendScheduler, type FrameSink } from '../src/send-scheduler';
import type { MeshChannel } from '../src/types';

/** A data channel stand-in: bufferedAmount grows on send and drains when the test says so. */
class FakeChannel implements FrameSink {
  bufferedAmount = 0;
  maxBufferedAtSend = 0;
  readonly sent: Uint8Array[] = [];
  constructor(private readonly highWaterMark: number) {}
  send(frame: Uint8Array): void {
    if (this.bufferedAmount > this.highWaterMark) throw new Error('send while above the high-water mark');
    this.maxBufferedAtSend = Math.max(this.maxBufferedAtSend, this.bufferedAmount);
    this.bufferedAmount += frame.length;
    this.sent.push(frame);
  }
  drain(bytes: number): void {
    this.bufferedAmount = Math.max(0, this.bufferedAmount - bytes);
  }
}

const FRAME = 1024;
const options = (over: Partial<ConstructorParameters<typeof SendScheduler>[0]> = {}) => ({
  payloadBytes: payloadPerFrame(FRAME),
  highWaterMark: 8 * FRAME,
  maxQueuedBytes: 1 << 20,
  maxMessageBytes: 1 << 20,
  ...over,
});

function channelsOf(frames: Uint8Array[]): MeshChannel[] {
  return frames.map((f) => {
    const d = decodeFrame(f);
    if (d === null || d.kind !== 'data') throw new Error('not a data frame');
    return d.channel;
  });
}

describe('SendScheduler priority', () => {
  it('control frames overtake queued bulk at frame granularity', () => {
    const s = new SendScheduler(options());
    const ch = new FakeChannel(8 * FRAME);
    expect(s.enqueue(new Uint8Array(100 * FRAME), 'bulk')).toBe('queued');
    while (s.pump(ch).state !== 'blocked');
    const bulkBefore = ch.sent.length;
    expect(s.enqueue(new Uint8Array(10), 'control')).toBe('queued');
    expect(s.enqueue(new Uint8Array(3 * FRAME), 'control')).toBe('queued');
    ch.drain(Infinity);
    s.pump(ch);
    const after = channelsOf(ch.sent.slice(bulkBefore));
    // The next frames after the backlog are all control (1 + 4 frames), before any more bulk.
    expect(after.slice(0, 5)).toEqual(['control', 'control', 'control', 'control', 'control']);
    expect(after[5]).toBe('bulk');
  });

  it('delivers both channels intact and in order when interleaved', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom<MeshChannel>('control', 'bulk'), fc.integer({ min: 0, max: 5000 })), {
          maxLength: 30,
        }),
        fc.array(fc.integer({ min: 0, max: 4 * FRAME }), { minLength: 1, maxLength: 30 }),
        (plan, drains) => {
          const s = new SendScheduler(options());
          const ch = new FakeChannel(8 * FRAME);
          const expected: Record<MeshChannel, Uint8Array[]> = { control: [], bulk: [] };
          plan.forEach(([channel, size], i) => {
            const m = new Uint8Array(size).fill(i & 0xff);
            expect(s.enqueue(m, channel)).toBe('queued');
            expected[channel].push(m);
            s.pump(ch);
            ch.drain(drains[i % drains.length]);
          });
          // Drain until idle (queuedBytes alone misses queued empty messages).
          let state = 'yield';
          for (let guard = 0; state !== 'idle' && guard < 10_000; guard++) {
            ch.drain(Infinity);
            state = s.pump(ch).state;
          }
          expect(state).toBe('idle');
          expect(s.queuedBytes).toBe(0);
          const got: Record<MeshChannel, Uint8Array[]> = { control: [], bulk: [] };
          const r = {
            control: new Reassembler(1 << 20, () => expect.fail('drop')),
            bulk: new Reassembler(1 << 20, () => expect.fail('drop')),
          };
          for (const f of ch.sent) {
            const d = decodeFrame(f);
            if (d === null || d.kind !== 'data') throw new Error('bad frame');
            const m = r[d.channel].push(d);
            if (m !== null) got[d.channel].push(m);
          }
          expect(got).toEqual(expected);
        },
      ),
    );
  });
});

describe('SendScheduler backpressure', () => {
  it('never sends while bufferedAmount is above the high-water mark, under any drain pattern', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 * FRAME }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 16 }),
        (drains, hwmFrames) => {
          const hwm = hwmFrames * FRAME;
          const s = new SendScheduler(options({ highWaterMark: hwm }));
          const ch = new FakeChannel(hwm);
          s.enqueue(new Uint8Array(200 * FRAME), 'bulk');
          for (const d of drains) {
            const r = s.pump(ch); // FakeChannel throws if the rule is broken
            expect(r.bytes).toBeLessThanOrEqual(hwm + FRAME);
            ch.drain(d);
          }
          expect(ch.maxBufferedAtSend).toBeLessThanOrEqual(hwm);
          expect(ch.bufferedAmount).toBeLessThanOrEqual(hwm + FRAME);
        },
      ),
    );
  });

  it('reports blocked, then resumes once the channel drains', () => {
    const s = new SendScheduler(options({ highWaterMark: 2 * FRAME }));
    const ch = new FakeChannel(2 * FRAME);
    s.enqueue(new Uint8Array(20 * FRAME), 'bulk');
    expect(s.pump(ch).state).toBe('yield'); // budget spent exactly at the mark
    expect(s.pump(ch).state).toBe('blocked');
    const sent = ch.sent.length;
    expect(s.pump(ch)).toEqual({ state: 'blocked', frames: 0, bytes: 0 });
    ch.drain(Infinity); // what 'bufferedamountlow' signals
    expect(s.pump(ch).frames).toBeGreaterThan(0);
    expect(ch.sent.length).toBeGreaterThan(sent);
  });

  it('yields after one high-water mark worth of bytes even if bufferedAmount never rises', () => {
    const s = new SendScheduler(options({ highWaterMark: 4 * FRAME }));
    const sink: FrameSink = { bufferedAmount: 0, send: () => undefined };
    s.enqueue(new Uint8Array(50 * FRAME), 'bulk');
    const r = s.pump(sink);
    expect(r.state).toBe('yield');
    expect(r.bytes).toBeLessThan(5 * FRAME);
  });

  it('bounds the queue: bulk over the cap is refused, control has its own budget', () => {
    const s = new SendScheduler(options({ maxQueuedBytes: 10_000, maxMessageBytes: 8_000 }));
    expect(s.enqueue(new Uint8Array(8_001), 'bulk')).toBe('tooLarge');
    expect(s.enqueue(new Uint8Array(6_000), 'bulk')).toBe('queued');
    expect(s.enqueue(new Uint8Array(6_000), 'bulk')).toBe('queueFull');
    expect(s.enqueue(new Uint8Array(4_000), 'bulk')).toBe('queued');
    expect(s.queuedBytes).toBe(10_000);
    expect(s.enqueue(new Uint8Array(5_000), 'control')).toBe('queued');
    // Control's budget is the same cap, counted apart: full at 10,000 bytes of control.
    expect(s.enqueue(new Uint8Array(5_000), 'control')).toBe('queued');
    expect(s.enqueue(new Uint8Array(1), 'control')).toBe('queueFull');
    expect(s.enqueue(new Uint8Array(1), 'bulk')).toBe('queueFull');
    expect(() => new SendScheduler(options({ maxQueuedBytes: 10, maxMessageBytes: 11 }))).toThrow(RangeError);
  });
});

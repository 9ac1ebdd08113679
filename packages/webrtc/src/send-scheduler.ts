// Per-peer send queues with priority and backpressure.
//
// Two FIFO queues: 'control' (votes, heartbeats) and 'bulk' (catch-up chunks, snapshots). Each pump
// step picks the next frame from control if it has one, else from bulk, so a control message waits at
// most for the frames already handed to the channel, never for queued bulk data. Frames are built
// lazily from the queued message, so a queued 16 MiB message costs no copies until it is sent.
//
// Backpressure: the channel is never given a frame while its bufferedAmount is above highWaterMark
// ("send queue is full" closes the channel in Chromium and loses data in wrtc). One pump call also
// hands over at most highWaterMark bytes, which keeps the loop short and stays safe when an
// implementation updates bufferedAmount late (PeerLink pumps at most once per task, so this is a
// per-task budget).
import { encodeDataFrame, frameCount } from './framing';
import type { MeshChannel } from './types';

/** Where frames go: an RTCDataChannel or a test fake. */
export interface FrameSink {
  readonly bufferedAmount: number;
  send(frame: Uint8Array): void;
}

export interface SendSchedulerOptions {
  payloadBytes: number;
  highWaterMark: number;
  /** Per-queue cap on queued payload bytes. */
  maxQueuedBytes: number;
  maxMessageBytes: number;
}

export type EnqueueResult = 'queued' | 'tooLarge' | 'queueFull';

/**
 * idle: nothing left to send. blocked: bufferedAmount is above the high-water mark (wait for
 * 'bufferedamountlow'). yield: this call's byte budget is spent (pump again on the next task).
 */
export type PumpState = 'idle' | 'blocked' | 'yield';

export interface PumpResult {
  state: PumpState;
  frames: number;
  bytes: number;
}

interface Outgoing {
  msgId: number;
  channel: MeshChannel;
  bytes: Uint8Array;
  count: number;
  next: number;
}

class Fifo {
  private items: Outgoing[] = [];
  private head = 0;
  bytes = 0;

  push(item: Outgoing): void {
    this.items.push(item);
    this.bytes += item.bytes.length;
  }
  peek(): Outgoing | undefined {
    return this.items[this.head];
  }
  shift(): void {
    this.head += 1;
    // Compact occasionally so the array does not grow without bound.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}

export class SendScheduler {
  private readonly control = new Fifo();
  private readonly bulk = new Fifo();
  private nextMsgId = 0;

  constructor(private readonly options: SendSchedulerOptions) {
    if (options.maxQueuedBytes < options.maxMessageBytes) {
      throw new RangeError('maxQueuedBytes must be >= maxMessageBytes');
    }
  }

  /** Payload bytes queued and not yet handed to the sink. */
  get queuedBytes(): number {
    return this.control.bytes + this.bulk.bytes;
  }

  /** Queues a message. The caller must not mutate `bytes` afterwards (it is framed lazily). */
  enqueue(bytes: Uint8Array, channel: MeshChannel): EnqueueResult {
    if (bytes.length > this.options.maxMessageBytes) return 'tooLarge';
    const queue = channel === 'control' ? this.control : this.bulk;
    if (queue.bytes + bytes.length > this.options.maxQueuedBytes) return 'queueFull';
    const msgId = this.nextMsgId;
    this.nextMsgId = (this.nextMsgId + 1) >>> 0;
    queue.push({ msgId, channel, bytes, count: frameCount(bytes.length, this.options.payloadBytes), next: 0 });
    return 'queued';
  }

  /** Hands frames to the sink, control first, until idle, blocked or out of budget. */
  pump(sink: FrameSink): PumpResult {
    const { highWaterMark, payloadBytes } = this.options;
    let frames = 0;
    let bytes = 0;
    for (;;) {
      const queue = this.control.peek() !== undefined ? this.control : this.bulk;
      const item = queue.peek();
      if (item === undefined) return { state: 'idle', frames, bytes };
      if (sink.bufferedAmount > highWaterMark) return { state: 'blocked', frames, bytes };
      if (bytes >= highWaterMark) return { state: 'yield', frames, bytes };
      const frame = encodeDataFrame(item.channel, item.msgId, item.bytes, item.next, payloadBytes);
      sink.send(frame);
      const start = item.next * payloadBytes;
      queue.bytes -= Math.max(0, Math.min(item.bytes.length, start + payloadBytes) - start);
      item.next += 1;
      if (item.next === item.count) queue.shift();
      frames += 1;
      bytes += frame.length;
    }
  }

  clear(): void {
    this.control.clear();
    this.bulk.clear();
  }
}

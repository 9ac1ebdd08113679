// The engine side's edge to the network: raw frames in, Raft messages out. Inbound bytes are
// decoded here (in the worker, never on the main thread); outbound messages are encoded and
// assigned a channel. The relay never throws on bad input: a bad frame is counted and dropped.
import type { DecodeErrorReason, Message, PeerId } from '@meshraft/core';
import { channelFor, type Channel } from './channel';
import { FrameCounters, type FrameStats } from './frame-stats';
import { admitLocalFrame } from './local-channel';

export type DecodeOutcome = { ok: true; message: Message } | { ok: false; reason: DecodeErrorReason };

export interface FrameRelayOptions {
  decode(bytes: Uint8Array): DecodeOutcome;
  encode(message: Message): Uint8Array;
  /** Hands a decoded message to the engine host. */
  deliver(from: PeerId, message: Message): void;
  /** Puts an encoded frame on the wire (mesh.send, or a postMessage to the main thread). */
  transmit(to: PeerId, bytes: Uint8Array, channel: Channel): void;
}

export class FrameRelay {
  private readonly counters = new FrameCounters();

  constructor(private readonly options: FrameRelayOptions) {}

  /** A frame arrived from an authenticated peer. */
  inbound(from: PeerId, bytes: Uint8Array): void {
    let outcome: DecodeOutcome;
    try {
      outcome = this.options.decode(bytes);
    } catch {
      // A codec is not supposed to throw; if it does, the frame is still just a bad frame.
      outcome = { ok: false, reason: 'bad-cbor' };
    }
    if (!outcome.ok) {
      this.counters.dropped(outcome.reason, bytes.byteLength);
      return;
    }
    const message = outcome.message;
    const entries = message.type === 'AppendEntries' || message.type === 'FetchEntriesResponse' ? message.entries.length : 0;
    this.counters.accepted(from, bytes.byteLength, entries);
    if ((message.type === 'FetchEntriesResponse' && entries > 0) || (message.type === 'FetchSnapshotResponse' && message.data.byteLength > 0)) {
      this.counters.catchUpChunk(from);
    }
    this.options.deliver(from, outcome.message);
  }

  /**
   * A message from the same-browser channel (local-inbox.ts), for identity `self`. Admitted
   * only from a peer with an authenticated link now (`linked`), then decoded like any frame.
   */
  inboundLocal(data: unknown, self: PeerId, linked: (id: PeerId) => boolean): void {
    const admission = admitLocalFrame(data, self, linked);
    if (!admission.ok) {
      this.counters.localDropped(admission.reason);
      return;
    }
    this.counters.localIn(admission.from, admission.bytes.byteLength);
    this.inbound(admission.from, admission.bytes);
  }

  /** The engine wants `message` sent to `to`. */
  outbound(to: PeerId, message: Message): void {
    let bytes: Uint8Array;
    try {
      bytes = this.options.encode(message);
    } catch {
      // e.g. over the codec's size cap: the message is lost like any dropped one (Raft retries).
      this.counters.encodeFailed();
      return;
    }
    const channel = channelFor(message, bytes.byteLength);
    this.counters.sent(channel, bytes.byteLength);
    this.options.transmit(to, bytes, channel);
  }

  stats(): FrameStats {
    return this.counters.snapshot();
  }
}

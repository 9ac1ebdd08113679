// One connection attempt ("session") to one remote peer: a simple-peer instance, the HMAC
// challenge handshake, framing/reassembly and the priority send queues.
//
// Handshake on the freshly opened (ordered, reliable) channel:
//   each side sends CHALLENGE(nonce); each answers PROOF = HMAC(authKey, nonce, responder, challenger);
//   a side that verified the other's proof sends AUTH_OK. A side is up once it verified the other's
//   proof AND received its AUTH_OK. Because AUTH_OK precedes any application frame on the ordered
//   channel, both sides have verified each other before the first application frame arrives, so
//   frames that arrive earlier can only come from a peer that skipped the handshake: they are dropped.
import { computeProof, randomNonce, verifyProof } from './auth';
import {
  decodeFrame,
  encodeAuthOk,
  encodeChallenge,
  encodeProof,
  Reassembler,
  type DataFrame,
  type DropReason,
} from './framing';
import { SendScheduler, type EnqueueResult, type FrameSink, type SendSchedulerOptions } from './send-scheduler';
import type {
  DataChannelLike,
  MeshChannel,
  PeerMeshStats,
  PeerSignal,
  SimplePeerConstructor,
  SimplePeerInstance,
  WrtcLike,
} from './types';

export type MeshCounters = Omit<PeerMeshStats, 'queuedBytes'>;

export interface PeerLinkContext {
  localId: string;
  authKey: CryptoKey;
  SimplePeer: SimplePeerConstructor;
  iceServers: RTCIceServer[];
  wrtc?: WrtcLike;
  scheduler: SendSchedulerOptions;
  connectTimeoutMs: number;
  backpressurePollMs: number;
  counters: MeshCounters;
}

export type LinkCloseReason = 'local' | 'closed' | 'authFailed' | 'timeout';

export interface PeerLinkEvents {
  signal(data: PeerSignal): void;
  up(): void;
  message(bytes: Uint8Array, channel: MeshChannel): void;
  drain(): void;
  closed(info: { wasUp: boolean; reason: LinkCloseReason }): void;
}

type LinkState = 'connecting' | 'authenticating' | 'up' | 'closed';

export const CHANNEL_NAME = 'meshraft';

function rawChannel(peer: SimplePeerInstance): DataChannelLike | null {
  // simple-peer does not expose its RTCDataChannel; we need it for bufferedAmount and its events.
  const channel = (peer as unknown as { _channel?: unknown })._channel;
  if (typeof channel !== 'object' || channel === null) return null;
  const c = channel as Partial<DataChannelLike>;
  return typeof c.send === 'function' && typeof c.bufferedAmount === 'number' ? (channel as DataChannelLike) : null;
}

export class PeerLink {
  private state: LinkState = 'connecting';
  private readonly peer: SimplePeerInstance | null = null;
  private readonly scheduler: SendScheduler;
  private readonly reassemblers: Record<MeshChannel, Reassembler>;
  private sink: FrameSink | null = null;
  private channel: DataChannelLike | null = null;
  private myNonce: Uint8Array | null = null;
  /** Handshake frames produced before our 'connect' (the remote's challenge can arrive first). */
  private readonly early: Uint8Array[] = [];
  private answeredChallenge = false;
  private proofReceived = false;
  private verified = false;
  private gotOk = false;
  private pumping = false;
  private wasNonEmpty = false;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private wakeTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly onLow = (): void => this.pump();

  constructor(
    private readonly ctx: PeerLinkContext,
    readonly remoteId: string,
    readonly initiator: boolean,
    /** Session id chosen by the initiator; signals of other sessions are ignored. */
    readonly session: string,
    private readonly events: PeerLinkEvents,
  ) {
    this.scheduler = new SendScheduler(ctx.scheduler);
    const drop = (reason: DropReason): void => {
      ctx.counters.dropped[reason] += 1;
    };
    this.reassemblers = {
      control: new Reassembler(ctx.scheduler.maxMessageBytes, drop),
      bulk: new Reassembler(ctx.scheduler.maxMessageBytes, drop),
    };
    this.connectTimer = setTimeout(() => this.teardown('timeout'), ctx.connectTimeoutMs);
    try {
      this.peer = new ctx.SimplePeer({
        initiator,
        trickle: true,
        channelName: CHANNEL_NAME,
        config: { iceServers: ctx.iceServers },
        ...(ctx.wrtc !== undefined ? { wrtc: ctx.wrtc } : {}),
      });
    } catch (error) {
      console.error('[meshraft/webrtc] cannot create a peer connection', error);
      queueMicrotask(() => this.teardown('closed'));
      return;
    }
    const peer = this.peer;
    peer.on('signal', (data) => {
      if (this.state !== 'closed') this.events.signal(data);
    });
    peer.on('connect', () => this.onConnect());
    peer.on('data', (data) => this.onData(data));
    // simple-peer follows every error with 'close'; the close handler tears down.
    peer.on('error', () => undefined);
    peer.on('close', () => this.teardown('closed'));
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  get queuedBytes(): number {
    return this.scheduler.queuedBytes;
  }

  /** Feeds a signal from the remote peer (offer, answer or candidate). */
  signal(data: PeerSignal): void {
    if (this.state === 'closed' || this.peer === null) return;
    try {
      this.peer.signal(data);
    } catch {
      this.ctx.counters.dropped.badSignal += 1;
    }
  }

  send(bytes: Uint8Array, channel: MeshChannel): EnqueueResult | 'notUp' {
    if (this.state !== 'up') return 'notUp';
    const result = this.scheduler.enqueue(bytes, channel);
    if (result === 'queued') this.pumpSoon();
    return result;
  }

  close(): void {
    this.teardown('local');
  }

  private onConnect(): void {
    if (this.state !== 'connecting' || this.peer === null) return;
    this.state = 'authenticating';
    const peer = this.peer;
    const channel = rawChannel(peer);
    this.channel = channel;
    this.sink = channel ?? {
      get bufferedAmount(): number {
        return (peer as unknown as { bufferSize?: number }).bufferSize ?? 0;
      },
      send: (frame: Uint8Array) => peer.send(frame),
    };
    // Browsers fire 'bufferedamountlow'; wrtc has no threshold property, so the poll covers it.
    if (channel !== null && typeof channel.bufferedAmountLowThreshold === 'number') {
      channel.bufferedAmountLowThreshold = Math.floor(this.ctx.scheduler.highWaterMark / 2);
      channel.addEventListener?.('bufferedamountlow', this.onLow);
    }
    this.myNonce = randomNonce();
    this.sendRaw(encodeChallenge(this.myNonce));
    for (const frame of this.early.splice(0)) this.sendRaw(frame);
  }

  private onData(raw: Uint8Array): void {
    const counters = this.ctx.counters;
    try {
      if (this.state === 'closed' || !(raw instanceof Uint8Array)) return;
      // Normalise Node/polyfill Buffers to a plain Uint8Array view (Buffer#slice does not copy).
      const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      counters.framesIn += 1;
      counters.bytesIn += bytes.length;
      const frame = decodeFrame(bytes);
      if (frame === null) {
        counters.dropped.badFrame += 1;
        return;
      }
      switch (frame.kind) {
        case 'data':
          this.onDataFrame(frame);
          return;
        case 'challenge':
          this.onChallenge(frame.nonce);
          return;
        case 'proof':
          this.onProof(frame.proof);
          return;
        case 'authOk':
          if (this.gotOk) counters.dropped.badFrame += 1;
          this.gotOk = true;
          this.maybeUp();
          return;
      }
    } catch (error) {
      // Never let a frame (or a listener) break the channel's message handler.
      counters.dropped.badFrame += 1;
      console.error('[meshraft/webrtc] frame handler failed', error);
    }
  }

  private onDataFrame(frame: DataFrame): void {
    if (this.state !== 'up') {
      this.ctx.counters.dropped.unauthenticated += 1;
      return;
    }
    const message = this.reassemblers[frame.channel].push(frame);
    if (message !== null) this.events.message(message, frame.channel);
  }

  private onChallenge(nonce: Uint8Array): void {
    if (this.answeredChallenge) {
      this.ctx.counters.dropped.badFrame += 1;
      return;
    }
    this.answeredChallenge = true;
    computeProof(this.ctx.authKey, nonce, this.ctx.localId, this.remoteId).then(
      (proof) => this.sendRaw(encodeProof(proof)),
      () => this.teardown('closed'),
    );
  }

  private onProof(proof: Uint8Array): void {
    if (this.proofReceived || this.myNonce === null) {
      this.ctx.counters.dropped.badFrame += 1;
      return;
    }
    this.proofReceived = true;
    void verifyProof(this.ctx.authKey, this.myNonce, this.remoteId, this.ctx.localId, proof).then((ok) => {
      if (this.state === 'closed') return;
      if (!ok) {
        this.ctx.counters.dropped.authFailed += 1;
        this.teardown('authFailed');
        return;
      }
      this.verified = true;
      this.sendRaw(encodeAuthOk());
      this.maybeUp();
    });
  }

  private maybeUp(): void {
    if (this.state !== 'authenticating' || !this.verified || !this.gotOk) return;
    this.state = 'up';
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.events.up();
    this.pump();
  }

  /** Handshake frames: tiny and sent before any application frame, so they bypass the queues. */
  private sendRaw(frame: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.sink === null) {
      this.early.push(frame);
      return;
    }
    try {
      this.sink.send(frame);
      this.ctx.counters.framesOut += 1;
      this.ctx.counters.bytesOut += frame.length;
    } catch {
      this.teardown('closed');
    }
  }

  /** Pumps from send(): unless a wake-up is already pending (blocked, or this task's budget is spent). */
  private pumpSoon(): void {
    if (this.wakeTimer === null) this.pump();
  }

  private pump(): void {
    if (this.state !== 'up' || this.sink === null || this.pumping) return;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.pumping = true;
    let result;
    try {
      result = this.scheduler.pump(this.sink);
    } catch {
      this.pumping = false;
      this.teardown('closed');
      return;
    }
    this.pumping = false;
    this.ctx.counters.framesOut += result.frames;
    this.ctx.counters.bytesOut += result.bytes;
    if (result.state === 'idle') {
      if (this.wasNonEmpty) {
        this.wasNonEmpty = false;
        this.events.drain();
      }
      return;
    }
    this.wasNonEmpty = true;
    // blocked: wait for 'bufferedamountlow' or the poll; yield: continue on the next task.
    const delay = result.state === 'blocked' ? this.ctx.backpressurePollMs : 0;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.pump();
    }, delay);
  }

  private teardown(reason: LinkCloseReason): void {
    if (this.state === 'closed') return;
    const wasUp = this.state === 'up';
    this.state = 'closed';
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.connectTimer = null;
    this.wakeTimer = null;
    this.channel?.removeEventListener?.('bufferedamountlow', this.onLow);
    this.scheduler.clear();
    try {
      this.peer?.destroy();
    } catch {
      // already destroyed
    }
    this.events.closed({ wasUp, reason });
  }
}

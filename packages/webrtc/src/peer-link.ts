// One connection attempt ("session") to one remote peer: a simple-peer instance, handshake v2
// (handshake.ts), framing/reassembly, the priority send queues and, once up, link heartbeats
// (link-liveness.ts).
//
// A link that is up closes only by its own failure: its channel closes or errors, or it goes silent
// (LinkLiveness), or its owner closes it. Nothing the signaling server says closes it directly.
import { linkFingerprints } from './fingerprints';
import { decodeFrame, encodeHeartbeat, Reassembler, type DataFrame, type DropReason } from './framing';
import { Handshake, type HandshakeFrame } from './handshake';
import { LinkLiveness, type LivenessOptions } from './link-liveness';
import type { MeshCounters } from './mesh-counters';
import { SendScheduler, type EnqueueResult, type FrameSink, type SendSchedulerOptions } from './send-scheduler';
import { MAX_REMOTE_CANDIDATES, rebuildRemoteSignal } from './remote-signal';
import type {
  DataChannelLike,
  LinkRefusal,
  MeshChannel,
  PeerSignal,
  SimplePeerConstructor,
  SimplePeerInstance,
  WrtcLike,
} from './types';

export interface PeerLinkContext {
  localId: string;
  room: string;
  authKey: CryptoKey;
  SimplePeer: SimplePeerConstructor;
  iceServers: RTCIceServer[];
  wrtc?: WrtcLike;
  scheduler: SendSchedulerOptions;
  connectTimeoutMs: number;
  backpressurePollMs: number;
  liveness: LivenessOptions;
  counters: MeshCounters;
}

/**
 * local: closed by its owner. closed: the channel closed or errored. refused: the handshake failed.
 * timeout: not authenticated within connectTimeoutMs. heartbeatTimeout: an up link went silent.
 */
export type LinkCloseReason = 'local' | 'closed' | 'refused' | 'timeout' | 'heartbeatTimeout';

export interface LinkClosedInfo {
  wasUp: boolean;
  reason: LinkCloseReason;
  /** Set when reason is 'refused'. */
  refusal?: LinkRefusal;
}

export interface PeerLinkEvents {
  signal(data: PeerSignal): void;
  up(): void;
  message(bytes: Uint8Array, channel: MeshChannel): void;
  drain(): void;
  closed(info: LinkClosedInfo): void;
}

type LinkState = 'connecting' | 'authenticating' | 'up' | 'refusing' | 'closed';

export const CHANNEL_NAME = 'meshraft';
/** How long a refusing link stays open so its farewell frame can reach the other side. */
const REFUSAL_GRACE_MS = 500;

function rawChannel(peer: SimplePeerInstance): DataChannelLike | null {
  // simple-peer does not expose its RTCDataChannel; we need it for bufferedAmount and its events.
  const channel = (peer as unknown as { _channel?: unknown })._channel;
  if (typeof channel !== 'object' || channel === null) return null;
  const c = channel as Partial<DataChannelLike>;
  return typeof c.send === 'function' && typeof c.bufferedAmount === 'number' ? (channel as DataChannelLike) : null;
}

function sdpOf(signal: PeerSignal): string | null {
  return typeof signal.sdp === 'string' ? signal.sdp : null;
}

export class PeerLink {
  private state: LinkState = 'connecting';
  private readonly peer: SimplePeerInstance | null = null;
  private readonly scheduler: SendScheduler;
  private readonly reassemblers: Record<MeshChannel, Reassembler>;
  private readonly handshake: Handshake;
  private readonly liveness: LinkLiveness;
  private sink: FrameSink | null = null;
  private channel: DataChannelLike | null = null;
  /** Handshake frames produced before our 'connect' (the remote's frames can arrive first). */
  private readonly early: Uint8Array[] = [];
  /** SDP of the offer/answer this link sent and the one it applied (fingerprint fallback). */
  private localSdp: string | null = null;
  private remoteSdp: string | null = null;
  /** Remote ICE candidates accepted so far (capped, see signal()). */
  private remoteCandidates = 0;
  private refusal: LinkRefusal | undefined;
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
    this.handshake = new Handshake(
      { authKey: ctx.authKey, room: ctx.room, localId: ctx.localId, remoteId, role: initiator ? 'initiator' : 'responder' },
      {
        send: (frame) => this.sendRaw(frame),
        fingerprints: () =>
          this.peer === null ? null : linkFingerprints(this.peer, { localSdp: this.localSdp, remoteSdp: this.remoteSdp }),
        up: () => this.onAuthenticated(),
        refuse: (reason, detail, farewell) => this.refuse(reason, detail, farewell),
      },
    );
    this.liveness = new LinkLiveness(
      ctx.liveness,
      (replyRequested) => {
        ctx.counters.heartbeatsOut += 1;
        this.sendRaw(encodeHeartbeat(replyRequested));
      },
      () => this.teardown('heartbeatTimeout'),
    );
    this.connectTimer = setTimeout(() => {
      ctx.counters.dropped.handshakeTimeout += 1;
      this.teardown('timeout');
    }, ctx.connectTimeoutMs);
    if (remoteId === ctx.localId) {
      // A link to ourselves can only be a reflection; the mesh never asks for one.
      queueMicrotask(() => this.refuse('reflected', 'remote id is our own id', null));
      return;
    }
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
      if (this.state === 'closed') return;
      this.localSdp ??= sdpOf(data);
      this.events.signal(data);
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

  /**
   * Feeds a signal from the remote peer. Exactly one description is accepted (the offer for a
   * responder, the answer for an initiator), then only ICE candidates: a later description could
   * renegotiate the connection (another DTLS certificate) under an already authenticated link.
   * Nothing is accepted once the data channel is open.
   */
  signal(data: PeerSignal): void {
    if (this.state === 'closed' || this.state === 'refusing' || this.peer === null) return;
    if (this.state !== 'connecting') {
      // The channel is open, so the connection works without more signals (late trickle candidates
      // included); a candidate the stack rejects would make simple-peer destroy it.
      this.ctx.counters.dropped.badSignal += 1;
      return;
    }
    // Only the checked fields reach simple-peer (remote-signal.ts), and at most
    // MAX_REMOTE_CANDIDATES candidates per link.
    const signal = rebuildRemoteSignal(data);
    const acceptable =
      signal !== null &&
      (signal.type === 'candidate'
        ? this.remoteCandidates < MAX_REMOTE_CANDIDATES
        : this.remoteSdp === null && signal.type === (this.initiator ? 'answer' : 'offer'));
    if (!acceptable) {
      this.ctx.counters.dropped.badSignal += 1;
      return;
    }
    if (signal.type === 'candidate') this.remoteCandidates++;
    else this.remoteSdp = signal.sdp;
    try {
      this.peer.signal(signal);
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

  /** Asks the remote for an immediate heartbeat; the link closes if nothing arrives in time. */
  probe(): void {
    if (this.state === 'up') this.liveness.probe();
  }

  close(): void {
    this.teardown('local');
  }

  private onConnect(): void {
    if ((this.state !== 'connecting' && this.state !== 'refusing') || this.peer === null) return;
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
    if (this.state === 'refusing') {
      // Refused on frames that arrived before our 'connect': the farewell still goes out.
      for (const frame of this.early.splice(0)) this.sendRaw(frame, true);
      return;
    }
    this.state = 'authenticating';
    this.handshake.start();
    for (const frame of this.early.splice(0)) this.sendRaw(frame);
  }

  private onData(raw: Uint8Array): void {
    const counters = this.ctx.counters;
    try {
      if (this.state === 'closed' || this.state === 'refusing' || !(raw instanceof Uint8Array)) return;
      // Normalise Node/polyfill Buffers to a plain Uint8Array view (Buffer#slice does not copy).
      const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      counters.framesIn += 1;
      counters.bytesIn += bytes.length;
      const frame = decodeFrame(bytes);
      if (frame === null) {
        counters.dropped.badFrame += 1;
        return;
      }
      if (frame.kind === 'data' || frame.kind === 'heartbeat') {
        if (this.state !== 'up') {
          counters.dropped.unauthenticated += 1;
          return;
        }
        this.liveness.heard();
        if (frame.kind === 'data') this.onDataFrame(frame);
        else {
          counters.heartbeatsIn += 1;
          if (frame.replyRequested) {
            counters.heartbeatsOut += 1;
            this.sendRaw(encodeHeartbeat(false));
          }
        }
        return;
      }
      if (this.state === 'up') {
        counters.dropped.badFrame += 1; // handshake frames after the handshake
        return;
      }
      this.handshake.onFrame(frame satisfies HandshakeFrame);
    } catch (error) {
      // Never let a frame (or a listener) break the channel's message handler.
      counters.dropped.badFrame += 1;
      console.error('[meshraft/webrtc] frame handler failed', error);
    }
  }

  private onDataFrame(frame: DataFrame): void {
    const message = this.reassemblers[frame.channel].push(frame);
    if (message !== null) this.events.message(message, frame.channel);
  }

  private onAuthenticated(): void {
    if (this.state !== 'authenticating') return;
    this.state = 'up';
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.liveness.start();
    this.events.up();
    this.pump();
  }

  private refuse(reason: LinkRefusal, detail: string, farewell: Uint8Array | null): void {
    if (this.state === 'closed' || this.state === 'refusing') return;
    const dropped = this.ctx.counters.dropped;
    if (reason === 'protocol') dropped.badFrame += 1;
    else dropped[reason] += 1;
    console.warn(`[meshraft/webrtc] refused the link with ${this.remoteId}: ${detail}`);
    this.refusal = reason;
    if (farewell === null) {
      this.teardown('refused');
      return;
    }
    this.sendRaw(farewell);
    this.state = 'refusing';
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => this.teardown('refused'), REFUSAL_GRACE_MS);
  }

  /** Handshake and heartbeat frames: tiny, so they bypass the queues (heartbeats overtake bulk). */
  private sendRaw(frame: Uint8Array, farewell = false): void {
    if (this.state === 'closed' || (this.state === 'refusing' && !farewell)) return;
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

  private teardown(cause: LinkCloseReason): void {
    if (this.state === 'closed') return;
    const wasUp = this.state === 'up';
    // A refusing link that the other side closes first is still a refusal.
    const reason = this.state === 'refusing' ? 'refused' : cause;
    this.state = 'closed';
    this.handshake.abort();
    this.liveness.stop();
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
    this.events.closed({ wasUp, reason, ...(reason === 'refused' && this.refusal !== undefined ? { refusal: this.refusal } : {}) });
  }
}

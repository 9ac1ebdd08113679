// PeerMesh: a full mesh of authenticated data-channel links between the peers of one signaling room.
//
// Pairing: the peer with the lexicographically smaller id initiates, so each pair has exactly one
// connection attempt at a time. Every attempt has a session id chosen by the initiator; signals of
// other sessions are ignored, and a responder replaces its link only when a new offer arrives.
// A link that fails while the remote is still in the room is re-established with exponential
// backoff (the initiator redials; the responder asks it to with a 'reset' signal). A peer that left
// the room is dropped for good.
import { importAuthKey, randomNonce } from './auth';
import { Backoff } from './backoff';
import { Emitter } from './emitter';
import { MAX_FRAME_BYTES, payloadPerFrame } from './framing';
import { PeerLink, type LinkCloseReason, type MeshCounters, type PeerLinkContext } from './peer-link';
import { isValidPeerId, isValidRoomId, SignalingClient } from './signaling-client';
import type {
  BackoffOptions,
  MeshChannel,
  PeerMesh,
  PeerMeshEvents,
  PeerMeshOptions,
  PeerMeshStats,
  PeerSignal,
  SimplePeerConstructor,
} from './types';

const MiB = 1024 * 1024;

/**
 * What travels in the signaling server's opaque `data` field:
 *   sig   a simple-peer signal of session `s` (session = one connection attempt, named by the initiator)
 *   reset the responder's link of session `s` failed: please redial
 *   hello the responder (re)joined and has no link to you: please dial (it may have reloaded while
 *         your side of the old link still looks open)
 */
type SignalEnvelope = { s: string; sig: PeerSignal } | { s: string; reset: true } | { hello: true };

const SESSION_PATTERN = /^[0-9a-f]{1,64}$/;

function parseEnvelope(data: unknown): SignalEnvelope | null {
  if (typeof data !== 'object' || data === null) return null;
  const { s, sig, reset, hello } = data as Record<string, unknown>;
  if (hello === true) return { hello: true };
  if (typeof s !== 'string' || !SESSION_PATTERN.test(s)) return null;
  if (reset === true) return { s, reset: true };
  if (typeof sig !== 'object' || sig === null || Array.isArray(sig)) return null;
  return { s, sig: sig as PeerSignal };
}

function newSessionId(): string {
  return Array.from(randomNonce(8), (b) => b.toString(16).padStart(2, '0')).join('');
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number`);
  return v;
}

async function defaultSimplePeer(): Promise<SimplePeerConstructor> {
  // Lazy so Node users who inject simple-peer never load the browser bundle.
  return (await import('./simple-peer-browser')).SimplePeer;
}

class Mesh implements PeerMesh {
  private readonly emitter = new Emitter<PeerMeshEvents>();
  private readonly counters: MeshCounters = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    dropped: { badFrame: 0, tooLarge: 0, unauthenticated: 0, authFailed: 0, queueFull: 0, badSignal: 0 },
  };
  private readonly inRoom = new Set<string>();
  private readonly links = new Map<string, PeerLink>();
  private readonly backoffs = new Map<string, Backoff>();
  private readonly redialTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly reconnect: BackoffOptions;
  private signaling: SignalingClient | null = null;
  private ctx: PeerLinkContext | null = null;
  private closed = false;
  readonly peerId: string;

  constructor(private readonly options: PeerMeshOptions) {
    if (!isValidPeerId(options.peerId)) throw new TypeError('peerId must be 1-64 chars [A-Za-z0-9_-]');
    if (!isValidRoomId(options.room)) throw new TypeError('room must be 16-128 chars [A-Za-z0-9_-]');
    this.peerId = options.peerId;
    this.reconnect = options.reconnect ?? { minMs: 250, maxMs: 10_000 };
    new Backoff(this.reconnect); // validates
    const maxMessageBytes = positive(options.maxMessageBytes, 16 * MiB, 'maxMessageBytes');
    const frameBytes = options.frameBytes ?? MAX_FRAME_BYTES;
    const scheduler = {
      payloadBytes: payloadPerFrame(frameBytes),
      highWaterMark: positive(options.highWaterMark, 1 * MiB, 'highWaterMark'),
      maxQueuedBytes: positive(options.maxQueuedBytes, 2 * maxMessageBytes, 'maxQueuedBytes'),
      maxMessageBytes,
    };
    if (scheduler.maxQueuedBytes < maxMessageBytes) throw new RangeError('maxQueuedBytes must be >= maxMessageBytes');
    const authKey = options.authKey;
    void Promise.all([importAuthKey(authKey), options.SimplePeer ?? defaultSimplePeer()]).then(
      ([key, SimplePeer]) => {
        if (this.closed) return;
        this.ctx = {
          localId: options.peerId,
          authKey: key,
          SimplePeer,
          iceServers: options.iceServers ?? [],
          ...(options.wrtc !== undefined ? { wrtc: options.wrtc } : {}),
          scheduler,
          connectTimeoutMs: positive(options.connectTimeoutMs, 20_000, 'connectTimeoutMs'),
          backpressurePollMs: positive(options.backpressurePollMs, 10, 'backpressurePollMs'),
          counters: this.counters,
        };
        this.startSignaling();
      },
      (error: unknown) => this.emitter.emit('error', error instanceof Error ? error : new Error(String(error))),
    );
  }

  send(to: string, bytes: Uint8Array, channel: MeshChannel): boolean {
    if (!(bytes instanceof Uint8Array) || (channel !== 'control' && channel !== 'bulk')) return false;
    const link = this.links.get(to);
    if (link === undefined) return false;
    const result = link.send(bytes, channel);
    if (result === 'tooLarge') this.counters.dropped.tooLarge += 1;
    if (result === 'queueFull') this.counters.dropped.queueFull += 1;
    return result === 'queued';
  }

  broadcast(bytes: Uint8Array, channel: MeshChannel): number {
    let accepted = 0;
    for (const id of this.peers()) if (this.send(id, bytes, channel)) accepted += 1;
    return accepted;
  }

  on<E extends keyof PeerMeshEvents>(event: E, listener: PeerMeshEvents[E]): () => void {
    return this.emitter.on(event, listener);
  }

  off<E extends keyof PeerMeshEvents>(event: E, listener: PeerMeshEvents[E]): void {
    this.emitter.off(event, listener);
  }

  peers(): string[] {
    return [...this.links.values()].filter((l) => l.isUp).map((l) => l.remoteId).sort();
  }

  queuedBytes(peerId: string): number {
    return this.links.get(peerId)?.queuedBytes ?? 0;
  }

  stats(): PeerMeshStats {
    let queuedBytes = 0;
    for (const link of this.links.values()) queuedBytes += link.queuedBytes;
    return { ...this.counters, dropped: { ...this.counters.dropped }, queuedBytes };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signaling?.close();
    for (const timer of this.redialTimers.values()) clearTimeout(timer);
    this.redialTimers.clear();
    for (const id of [...this.links.keys()]) this.closeLink(id);
    this.inRoom.clear();
    this.emitter.clear();
  }

  private startSignaling(): void {
    this.signaling = new SignalingClient(
      {
        url: this.options.signalingUrl,
        room: this.options.room,
        peerId: this.peerId,
        ...(this.options.io !== undefined ? { io: this.options.io } : {}),
        backoff: this.reconnect,
        aliveIntervalMs: positive(this.options.aliveIntervalMs, 5_000, 'aliveIntervalMs'),
        joinTimeoutMs: 10_000,
      },
      {
        joined: (peers) => this.onJoined(peers),
        peerJoined: (id) => this.onPeerJoined(id),
        peerLeft: (id) => this.onPeerLeft(id),
        signal: (from, data) => this.onSignal(from, data),
        badMessage: () => {
          this.counters.dropped.badSignal += 1;
        },
        error: (error) => this.emitter.emit('error', error),
      },
    );
  }

  private isInitiatorFor(remoteId: string): boolean {
    return this.peerId < remoteId;
  }

  private onJoined(peers: string[]): void {
    const present = new Set(peers);
    for (const id of [...this.inRoom]) {
      if (present.has(id)) continue;
      // Absent from the new list: it left while our socket was away, or it has not re-joined yet
      // after a signaling restart. A live link stays (it closes by itself if the peer is gone) but
      // is not redialled; anything else is dropped.
      if (this.links.get(id)?.isUp) this.inRoom.delete(id);
      else this.onPeerLeft(id);
    }
    for (const id of peers) {
      this.inRoom.add(id);
      const link = this.links.get(id);
      if (!this.isInitiatorFor(id) && (link === undefined || link.isClosed)) {
        this.signaling?.sendSignal(id, { hello: true } satisfies SignalEnvelope);
      }
      this.ensureConnection(id);
    }
    this.emitter.emit('joined', { bootstrap: peers.length === 0, peers: [...peers] });
  }

  private onPeerJoined(id: string): void {
    this.inRoom.add(id);
    // A live link survives a signaling blip. Otherwise the peer's previous attempt is gone with its
    // old socket (reload, reconnect): start afresh without waiting for the backoff.
    if (this.links.get(id)?.isUp) return;
    this.redialNow(id);
  }

  private onPeerLeft(id: string): void {
    this.inRoom.delete(id);
    this.cancelRedial(id);
    this.backoffs.delete(id);
    this.closeLink(id);
  }

  private redialNow(id: string): void {
    this.cancelRedial(id);
    this.backoffFor(id).reset();
    this.closeLink(id);
    this.ensureConnection(id);
  }

  private onSignal(from: string, data: unknown): void {
    const envelope = parseEnvelope(data);
    if (envelope === null) {
      this.counters.dropped.badSignal += 1;
      return;
    }
    this.inRoom.add(from); // the server relays only within our room
    const initiator = this.isInitiatorFor(from);
    const link = this.links.get(from);
    if ('hello' in envelope) {
      // An attempt in progress already answers it; a link that looks up is stale (the peer has none).
      const connecting = link !== undefined && !link.isUp && !link.isClosed;
      if (initiator && !connecting) this.redialNow(from);
      return;
    }
    const current = link !== undefined && link.session === envelope.s ? link : undefined;
    if ('reset' in envelope) {
      if (current !== undefined && initiator) {
        this.closeLink(from);
        this.scheduleRedial(from);
      }
      return;
    }
    if (current !== undefined) {
      current.signal(envelope.sig);
    } else if (!initiator && envelope.sig.type === 'offer') {
      this.closeLink(from);
      this.createLink(from, false, envelope.s)?.signal(envelope.sig);
    }
    // Anything else belongs to an old session: ignore.
  }

  private ensureConnection(id: string): void {
    if (this.closed || !this.inRoom.has(id) || this.links.has(id) || this.redialTimers.has(id)) return;
    if (!this.signaling?.isJoined) return; // onJoined reconciles once we are back
    if (this.isInitiatorFor(id)) this.createLink(id, true, newSessionId());
  }

  private createLink(id: string, initiator: boolean, session: string): PeerLink | null {
    const ctx = this.ctx;
    if (ctx === null || this.closed) return null;
    const link: PeerLink = new PeerLink(ctx, id, initiator, session, {
      signal: (sig) => {
        this.signaling?.sendSignal(id, { s: session, sig } satisfies SignalEnvelope);
      },
      up: () => {
        this.backoffFor(id).reset();
        this.emitter.emit('peer-up', id);
      },
      message: (bytes, channel) => this.emitter.emit('message', id, bytes, channel),
      drain: () => this.emitter.emit('drain', id),
      closed: (info) => this.onLinkClosed(link, info.wasUp, info.reason),
    });
    this.links.set(id, link);
    return link;
  }

  private onLinkClosed(link: PeerLink, wasUp: boolean, reason: LinkCloseReason): void {
    const id = link.remoteId;
    if (this.links.get(id) === link) this.links.delete(id);
    if (wasUp) this.emitter.emit('peer-down', id);
    if (reason === 'local' || this.closed || !this.inRoom.has(id)) return;
    if (link.initiator) {
      this.scheduleRedial(id);
    } else {
      this.signaling?.sendSignal(id, { s: link.session, reset: true } satisfies SignalEnvelope);
    }
  }

  private closeLink(id: string): void {
    const link = this.links.get(id);
    if (link === undefined) return;
    this.links.delete(id);
    link.close();
  }

  private backoffFor(id: string): Backoff {
    let backoff = this.backoffs.get(id);
    if (backoff === undefined) {
      backoff = new Backoff(this.reconnect);
      this.backoffs.set(id, backoff);
    }
    return backoff;
  }

  private scheduleRedial(id: string): void {
    if (this.closed || this.redialTimers.has(id) || !this.inRoom.has(id)) return;
    const timer = setTimeout(() => {
      this.redialTimers.delete(id);
      this.ensureConnection(id);
    }, this.backoffFor(id).next());
    this.redialTimers.set(id, timer);
  }

  private cancelRedial(id: string): void {
    const timer = this.redialTimers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.redialTimers.delete(id);
  }
}

/** Creates a mesh and starts joining its room; see PeerMeshOptions for defaults. */
export function createPeerMesh(options: PeerMeshOptions): PeerMesh {
  return new Mesh(options);
}

// PeerMesh: a full mesh of authenticated data-channel links between the peers of one signaling room.
//
// The signaling server is only an introducer. It tells us who is in the room and relays the
// WebRTC signals of connection attempts; a link, once authenticated, lives on its own and closes
// only by its own failure (channel closed, heartbeats silent; see peer-link.ts). Server events are
// hints: `peer-left` stops redialling a peer whose link is down, and while the server is away
// (restart, crash) every up link keeps carrying frames. The mesh re-joins when the server returns
// and redials only links that are really down.
//
// Pairing: the peer with the lexicographically smaller id initiates, so each pair has one
// connection attempt at a time. Every attempt has a session id chosen by the initiator; signals of
// other sessions are ignored. A responder that already has an up link treats a new offer as a
// replacement attempt: the old link is closed only once the new one has authenticated (the peer
// reloaded with the same id), so a forged offer cannot cut a live link.
import { Emitter } from './emitter';
import { importAuthKey } from './group-key';
import { newMeshCounters } from './mesh-counters';
import { meshSettings, type MeshSettings } from './mesh-settings';
import { PeerLink, type LinkClosedInfo, type PeerLinkContext } from './peer-link';
import { RedialSchedule } from './redial-schedule';
import { newSessionId, parseEnvelope, type SignalEnvelope } from './signal-envelope';
import { isValidPeerId, isValidRoomId, SignalingClient, type SignalingJoin } from './signaling-client';
import { loadBrowserSimplePeer } from './simple-peer-loader';
import type { MeshChannel, PeerMesh, PeerMeshEvents, PeerMeshOptions, PeerMeshStats } from './types';

export { preloadSimplePeer } from './simple-peer-loader';

class Mesh implements PeerMesh {
  private readonly emitter = new Emitter<PeerMeshEvents>();
  private readonly counters = newMeshCounters();
  /** Peers the server last said are in the room: the ones worth (re)dialling. */
  private readonly inRoom = new Set<string>();
  private readonly links = new Map<string, PeerLink>();
  /** Responder side: a newer attempt from a peer whose current link is up (see the file comment). */
  private readonly replacements = new Map<string, PeerLink>();
  /** Initiator side: the session dialled when a peer joined, which answers the hello it sends then. */
  private readonly dialledOnJoin = new Map<string, string>();
  /** Peers that speak another handshake version: not redialled until they join again. */
  private readonly incompatible = new Set<string>();
  /** Peers gone for good (forgetPeer): never dialled, until they join the room anew or leave it. */
  private readonly forgotten = new Set<string>();
  private readonly redials: RedialSchedule;
  private readonly settings: MeshSettings;
  private signaling: SignalingClient | null = null;
  private ctx: PeerLinkContext | null = null;
  private closed = false;
  readonly peerId: string;
  readonly reregisterBoundMs: number;

  constructor(private readonly options: PeerMeshOptions) {
    if (!isValidPeerId(options.peerId)) throw new TypeError('peerId must be 1-64 chars [A-Za-z0-9_-]');
    if (!isValidRoomId(options.room)) throw new TypeError('room must be 16-128 chars [A-Za-z0-9_-]');
    this.peerId = options.peerId;
    this.settings = meshSettings(options);
    const { scheduler, liveness, connectTimeoutMs, backpressurePollMs } = this.settings;
    this.redials = new RedialSchedule(this.settings.reconnect);
    this.reregisterBoundMs = this.settings.reregisterBoundMs;
    void Promise.all([importAuthKey(options.authKey), options.SimplePeer ?? loadBrowserSimplePeer()]).then(
      ([key, SimplePeer]) => {
        if (this.closed) return;
        this.ctx = {
          localId: options.peerId,
          room: options.room,
          authKey: key,
          SimplePeer,
          iceServers: options.iceServers ?? [],
          ...(options.wrtc !== undefined ? { wrtc: options.wrtc } : {}),
          scheduler,
          connectTimeoutMs,
          backpressurePollMs,
          liveness,
          counters: this.counters,
        };
        this.startSignaling();
      },
      (error: unknown) => {
        // Nothing retries this (a lazily loaded chunk that failed stays failed in this page): the
        // mesh can never join, and whoever waits for its answer must hear so.
        const failure = error instanceof Error ? error : new Error(String(error));
        this.emitter.emit('error', failure);
        this.emitter.emit('failed', failure);
      },
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

  /** Peers the signaling server lists in the room right now (links up or not). */
  roomPeers(): string[] {
    return [...this.inRoom];
  }

  peers(): string[] {
    return [...this.links.values()].filter((l) => l.isUp).map((l) => l.remoteId).sort();
  }

  queuedBytes(peerId: string): number {
    return this.links.get(peerId)?.queuedBytes ?? 0;
  }

  dropPeer(peerId: string): void {
    const link = this.links.get(peerId);
    if (this.closed || link === undefined) return;
    if (link.isUp) this.counters.linkDrops.peerGone += 1;
    this.closeLink(peerId);
    // Still listed (the server has not said it left yet, or a new instance already joined) and not
    // gone for good (forgetPeer): dial afresh.
    if (this.worthDialling(peerId)) this.redialNow(peerId);
  }

  forgetPeer(peerId: string): void {
    if (this.closed) return;
    // Not onPeerLeft: the room listing is evidence for the runtime's start-up rules and stays what
    // the server says; only the dialling stops.
    this.forgotten.add(peerId);
    this.redials.forget(peerId);
  }

  stats(): PeerMeshStats {
    let queuedBytes = 0;
    for (const link of this.links.values()) queuedBytes += link.queuedBytes;
    const c = this.counters;
    return { ...c, dropped: { ...c.dropped }, linkDrops: { ...c.linkDrops }, signaling: { ...c.signaling }, queuedBytes };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signaling?.close();
    this.redials.clear();
    for (const link of [...this.replacements.values()]) link.close();
    this.replacements.clear();
    this.dialledOnJoin.clear();
    for (const id of [...this.links.keys()]) this.closeLink(id);
    this.inRoom.clear();
    this.emitter.clear();
  }

  private startSignaling(): void {
    const { reconnect, aliveIntervalMs, joinTimeoutMs } = this.settings;
    this.signaling = new SignalingClient(
      {
        url: this.options.signalingUrl,
        room: this.options.room,
        peerId: this.peerId,
        ...(this.options.io !== undefined ? { io: this.options.io } : {}),
        backoff: reconnect,
        aliveIntervalMs,
        joinTimeoutMs,
      },
      {
        joined: (join) => {
          this.counters.signaling.joins += 1;
          this.onJoined(join);
        },
        lost: () => this.emitter.emit('signaling-lost'),
        connected: () => {
          this.counters.signaling.connects += 1;
        },
        disconnected: (reason) => {
          this.counters.signaling.disconnects += 1;
          this.counters.signaling.lastProblem = reason;
        },
        peerJoined: (id) => this.onPeerJoined(id),
        peerLeft: (id) => this.onPeerLeft(id),
        signal: (from, data) => this.onSignal(from, data),
        badMessage: () => {
          this.counters.dropped.badSignal += 1;
        },
        reflected: () => {
          this.counters.dropped.reflected += 1;
          console.warn('[meshraft/webrtc] refused a signal that claims to come from our own peer id');
        },
        error: (error) => {
          this.counters.signaling.errors += 1;
          this.counters.signaling.lastProblem = error.message;
          this.emitter.emit('error', error);
        },
      },
    );
  }

  /** Listed in the room and not gone for good (forgetPeer). */
  private worthDialling(id: string): boolean {
    return this.inRoom.has(id) && !this.forgotten.has(id);
  }

  private isInitiatorFor(remoteId: string): boolean {
    return this.peerId < remoteId;
  }

  private onJoined({ peers, uptimeMs }: SignalingJoin): void {
    const present = new Set(peers);
    for (const id of [...this.inRoom]) {
      // Absent from the new list: it left while our socket was away, or it has not re-joined yet
      // after a server restart. Its link, up or not, is left alone; it is just not redialled.
      if (!present.has(id)) this.onPeerLeft(id);
    }
    for (const id of peers) {
      this.inRoom.add(id);
      // A link that is not up may be waiting for signals dropped while we were away (ours were not
      // sent, the peer's were not delivered): the initiator starts it afresh, the responder asks.
      const link = this.links.get(id);
      if (link?.isUp) continue;
      if (!this.isInitiatorFor(id)) this.signaling?.sendSignal(id, { hello: true } satisfies SignalEnvelope);
      else if (link !== undefined) this.redialNow(id);
      else this.ensureConnection(id);
    }
    const bootstrap = peers.length === 0 && this.peers().length === 0;
    this.emitter.emit('joined', { bootstrap, peers: [...peers], uptimeMs });
  }

  private onPeerJoined(id: string): void {
    this.inRoom.add(id);
    this.forgotten.delete(id);
    this.incompatible.delete(id); // it may have been upgraded
    // A live link survives the peer's re-join (e.g. after a server restart). Otherwise its
    // previous attempt is gone with its old socket: start afresh without waiting for the backoff.
    if (this.links.get(id)?.isUp) return;
    this.redialNow(id);
    const session = this.links.get(id)?.session;
    if (session !== undefined) this.dialledOnJoin.set(id, session);
  }

  /**
   * Only a hint: stop redialling. A link that is up stays up until it fails by itself; one still
   * connecting is closed (its signals can no longer arrive, the peer's socket is gone, and a peer
   * that joins and leaves in a loop would otherwise leave a connection attempt behind each time,
   * alive until its connect timeout). A peer that comes back joins again, and is dialled afresh.
   */
  private onPeerLeft(id: string): void {
    this.inRoom.delete(id);
    this.forgotten.delete(id);
    this.redials.forget(id);
    this.dialledOnJoin.delete(id);
    const link = this.links.get(id);
    if (link !== undefined && !link.isUp) this.closeLink(id);
  }

  private redialNow(id: string): void {
    this.redials.cancel(id);
    this.redials.resetBackoff(id);
    if (this.links.get(id)?.isUp) return;
    this.closeLink(id);
    this.ensureConnection(id);
  }

  private onSignal(from: string, data: unknown): void {
    if (from === this.peerId) {
      this.counters.dropped.reflected += 1;
      return;
    }
    const envelope = parseEnvelope(data);
    if (envelope === null) {
      this.counters.dropped.badSignal += 1;
      return;
    }
    this.inRoom.add(from); // the server relays only within our room
    const initiator = this.isInitiatorFor(from);
    const link = this.links.get(from);
    if ('hello' in envelope) {
      // The peer (re)joined holding no working link to us. A link that looks up is probed, and
      // closes only if the peer really is gone. An attempt made when we heard that join (the server
      // announces a joiner before its signals) already answers it; any other attempt is restarted,
      // as it may have lost its signals while either socket was away.
      this.incompatible.delete(from);
      if (!initiator) return;
      const answered = link !== undefined && this.dialledOnJoin.get(from) === link.session;
      this.dialledOnJoin.delete(from);
      if (link?.isUp) link.probe();
      else if (!answered) this.redialNow(from);
      return;
    }
    const replacement = this.replacements.get(from);
    const current =
      link !== undefined && link.session === envelope.s
        ? link
        : replacement !== undefined && replacement.session === envelope.s
          ? replacement
          : undefined;
    if ('reset' in envelope) {
      if (current === undefined || !initiator) return;
      if (current.isUp) current.probe();
      else {
        this.closeLink(from);
        this.scheduleRedial(from);
      }
      return;
    }
    if (current !== undefined) {
      current.signal(envelope.sig);
    } else if (!initiator && envelope.sig.type === 'offer') {
      if (link?.isUp) {
        replacement?.close();
        this.createLink(from, false, envelope.s, true)?.signal(envelope.sig);
      } else {
        this.closeLink(from);
        this.createLink(from, false, envelope.s, false)?.signal(envelope.sig);
      }
    }
    // Anything else belongs to an old session: ignore.
  }

  private ensureConnection(id: string): void {
    if (this.closed || !this.worthDialling(id) || this.incompatible.has(id)) return;
    if (this.links.has(id) || this.redials.pending(id)) return;
    if (!this.signaling?.isJoined) return; // onJoined reconciles once we are back
    if (this.isInitiatorFor(id)) this.createLink(id, true, newSessionId(), false);
  }

  private createLink(id: string, initiator: boolean, session: string, asReplacement: boolean): PeerLink | null {
    const ctx = this.ctx;
    if (ctx === null || this.closed) return null;
    const link: PeerLink = new PeerLink(ctx, id, initiator, session, {
      signal: (sig) => {
        this.signaling?.sendSignal(id, { s: session, sig } satisfies SignalEnvelope);
      },
      up: () => this.onLinkUp(link),
      message: (bytes, channel) => this.emitter.emit('message', id, bytes, channel),
      drain: () => this.emitter.emit('drain', id),
      closed: (info) => this.onLinkClosed(link, info),
    });
    (asReplacement ? this.replacements : this.links).set(id, link);
    return link;
  }

  private onLinkUp(link: PeerLink): void {
    const id = link.remoteId;
    if (this.replacements.get(id) === link) {
      // The peer proved itself on a newer connection: its old one is stale.
      this.replacements.delete(id);
      const old = this.links.get(id);
      if (old?.isUp) this.counters.linkDrops.replaced += 1;
      this.closeLink(id);
      this.links.set(id, link);
    }
    this.redials.resetBackoff(id);
    this.emitter.emit('peer-up', id);
  }

  private onLinkClosed(link: PeerLink, { wasUp, reason, refusal }: LinkClosedInfo): void {
    const id = link.remoteId;
    if (refusal !== undefined) {
      if (refusal === 'versionMismatch') this.incompatible.add(id);
      this.emitter.emit('refused', id, refusal);
    }
    if (this.replacements.get(id) === link) {
      this.replacements.delete(id); // a failed replacement attempt: the current link stays
      return;
    }
    if (this.links.get(id) === link) this.links.delete(id);
    if (wasUp) {
      if (reason === 'closed') this.counters.linkDrops.channelClosed += 1;
      if (reason === 'heartbeatTimeout') this.counters.linkDrops.heartbeatTimeout += 1;
      this.emitter.emit('peer-down', id);
    }
    if (reason === 'local' || this.closed || !this.worthDialling(id) || this.incompatible.has(id)) return;
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

  private scheduleRedial(id: string): void {
    if (this.closed || !this.worthDialling(id)) return;
    this.redials.schedule(id, () => this.ensureConnection(id));
  }
}

/** Creates a mesh and starts joining its room; see PeerMeshOptions for defaults. */
export function createPeerMesh(options: PeerMeshOptions): PeerMesh {
  return new Mesh(options);
}

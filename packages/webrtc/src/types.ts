// Public types of @meshraft/webrtc: a bytes-only peer mesh. It knows nothing about Raft; the caller
// decides what the bytes mean and which channel ('control' for votes/heartbeats, 'bulk' for catch-up
// and snapshots) they travel on.
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';

/** Traffic class. 'control' frames are always sent before queued 'bulk' frames. */
export type MeshChannel = 'control' | 'bulk';

/** Signal payload produced/consumed by simple-peer (offer, answer, candidate...). */
export type PeerSignal = { type?: string; sdp?: unknown; candidate?: unknown } & Record<string, unknown>;

/** The raw RTCDataChannel surface the mesh needs for backpressure. */
export interface DataChannelLike {
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold?: number;
  send(data: Uint8Array): void;
  addEventListener?(type: 'bufferedamountlow', listener: () => void): void;
  removeEventListener?(type: 'bufferedamountlow', listener: () => void): void;
}

/** The subset of a simple-peer instance the mesh uses. */
export interface SimplePeerInstance {
  readonly destroyed: boolean;
  signal(data: PeerSignal): void;
  send(data: Uint8Array): void;
  destroy(error?: Error): void;
  on(event: 'signal', listener: (data: PeerSignal) => void): unknown;
  on(event: 'connect' | 'close', listener: () => void): unknown;
  on(event: 'data', listener: (data: Uint8Array) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The `wrtc` object simple-peer accepts in Node (e.g. `require('@roamhq/wrtc')`). */
export interface WrtcLike {
  RTCPeerConnection: unknown;
  RTCSessionDescription: unknown;
  RTCIceCandidate: unknown;
}

export interface SimplePeerOptions {
  initiator: boolean;
  trickle: boolean;
  channelName: string;
  config: { iceServers: RTCIceServer[] };
  wrtc?: WrtcLike;
}

export type SimplePeerConstructor = new (options: SimplePeerOptions) => SimplePeerInstance;

/** socket.io-client's `io` function (injectable for tests). */
export type IoFunction = (url: string, options: Partial<ManagerOptions & SocketOptions>) => Socket;

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export interface PeerMeshOptions {
  /** socket.io signaling server URL, e.g. http://localhost:8787 */
  signalingUrl: string;
  /** Room id given to the signaling server (16-128 chars [A-Za-z0-9_-]); see deriveRoomAndAuthKey. */
  room: string;
  /** This peer's id (1-64 chars [A-Za-z0-9_-]). */
  peerId: string;
  /** HMAC-SHA256 key peers use to prove knowledge of the group key to each other. */
  authKey: Uint8Array;
  /** ICE servers; none are needed on one machine. Default []. */
  iceServers?: RTCIceServer[];
  /** Node only: the wrtc implementation, e.g. `require('@roamhq/wrtc')`. */
  wrtc?: WrtcLike;
  /** simple-peer constructor; default: the prebuilt browser bundle (loaded lazily). */
  SimplePeer?: SimplePeerConstructor;
  /** socket.io-client `io`; default: the package's `io`. */
  io?: IoFunction;
  /** Largest message accepted or sent, in bytes. Default 16 MiB. */
  maxMessageBytes?: number;
  /** Frame size on the data channel including the header; at most 16 KiB. Default 16 KiB. */
  frameBytes?: number;
  /** Stop sending while the channel's bufferedAmount is above this. Default 1 MiB. */
  highWaterMark?: number;
  /** Per-peer cap of queued (not yet handed to the channel) bytes; bulk beyond it is refused. */
  maxQueuedBytes?: number;
  /** Backoff for reconnecting the signaling socket and peer connections. Default {250, 10000}. */
  reconnect?: BackoffOptions;
  /** A join not answered within this time is retried (with the reconnect backoff). Default 10000. */
  joinTimeoutMs?: number;
  /** A connection that is not authenticated within this time is torn down. Default 20000. */
  connectTimeoutMs?: number;
  /** Interval of the 'alive' heartbeat to the signaling server. Default 5000. */
  aliveIntervalMs?: number;
  /** Interval of the heartbeat frames every up link sends to its peer. Default 2000. */
  linkHeartbeatMs?: number;
  /** An up link that receives nothing for this long is closed. Default 12000; at least 2 x linkHeartbeatMs. */
  linkTimeoutMs?: number;
  /** Fallback poll while blocked on backpressure (wrtc fires no 'bufferedamountlow'). Default 10. */
  backpressurePollMs?: number;
}

export interface JoinedInfo {
  /** True when the room was empty and this peer has no live link: the caller may bootstrap a new group. */
  bootstrap: boolean;
  /** Peers the signaling server lists in the room (this peer excluded). */
  peers: string[];
  /**
   * How long the server's presence directory has been continuously up (0 from a server that does
   * not say). An empty `peers` is trustworthy only when uptimeMs > PeerMesh.reregisterBoundMs:
   * otherwise live peers may not have re-joined yet after a server restart.
   */
  uptimeMs: number;
}

/** Why a link was refused during its handshake (each has a counter in DropCounters; protocol: badFrame). */
export type LinkRefusal = 'authFailed' | 'versionMismatch' | 'reflected' | 'noFingerprint' | 'protocol';

export interface PeerMeshEvents {
  message: (from: string, bytes: Uint8Array, channel: MeshChannel) => void;
  'peer-up': (peerId: string) => void;
  'peer-down': (peerId: string) => void;
  joined: (info: JoinedInfo) => void;
  /** The connection to the signaling server dropped. Links are unaffected; the mesh re-joins by itself. */
  'signaling-lost': () => void;
  /** A connection attempt was refused during the handshake (also logged with console.warn). */
  refused: (peerId: string, reason: LinkRefusal) => void;
  /** A peer's send queue became empty after holding data: a refused bulk send may be retried. */
  drain: (peerId: string) => void;
  /** Informational: a join was refused or the signaling socket failed; the mesh keeps retrying. */
  error: (error: Error) => void;
  /**
   * The mesh cannot run at all (the WebRTC library or the auth key failed to load): it never joins
   * its room and sends nothing. Also reported as 'error'. Close it; a new mesh may try again.
   */
  failed: (error: Error) => void;
}

export interface DropCounters {
  /** Frames that did not decode or broke a message's framing. */
  badFrame: number;
  /** Messages over maxMessageBytes (counted once per message, received or sent). */
  tooLarge: number;
  /** Application or heartbeat frames received before the peer was authenticated. */
  unauthenticated: number;
  /** Handshakes refused because the peer's proof was wrong (other key, or a machine in the middle). */
  authFailed: number;
  /** Handshakes refused because the peer speaks another handshake version. */
  versionMismatch: number;
  /** Signals or handshakes that came back from our own id or echoed our own nonce. */
  reflected: number;
  /** Handshakes refused because the connection's DTLS fingerprints could not be read. */
  noFingerprint: number;
  /** Connection attempts not authenticated within connectTimeoutMs. */
  handshakeTimeout: number;
  /** Bulk messages refused because the peer's send queue was over maxQueuedBytes. */
  queueFull: number;
  /**
   * Signaling messages that did not have the expected shape, or that a link no longer takes (a second
   * description, candidates over the cap, any signal once its channel is open).
   */
  badSignal: number;
}

/** Up (authenticated) links that closed, by cause. Closing the mesh is not counted. */
export interface LinkDropCounters {
  /** The data channel closed or errored. */
  channelClosed: number;
  /** Nothing was received for linkTimeoutMs (or after a liveness probe). */
  heartbeatTimeout: number;
  /** The same peer authenticated a newer connection (it reloaded with the same id). */
  replaced: number;
  /** Closed by dropPeer(): the caller knew the peer's process had stopped. */
  peerGone: number;
}

/**
 * The signaling connection as this peer saw it: what a peer that never comes online is diagnosed
 * from (a server it cannot reach, one that refuses it, or a socket that closes as soon as it is used).
 */
export interface SignalingCounters {
  /** Connections to the server opened: the first one and every reconnect. */
  connects: number;
  /** Connections that closed, joined or not (a server restart, a network change, a broken socket). */
  disconnects: number;
  /** Joins the server answered (one per connection that joined). */
  joins: number;
  /** Connection errors, join timeouts and join refusals. */
  errors: number;
  /** The latest error or disconnect reason (socket.io's, e.g. 'transport close'); null before any. */
  lastProblem: string | null;
}

export interface PeerMeshStats {
  /** Frames / bytes received and sent on data channels (wire bytes, auth frames included). */
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  dropped: DropCounters;
  linkDrops: LinkDropCounters;
  signaling: SignalingCounters;
  /** Link heartbeat frames received from / sent to authenticated peers. */
  heartbeatsIn: number;
  heartbeatsOut: number;
  /** Bytes queued in the mesh (all peers) and not yet handed to a data channel. */
  queuedBytes: number;
}

export interface PeerMesh {
  readonly peerId: string;
  /**
   * Upper bound on how long after a signaling server restart a live peer of this mesh's
   * configuration re-joins: the reconnect backoff maximum plus the join timeout (ms).
   */
  readonly reregisterBoundMs: number;
  /** Queue bytes for an authenticated peer. False if the peer is not up, or bulk is over the cap. */
  send(to: string, bytes: Uint8Array, channel: MeshChannel): boolean;
  /** Send to every authenticated peer; returns how many accepted the message. */
  broadcast(bytes: Uint8Array, channel: MeshChannel): number;
  on<E extends keyof PeerMeshEvents>(event: E, listener: PeerMeshEvents[E]): () => void;
  off<E extends keyof PeerMeshEvents>(event: E, listener: PeerMeshEvents[E]): void;
  /** Authenticated peers. */
  /** Peers the signaling server lists in the room now (links up or not). */
  roomPeers(): string[];
  peers(): string[];
  /** Queued bytes for one peer (0 when unknown). */
  queuedBytes(peerId: string): number;
  /**
   * The caller knows `peerId`'s process stopped (a tab of the same browser saw its Web Lock
   * released): its link closes now (peer-down), instead of lingering until heartbeats or a probe
   * fail, so a tab that takes over that identity connects at once. It is dialled again when it
   * shows up in the room. A connection attempt from a newer instance is left alone.
   */
  dropPeer(peerId: string): void;
  /**
   * The caller knows `peerId` is gone for good (its identity departed and never comes back): it is
   * not dialled again, as if the server had said it left, until it shows up in the room anew. Its
   * link, if up, is left alone: it closes by itself (or by dropPeer) without a redial.
   */
  forgetPeer(peerId: string): void;
  stats(): PeerMeshStats;
  close(): Promise<void>;
}

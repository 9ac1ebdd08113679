// Wire protocol of the meshraft signaling server (socket.io events).
// Shared with @meshraft/webrtc, which types its socket.io-client with these maps:
//   const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);
// README.md documents the same protocol in prose; keep both in sync.

/** Room ids: derived by the client from the group key (e.g. hex/base64url of a hash); never the key. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
/** Peer ids: chosen by the client, unique within one room. */
export const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidRoomId(value: unknown): value is string {
  return typeof value === 'string' && ROOM_ID_PATTERN.test(value);
}

export function isValidPeerId(value: unknown): value is string {
  // Not a name Object.prototype holds (`__proto__`, `constructor`, ...): peers' code keys records by id.
  return typeof value === 'string' && PEER_ID_PATTERN.test(value) && !(value in Object.prototype);
}

/** Refusals that can answer any acknowledged event (payload/rate limits are checked before handlers). */
export type LimitError = 'too-large' | 'rate-limited';

/**
 * 'unavailable': Redis mode only; the other processes could not be asked who is in the room (Redis
 * down or a process not answering). Retry with backoff: an answer from this process alone could
 * wrongly say "empty room" and make the joiner bootstrap a second group.
 */
export type JoinError =
  | 'room-full'
  | 'bad-request'
  | 'duplicate-peer'
  | 'already-joined'
  | 'unavailable'
  | LimitError;

export type SignalError = 'unknown-peer' | 'not-joined' | 'bad-request' | LimitError;

export interface JoinRequest {
  room: string;
  peerId: string;
}

/**
 * `peers`: peer ids already in the room, excluding the joiner.
 * `uptimeMs`: how long the presence directory this server consults has been continuously up (one
 * process: since it started accepting joins; Redis mode: the age of the directory epoch kept in
 * Redis). A directory younger than the time peers need to re-register after a server restart may
 * not know them yet, so an empty `peers` means "bootstrap a new group" only when `uptimeMs` exceeds
 * the client's own re-register interval; otherwise the client should ask again later.
 */
export type JoinAck = { ok: true; peers: string[]; uptimeMs: number } | { ok: false; error: JoinError };

/** `data` is opaque to the server (SDP offer/answer or ICE candidate JSON). */
export interface SignalRequest {
  to: string;
  data: unknown;
}

/**
 * `ok: true` means "handed to the target's socket" (in Redis mode: "published to the target's
 * channel"), not "processed by the remote peer".
 */
export type SignalAck = { ok: true } | { ok: false; error: SignalError };

export interface SignalDelivery {
  from: string;
  data: unknown;
}

export interface PeerEvent {
  peerId: string;
}

/** Events a client emits. Acks are optional for 'signal'; 'join' without an ack is dropped. */
export interface ClientToServerEvents {
  join: (request: JoinRequest, ack: (response: JoinAck) => void) => void;
  signal: (request: SignalRequest, ack?: (response: SignalAck) => void) => void;
  /**
   * App-level heartbeat; send every ghostTimeoutMs / 3 or more often, from connect on. It proves the
   * client's code runs; that the client reads its output is proven separately, by echoing the
   * server's WebSocket pings (browsers and the `ws` package do so on their own).
   */
  alive: () => void;
}

/** Events the server emits. */
export interface ServerToClientEvents {
  'peer-joined': (event: PeerEvent) => void;
  'peer-left': (event: PeerEvent) => void;
  signal: (delivery: SignalDelivery) => void;
}

export const CLIENT_EVENTS = ['join', 'signal', 'alive'] as const;
export type ClientEventName = (typeof CLIENT_EVENTS)[number];

export function isClientEventName(value: unknown): value is ClientEventName {
  return typeof value === 'string' && (CLIENT_EVENTS as readonly string[]).includes(value);
}

/**
 * A connection over a cap is refused at the socket.io handshake: the client's `connect_error` has
 * `message === CONNECTION_LIMIT_ERROR` and `data: ConnectionLimitErrorData`. Retry with backoff.
 */
export const CONNECTION_LIMIT_ERROR = 'too-many-connections';
export type ConnectionLimit = 'per-ip' | 'global';
export interface ConnectionLimitErrorData {
  limit: ConnectionLimit;
  max: number;
}

/** Reasons an inbound message is dropped; each has a counter in SignalingStats.dropped. */
export type DropReason =
  | 'too-large'
  | 'rate-limited'
  | 'unknown-peer'
  | 'not-joined'
  | 'bad-request'
  | 'unknown-event';

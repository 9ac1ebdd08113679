// Client side of the meshraft signaling protocol (see packages/signaling/src/protocol.ts; the types
// are re-declared here because webrtc must not depend on the server package).
// The socket only introduces peers and relays their WebRTC signals; it carries no application data,
// and nothing it says can close a live link (the mesh treats its events as hints).
import { io as defaultIo, type Socket } from 'socket.io-client';
import { Backoff } from './backoff';
import type { BackoffOptions, IoFunction } from './types';

const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export function isValidPeerId(value: unknown): value is string {
  // Not a name Object.prototype holds (`__proto__`, `constructor`, ...): records are keyed by peer id.
  return typeof value === 'string' && PEER_ID_PATTERN.test(value) && !(value in Object.prototype);
}

/** A room id the signaling server and createPeerMesh accept: 16-128 characters of [A-Za-z0-9_-]. */
export function isValidRoomId(value: unknown): value is string {
  return typeof value === 'string' && ROOM_ID_PATTERN.test(value);
}

/** `uptimeMs`: how long the server's presence directory has been continuously up (absent from older servers). */
type JoinAck = { ok: true; peers: string[]; uptimeMs?: number } | { ok: false; error: string };

interface ClientToServerEvents {
  join: (request: { room: string; peerId: string }, ack: (response: JoinAck) => void) => void;
  signal: (request: { to: string; data: unknown }) => void;
  alive: () => void;
}

interface ServerToClientEvents {
  'peer-joined': (event: { peerId: string }) => void;
  'peer-left': (event: { peerId: string }) => void;
  signal: (delivery: { from: string; data: unknown }) => void;
}

type SignalingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SignalingClientOptions {
  url: string;
  room: string;
  peerId: string;
  io?: IoFunction;
  backoff: BackoffOptions;
  aliveIntervalMs: number;
  joinTimeoutMs: number;
}

export interface SignalingJoin {
  /** Peers in the room, this peer excluded. */
  peers: string[];
  /** The server's presence uptime; 0 when the server does not say. */
  uptimeMs: number;
}

export interface SignalingClientEvents {
  /** Joined (or re-joined after a reconnect). */
  joined(join: SignalingJoin): void;
  /** The joined connection to the server dropped; socket.io reconnects and we join again. */
  lost(): void;
  /** A connection to the server opened (counted by the caller). */
  connected?(): void;
  /** A connection closed, joined or not, with socket.io's reason (counted by the caller). */
  disconnected?(reason: string): void;
  peerJoined(peerId: string): void;
  peerLeft(peerId: string): void;
  signal(from: string, data: unknown): void;
  /** A malformed event from the server (counted by the caller). */
  badMessage(): void;
  /** A signal that claims to come from our own id (counted by the caller). */
  reflected(): void;
  error(error: Error): void;
}

export class SignalingClient {
  private readonly socket: SignalingSocket;
  private readonly backoff: Backoff;
  private joined = false;
  private joining = false;
  /** Bumped on every disconnect, so an answer to a join sent on an older connection is ignored. */
  private connection = 0;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly aliveTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly options: SignalingClientOptions,
    private readonly events: SignalingClientEvents,
  ) {
    this.backoff = new Backoff(options.backoff);
    const io = options.io ?? (defaultIo as IoFunction);
    this.socket = io(options.url, {
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: options.backoff.minMs,
      reconnectionDelayMax: options.backoff.maxMs,
      randomizationFactor: 0.5,
    }) as SignalingSocket;
    const socket = this.socket;
    socket.on('connect', () => {
      this.events.connected?.();
      this.join();
    });
    socket.on('disconnect', (reason) => {
      if (!this.closed) this.events.disconnected?.(String(reason));
      const wasJoined = this.joined;
      this.joined = false;
      this.joining = false;
      this.connection += 1;
      // A pending join retry belongs to the old connection; the next 'connect' joins again.
      this.cancelRetry();
      // The server kicked us: socket.io will not reconnect by itself.
      if (reason === 'io server disconnect') this.retry(() => socket.connect());
      if (wasJoined) this.events.lost();
    });
    socket.on('connect_error', (error) => {
      this.events.error(error);
      // Refused by the server (e.g. 'too-many-connections' past its per-address or global cap):
      // socket.io does not retry a refusal by itself, so try again with backoff.
      if (!socket.active) this.retry(() => socket.connect());
    });
    socket.on('peer-joined', (event) => this.onPeerEvent(event, (id) => this.events.peerJoined(id)));
    socket.on('peer-left', (event) => this.onPeerEvent(event, (id) => this.events.peerLeft(id)));
    socket.on('signal', (delivery) => {
      if (!this.joined) return;
      if (typeof delivery !== 'object' || delivery === null || !isValidPeerId(delivery.from)) {
        this.events.badMessage();
        return;
      }
      // An honest server never sends us our own signals; with equal ids the two handshake roles
      // would be indistinguishable, so this is refused before it reaches the mesh.
      if (delivery.from === this.options.peerId) {
        this.events.reflected();
        return;
      }
      this.events.signal(delivery.from, delivery.data);
    });
    // Heartbeat so the server can evict ghosts (tabs that vanished without a clean disconnect).
    const sendAlive = () => {
      if (socket.connected) socket.emit('alive');
    };
    this.aliveTimer = setInterval(sendAlive, options.aliveIntervalMs);
    // Also on each of the server's transport pings: an event, not a timer. Chrome runs the timers of
    // a tab hidden for minutes with no WebRTC connection (a group's lone tab) once a minute, which
    // would get it evicted as a ghost every minute and leave its room looking empty meanwhile, and a
    // new device finding it empty founds a second group.
    socket.io.on('ping', sendAlive);
  }

  get isJoined(): boolean {
    return this.joined;
  }

  /** Relays a WebRTC signal; false (dropped) while not joined, so no stale signals are buffered. */
  sendSignal(to: string, data: unknown): boolean {
    if (!this.joined || !this.socket.connected) return false;
    this.socket.emit('signal', { to, data });
    return true;
  }

  close(): void {
    this.closed = true;
    this.joined = false;
    clearInterval(this.aliveTimer);
    this.cancelRetry();
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private onPeerEvent(event: unknown, handle: (peerId: string) => void): void {
    if (!this.joined) return;
    const peerId = typeof event === 'object' && event !== null ? (event as { peerId?: unknown }).peerId : undefined;
    if (!isValidPeerId(peerId)) {
      this.events.badMessage();
      return;
    }
    if (peerId !== this.options.peerId) handle(peerId);
  }

  /**
   * Joins on every (re)connect; a refused or unanswered join is retried with backoff, on a new
   * connection when the server may count this socket as joined already.
   */
  private join(): void {
    if (this.closed || !this.socket.connected || this.joined || this.joining) return;
    this.joining = true;
    const connection = this.connection;
    const { room, peerId } = this.options;
    this.socket.timeout(this.options.joinTimeoutMs).emit('join', { room, peerId }, (error, ack) => {
      if (this.closed || connection !== this.connection) return;
      this.joining = false;
      if (error) {
        this.events.error(new Error('signaling join timed out'));
        // The server may have registered the join and acked too late (the late ack is discarded):
        // it then refuses every further join on this socket as 'already-joined'.
        this.rejoinOnNewConnection();
        return;
      }
      if (typeof ack !== 'object' || ack === null || ack.ok !== true || !Array.isArray(ack.peers)) {
        const reason = typeof ack === 'object' && ack !== null && ack.ok === false ? ack.error : 'bad answer';
        this.events.error(new Error(`signaling join refused: ${String(reason)}`));
        // The server holds this socket as joined (or still joining) while we are not: only a new
        // socket can join. Other refusals (room-full, duplicate-peer, ...) may pass: ask again here.
        if (reason === 'already-joined') this.rejoinOnNewConnection();
        else this.retry(() => this.join());
        return;
      }
      this.joined = true;
      this.backoff.reset();
      const peers = ack.peers.filter((id): id is string => isValidPeerId(id) && id !== peerId);
      const uptimeMs = typeof ack.uptimeMs === 'number' && Number.isFinite(ack.uptimeMs) && ack.uptimeMs > 0 ? ack.uptimeMs : 0;
      this.events.joined({ peers: [...new Set(peers)], uptimeMs });
    });
  }

  /**
   * Drops this connection and opens a new one after a backoff delay; its 'connect' joins again.
   * The server forgets the old socket (and its peer, if it had joined) when it disconnects.
   */
  private rejoinOnNewConnection(): void {
    if (this.closed) return;
    // Runs the 'disconnect' handler synchronously ('io client disconnect': never reported as `lost`,
    // as we had not joined; socket.io does not reconnect by itself), which cancels any pending retry,
    // so the reconnect is scheduled after it.
    this.socket.disconnect();
    this.retry(() => this.socket.connect());
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private retry(action: () => void): void {
    if (this.closed || this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed) action();
    }, this.backoff.next());
  }
}

// Per-socket protocol handling: limits (middleware), join, signal relay, alive, leave, and the
// liveness sweep (ghosts, slow readers). Untrusted input: every payload is validated; bad input is
// dropped and counted, never thrown.

import type { Server, Socket } from 'socket.io';
import { ConnectionWatch } from './connection-watch';
import type { ResolvedSignalingOptions } from './options';
import { exceedsPayloadLimit } from './payload-size';
import type { PresenceDirectory, PresenceJoin } from './presence-directory';
import {
  isClientEventName,
  isValidPeerId,
  isValidRoomId,
  type JoinAck,
  type ServerToClientEvents,
  type SignalAck,
} from './protocol';
import { SocketRateLimiter } from './rate-limiter';
import type { RoomRegistry } from './room-registry';
import type { JoinRefusal, MutableCounters, SlowReaderReason } from './stats';

type Untrusted = (...args: unknown[]) => void;
export interface InboundEvents {
  join: Untrusted;
  signal: Untrusted;
  alive: Untrusted;
}
/** socket.data; visible to other processes through fetchSockets() in Redis mode. */
export interface SocketData {
  room: string | null;
  peerId: string | null;
}
export type SignalingIo = Server<InboundEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type SignalingSocket = Socket<InboundEvents, ServerToClientEvents, Record<string, never>, SocketData>;

interface LocalSocketState {
  socket: SignalingSocket;
  limiter: SocketRateLimiter;
  watch: ConnectionWatch;
  lastAliveMs: number;
  joining: boolean;
  closing: boolean;
}

export interface HandlerDeps {
  io: SignalingIo;
  options: ResolvedSignalingOptions;
  /** This process's sockets by room (relay checks); the presence directory keeps it up to date. */
  registry: RoomRegistry;
  presence: PresenceDirectory;
  counters: MutableCounters;
  /** True when an adapter spans processes: peers may live on other nodes. */
  distributed: boolean;
  /** True once the server is shutting down: its sockets closing then are not peers leaving. */
  isStopping(): boolean;
}

export interface SignalingHandlers {
  /** Drops ghosts and slow readers, then sends the next read probe to every socket. */
  sweep(): void;
}

type DropReason = 'ghost' | 'abuse' | SlowReaderReason;
/** How long a polite disconnect may wait for a client to take its last packets before it is cut. */
const POLITE_CLOSE_GRACE_MS = 2000;

// Prefixes keep room ids, peer channels and socket.io's own per-socket rooms (socket ids) apart.
export const roomKey = (room: string): string => `room:${room}`;
export const peerKey = (room: string, peerId: string): string => `peer:${room}:${peerId}`;

type Ack = (response: unknown) => void;
function splitAck(args: unknown[]): { payload: unknown; ack: Ack | null } {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as Ack) : null;
  return { payload: ack ? (args.length > 1 ? args[0] : undefined) : args[0], ack };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function attachSignalingHandlers(deps: HandlerDeps): SignalingHandlers {
  const { io, options, registry, presence, counters, distributed } = deps;
  const local = new Map<string, LocalSocketState>();
  const now = () => performance.now();

  const disconnectOnce = (state: LocalSocketState, why: DropReason): void => {
    if (state.closing) return;
    state.closing = true;
    if (why === 'ghost') counters.ghostsEvicted += 1;
    else if (why === 'abuse') counters.abusersDisconnected += 1;
    else counters.slowReadersDropped[why] += 1;
    options.logger.warn(`disconnecting socket (${why})`, { socket: state.socket.id, peerId: state.socket.data.peerId });
    if (why === 'buffer-full' || why === 'probe-unanswered') {
      // Cut the TCP connection: a polite close would queue behind output the client does not read.
      state.watch.terminate();
      return;
    }
    state.socket.disconnect(true);
    // engine.io closes only once its write buffer drained, which a stuck client never lets happen.
    const fallback = setTimeout(() => state.watch.terminate(), POLITE_CLOSE_GRACE_MS);
    fallback.unref();
    state.socket.conn.once('close', () => clearTimeout(fallback));
  };

  const limitsMiddleware = (state: LocalSocketState) => (packet: unknown[], next: (err?: Error) => void) => {
    if (state.closing) return;
    const { ack } = splitAck(packet.slice(1));
    const verdict = state.limiter.take();
    if (verdict === 'abuse') return disconnectOnce(state, 'abuse');
    if (verdict === 'drop') {
      counters.dropped['rate-limited'] += 1;
      ack?.({ ok: false, error: 'rate-limited' });
      return;
    }
    if (!isClientEventName(packet[0])) {
      counters.dropped['unknown-event'] += 1;
      return;
    }
    if (exceedsPayloadLimit(packet.slice(1), options.maxPayloadBytes)) {
      counters.dropped['too-large'] += 1;
      ack?.({ ok: false, error: 'too-large' });
      return;
    }
    next();
  };

  const handleJoin = async (state: LocalSocketState, args: unknown[]): Promise<void> => {
    const { payload, ack } = splitAck(args);
    const { socket } = state;
    if (!ack) {
      counters.dropped['bad-request'] += 1; // the joiner could never learn who is present
      return;
    }
    const refuse = (error: JoinRefusal): void => {
      counters.rejectedJoins[error] += 1;
      ack({ ok: false, error } satisfies JoinAck);
    };
    if (!isRecord(payload) || !isValidRoomId(payload.room) || !isValidPeerId(payload.peerId)) {
      return refuse('bad-request');
    }
    if (socket.data.room !== null || state.joining) return refuse('already-joined');
    const { room, peerId } = payload;
    state.joining = true;
    let outcome: PresenceJoin;
    try {
      outcome = await presence.join(room, peerId, socket.id);
    } finally {
      state.joining = false;
    }
    if (!socket.connected) {
      // Gone while the directory was asked: nobody heard of this peer, so remove it silently.
      if (outcome.ok) {
        if (deps.isStopping()) presence.forget(room, peerId, socket.id);
        else presence.leave(room, peerId, socket.id);
      }
      return;
    }
    if (!outcome.ok) return refuse(outcome.error);
    socket.data.room = room;
    socket.data.peerId = peerId;
    socket.join([roomKey(room), peerKey(room, peerId)]);
    counters.joins += 1;
    // Broadcast before acking so others learn of the joiner before any of its signals arrive.
    socket.to(roomKey(room)).emit('peer-joined', { peerId });
    ack({ ok: true, peers: outcome.peers, uptimeMs: outcome.uptimeMs } satisfies JoinAck);
  };

  const handleSignal = (state: LocalSocketState, args: unknown[]): void => {
    const { payload, ack } = splitAck(args);
    const reply = (response: SignalAck): void => ack?.(response);
    const { room, peerId } = state.socket.data;
    if (room === null || peerId === null) {
      counters.dropped['not-joined'] += 1;
      return reply({ ok: false, error: 'not-joined' });
    }
    if (!isRecord(payload) || !isValidPeerId(payload.to) || payload.data === undefined || payload.to === peerId) {
      counters.dropped['bad-request'] += 1;
      return reply({ ok: false, error: 'bad-request' });
    }
    // Only peers of the sender's own room are addressable: the channel key includes the room.
    if (!registry.has(room, payload.to) && !distributed) {
      counters.dropped['unknown-peer'] += 1;
      return reply({ ok: false, error: 'unknown-peer' });
    }
    io.to(peerKey(room, payload.to)).emit('signal', { from: peerId, data: payload.data });
    counters.relayed += 1;
    reply({ ok: true });
  };

  const handleLeave = (state: LocalSocketState): void => {
    local.delete(state.socket.id);
    const { room, peerId } = state.socket.data;
    if (room === null || peerId === null) return;
    // A server shutting down does not speak for its peers: they are still in their mesh and
    // re-register through the next server. Only a peer leaving a running server is announced.
    if (deps.isStopping()) return presence.forget(room, peerId, state.socket.id);
    if (presence.leave(room, peerId, state.socket.id)) io.to(roomKey(room)).emit('peer-left', { peerId });
  };

  io.on('connection', (socket: SignalingSocket) => {
    socket.data.room = null;
    socket.data.peerId = null;
    const state: LocalSocketState = {
      socket,
      limiter: new SocketRateLimiter({
        ratePerSecond: options.maxMessagesPerSecond,
        burst: options.burstMessages,
        abuseFactor: options.abuseFactor,
        abuseWindowMs: options.abuseWindowMs,
      }),
      watch: new ConnectionWatch(
        socket.conn,
        {
          queued: (bytes) => {
            if (state.closing) return;
            if (bytes > counters.outboundHighWaterBytes) counters.outboundHighWaterBytes = bytes;
            if (bytes > options.maxOutboundBufferBytes) disconnectOnce(state, 'buffer-full');
          },
          probeAnswered: () => void (counters.readProbes.answered += 1),
        },
        now,
      ),
      lastAliveMs: now(),
      joining: false,
      closing: false,
    };
    local.set(socket.id, state);
    socket.use(limitsMiddleware(state));
    // The middleware above sees events only: acknowledgements, heartbeats and packets for other
    // namespaces reach the server too, and a client sending nothing else would never be cut off.
    socket.conn.on('packet', (packet: { type: string; data?: unknown }) => {
      if (state.closing) return;
      const event = packet.type === 'message' && typeof packet.data === 'string' && (packet.data[0] === '2' || packet.data[0] === '5');
      if (!event && state.limiter.record() === 'abuse') disconnectOnce(state, 'abuse');
    });
    socket.on('join', (...args) => {
      handleJoin(state, args).catch((error: unknown) => {
        options.logger.warn('join failed', { error: error instanceof Error ? error.message : String(error) });
      });
    });
    socket.on('signal', (...args) => handleSignal(state, args));
    socket.on('alive', () => {
      state.lastAliveMs = now();
    });
    socket.on('disconnect', () => handleLeave(state));
  });

  return {
    sweep() {
      const deadline = now() - options.ghostTimeoutMs;
      for (const state of local.values()) {
        if (state.closing) continue;
        if (state.watch.probing && state.watch.lastReadProofMs < deadline) disconnectOnce(state, 'probe-unanswered');
        else if (state.lastAliveMs < deadline) disconnectOnce(state, 'ghost');
        else if (state.watch.queuedBytes() > options.maxOutboundBufferBytes) disconnectOnce(state, 'buffer-full');
        else if (state.watch.probe(deadline)) counters.readProbes.sent += 1;
      }
    },
  };
}

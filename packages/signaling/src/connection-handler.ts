// Per-socket protocol handling: limits (middleware), join, signal relay, alive, leave, ghost sweep.
// Untrusted input: every payload is validated; bad input is dropped and counted, never thrown.

import type { Server, Socket } from 'socket.io';
import type { ResolvedSignalingOptions } from './options';
import { exceedsPayloadLimit } from './payload-size';
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
import type { JoinRefusal, MutableCounters } from './stats';

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
type SignalingSocket = Socket<InboundEvents, ServerToClientEvents, Record<string, never>, SocketData>;

interface LocalSocketState {
  socket: SignalingSocket;
  limiter: SocketRateLimiter;
  lastAliveMs: number;
  joining: boolean;
  closing: boolean;
}

export interface HandlerDeps {
  io: SignalingIo;
  options: ResolvedSignalingOptions;
  registry: RoomRegistry;
  counters: MutableCounters;
  /** True when an adapter spans processes: peers may live on other nodes. */
  distributed: boolean;
}

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

export function attachSignalingHandlers(deps: HandlerDeps): { sweepGhosts(): void } {
  const { io, options, registry, counters, distributed } = deps;
  const local = new Map<string, LocalSocketState>();
  const now = () => performance.now();

  const disconnectOnce = (state: LocalSocketState, why: 'ghost' | 'abuse'): void => {
    if (state.closing) return;
    state.closing = true;
    if (why === 'ghost') counters.ghostsEvicted += 1;
    else counters.abusersDisconnected += 1;
    options.logger.warn(`disconnecting socket (${why})`, { socket: state.socket.id, peerId: state.socket.data.peerId });
    state.socket.disconnect(true);
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

  /**
   * Peers in `room` on other processes (Redis mode); local peers come from the registry.
   * null when the other processes cannot be asked in time. While Redis is down, fetchSockets
   * waits in the client's offline queue until Redis is back, hence the explicit deadline.
   */
  const remotePeers = async (room: string): Promise<string[] | null> => {
    if (!distributed) return [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('presence lookup timed out')), options.presenceTimeoutMs);
    });
    const lookup = io.in(roomKey(room)).fetchSockets();
    lookup.catch(() => {}); // a lookup that loses the race may still reject later
    try {
      const sockets = await Promise.race([lookup, deadline]);
      return sockets.map((s) => s.data.peerId).filter((id): id is string => typeof id === 'string');
    } catch (error) {
      options.logger.warn('cannot list peers of other processes; refusing join as unavailable', {
        error: error instanceof Error ? error.message : String(error),
      });
      return null;
    } finally {
      clearTimeout(timer);
    }
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
    const remote = await remotePeers(room);
    state.joining = false;
    if (!socket.connected) return;
    if (remote === null) return refuse('unavailable');
    // From here on no await: the checks and the insert are atomic within this process.
    const peers = [...new Set([...registry.peersOf(room), ...remote])];
    if (peers.includes(peerId)) return refuse('duplicate-peer');
    if (peers.length >= options.maxPeersPerRoom) return refuse('room-full');
    registry.add(room, peerId, socket.id);
    socket.data.room = room;
    socket.data.peerId = peerId;
    socket.join([roomKey(room), peerKey(room, peerId)]);
    counters.joins += 1;
    // Broadcast before acking so others learn of the joiner before any of its signals arrive.
    socket.to(roomKey(room)).emit('peer-joined', { peerId });
    ack({ ok: true, peers } satisfies JoinAck);
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
    const removed = registry.remove(room, peerId, state.socket.id);
    if (removed || distributed) io.to(roomKey(room)).emit('peer-left', { peerId });
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
      lastAliveMs: now(),
      joining: false,
      closing: false,
    };
    local.set(socket.id, state);
    socket.use(limitsMiddleware(state));
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
    sweepGhosts() {
      const deadline = now() - options.ghostTimeoutMs;
      for (const state of local.values()) {
        if (state.lastAliveMs < deadline) disconnectOnce(state, 'ghost');
      }
    },
  };
}

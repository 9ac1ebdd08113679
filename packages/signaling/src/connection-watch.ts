// Proof that a client reads what the server sends it, and a bound on what the server holds for it.
//
// Output accounting: bytes queued for one connection = packets waiting in engine.io's write buffer
// (they pile up there while the WebSocket transport is still busy with an earlier batch) + bytes the
// `ws` socket has not yet handed to the kernel (`bufferedAmount`). It is measured at every outbound
// packet, so the server never holds more than the cap plus one packet for a client.
//
// Read probes: the server sends WebSocket ping frames carrying a fresh random nonce. RFC 6455 makes
// the receiver echo a ping's payload in its pong; browsers and `ws` do this on their own, but only
// once they have read the ping, which sits behind everything sent before it. So an echoed nonce
// proves that the client read all of its output up to the moment that probe was sent, which
// engine.io's own ping/pong (no payload, answerable blindly) and the app-level 'alive' cannot.

import { randomBytes } from 'node:crypto';
import type { SignalingIo, SignalingSocket } from './connection-handler';

type EngineConnection = SignalingSocket['conn'];

/** The parts of a `ws` WebSocket this module uses. */
interface WebSocketLike {
  readonly bufferedAmount: number;
  readonly readyState: number;
  ping(data: Buffer): void;
  terminate(): void;
  on(event: 'pong', listener: (data: Buffer) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}

const WS_OPEN = 1;
const NONCE_BYTES = 8;

function webSocketOf(conn: EngineConnection): WebSocketLike | null {
  const candidate: unknown = (conn.transport as unknown as { socket?: unknown }).socket;
  if (typeof candidate !== 'object' || candidate === null) return null;
  const ws = candidate as Partial<WebSocketLike>;
  return typeof ws.ping === 'function' && typeof ws.terminate === 'function' && typeof ws.bufferedAmount === 'number'
    ? (candidate as WebSocketLike)
    : null;
}

/**
 * Every open WebSocket of the server, engine-only sessions included. engine.io forgets a socket as
 * soon as it starts the close handshake, but the TCP connection lives until the handshake ends.
 */
export function trackWebSockets(io: SignalingIo): { terminateAll(): void } {
  const open = new Set<WebSocketLike>();
  io.engine.on('connection', (conn: EngineConnection) => {
    const ws = webSocketOf(conn);
    if (ws === null) return;
    open.add(ws);
    ws.once('close', () => open.delete(ws));
  });
  return {
    terminateAll() {
      for (const ws of open) ws.terminate();
    },
  };
}

function packetBytes(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  return 1;
}

export interface ConnectionWatchEvents {
  /** Called at each outbound packet with the bytes now queued for this connection. */
  queued(bytes: number): void;
  /** A probe came back with a nonce the server sent. */
  probeAnswered(): void;
}

export class ConnectionWatch {
  /** Send time of the newest probe the client echoed; starts at connect. */
  lastReadProofMs: number;
  private engineQueuedBytes = 0;
  private readonly ws: WebSocketLike | null;
  /** nonce (hex) -> send time, of probes not yet echoed. */
  private readonly outstanding = new Map<string, number>();

  constructor(
    conn: EngineConnection,
    private readonly events: ConnectionWatchEvents,
    private readonly now: () => number,
  ) {
    this.lastReadProofMs = now();
    this.ws = webSocketOf(conn);
    conn.on('packetCreate', (packet: { data?: unknown }) => {
      this.engineQueuedBytes += packetBytes(packet.data);
      this.events.queued(this.queuedBytes());
    });
    // engine.io hands its whole write buffer to the transport at once; from there `ws` counts it.
    conn.on('flush', () => {
      this.engineQueuedBytes = 0;
    });
    this.ws?.on('pong', (data) => this.onPong(data));
  }

  queuedBytes(): number {
    return this.engineQueuedBytes + (this.ws?.bufferedAmount ?? 0);
  }

  /** Sends a read probe; forgets probes older than `forgetBeforeMs` (they no longer matter). */
  probe(forgetBeforeMs: number): boolean {
    for (const [nonce, sentAt] of this.outstanding) {
      if (sentAt < forgetBeforeMs) this.outstanding.delete(nonce);
    }
    if (this.ws === null || this.ws.readyState !== WS_OPEN) return false;
    const nonce = randomBytes(NONCE_BYTES);
    this.outstanding.set(nonce.toString('hex'), this.now());
    try {
      this.ws.ping(nonce);
    } catch {
      return false; // closing under us; the close handler cleans up
    }
    return true;
  }

  /** Without a WebSocket there is nothing to probe: the transport is not one this module knows. */
  get probing(): boolean {
    return this.ws !== null;
  }

  /** Drops the TCP connection at once, discarding whatever is still queued for it. */
  terminate(): void {
    this.ws?.terminate();
  }

  private onPong(data: Buffer): void {
    const sentAt = this.outstanding.get(data.toString('hex'));
    if (sentAt === undefined) return; // unsolicited or forged: proves nothing
    // Probes arrive in order, so echoing this one also settles the older ones.
    for (const [nonce, at] of this.outstanding) {
      if (at <= sentAt) this.outstanding.delete(nonce);
    }
    this.lastReadProofMs = Math.max(this.lastReadProofMs, sentAt);
    this.events.probeAnswered();
  }
}

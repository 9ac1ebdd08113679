// Per-address and global caps on open connections.
// Connections are counted at the engine.io level (from the WebSocket handshake to the close), so a
// client cannot hold uncounted sessions by never connecting to the socket.io namespace. The refusal
// itself happens in the namespace middleware, where socket.io can hand the client a readable error
// (connect_error 'too-many-connections'); the connection is closed right after. A handshake-level
// backstop at twice the caps refuses, without a readable error, clients that open engine sessions
// faster than they are refused.

import type { IncomingMessage } from 'node:http';
import { clientAddressKey } from './client-address';
import type { SignalingIo, SignalingSocket } from './connection-handler';
import type { ResolvedSignalingOptions } from './options';
import { CONNECTION_LIMIT_ERROR, type ConnectionLimit, type ConnectionLimitErrorData } from './protocol';
import type { MutableCounters } from './stats';

type EngineConnection = SignalingSocket['conn'];
type LimitOptions = Pick<ResolvedSignalingOptions, 'maxConnections' | 'maxConnectionsPerIp' | 'trustProxy'>;

export class ConnectionCounter {
  private readonly perAddress = new Map<string, number>();
  private openTotal = 0;

  get total(): number {
    return this.openTotal;
  }

  count(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  open(address: string): void {
    this.perAddress.set(address, this.count(address) + 1);
    this.openTotal += 1;
  }

  close(address: string): void {
    const left = this.count(address) - 1;
    if (left > 0) this.perAddress.set(address, left);
    else this.perAddress.delete(address);
    this.openTotal -= 1;
  }

  /** Which cap the connections counted so far exceed (the newest one included), if any. */
  exceeded(address: string, options: LimitOptions, factor = 1): ConnectionLimit | null {
    if (this.count(address) > options.maxConnectionsPerIp * factor) return 'per-ip';
    if (this.openTotal > options.maxConnections * factor) return 'global';
    return null;
  }
}

export interface ConnectionLimits {
  /** engine.io `allowRequest`: the handshake backstop. */
  allowRequest(request: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void): void;
  /** Starts counting and refusing; call once the socket.io server exists. */
  install(io: SignalingIo): void;
}

export function createConnectionLimits(options: LimitOptions, counters: MutableCounters): ConnectionLimits {
  const counter = new ConnectionCounter();
  const addresses = new WeakMap<EngineConnection, string>();
  /** Engine connections that already carry a namespace socket (pending or connected). */
  const occupied = new WeakSet<EngineConnection>();
  return {
    allowRequest(request, callback) {
      const address = clientAddressKey(request, options.trustProxy);
      counter.open(address); // as if admitted: the backstop looks at the count including this one
      const limit = counter.exceeded(address, options, 2);
      counter.close(address);
      if (limit !== null) counters.refusedConnections[limit] += 1;
      callback(limit === null ? null : CONNECTION_LIMIT_ERROR, limit === null);
    },
    install(io) {
      io.engine.on('connection', (conn: EngineConnection) => {
        const address = clientAddressKey(conn.request, options.trustProxy);
        addresses.set(conn, address);
        counter.open(address);
        conn.once('close', () => counter.close(address));
      });
      io.use((socket, next) => {
        // socket.io registers a namespace only after its (async) middleware chain, so several CONNECT
        // packets read in one chunk each open a socket on the same engine connection. Only one may.
        if (occupied.has(socket.conn)) {
          next(new Error('one-socket-per-connection'));
          socket.conn.close();
          return;
        }
        occupied.add(socket.conn);
        socket.once('disconnect', () => occupied.delete(socket.conn));
        const address = addresses.get(socket.conn) ?? clientAddressKey(socket.request, options.trustProxy);
        const limit = counter.exceeded(address, options);
        if (limit === null) return next();
        counters.refusedConnections[limit] += 1;
        const data: ConnectionLimitErrorData = {
          limit,
          max: limit === 'per-ip' ? options.maxConnectionsPerIp : options.maxConnections,
        };
        next(Object.assign(new Error(CONNECTION_LIMIT_ERROR), { data }));
        // socket.io writes the refusal on the next tick; close() then waits for it to be sent.
        setImmediate(() => socket.conn.close());
      });
    },
  };
}

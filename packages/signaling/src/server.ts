// Lifecycle of the signaling server: HTTP server + socket.io + optional Redis adapter.

import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { attachSignalingHandlers, type SignalingIo } from './connection-handler';
import { createHttpHandler } from './http-handler';
import { resolveOptions, type SignalingOptions } from './options';
import type { RedisAdapterHandle } from './redis-adapter';
import { RoomRegistry } from './room-registry';
import { createCounters, snapshotCounters, type SignalingStats } from './stats';

export interface SignalingServer {
  /** Base URL for socket.io-client, e.g. http://127.0.0.1:8787 */
  url: string;
  port: number;
  /** 'redis' when rooms span processes through the Redis adapter. */
  adapter: 'memory' | 'redis';
  close(): Promise<void>;
  stats(): SignalingStats;
}

export async function startSignalingServer(options?: SignalingOptions): Promise<SignalingServer> {
  const resolved = resolveOptions(options);
  const { logger } = resolved;

  // Connect Redis first: a bad REDIS_URL fails the start instead of running a split-brain server.
  let redis: RedisAdapterHandle | null = null;
  if (resolved.redisUrl !== null) {
    const { createRedisAdapter } = await import('./redis-adapter');
    redis = await createRedisAdapter(resolved.redisUrl, logger);
  }

  const registry = new RoomRegistry();
  const counters = createCounters();
  const httpServer: HttpServer = createServer(
    createHttpHandler(() => ({ ok: true, rooms: registry.roomCount, peers: registry.peerCount }), resolved.corsOrigin),
  );
  const io: SignalingIo = new Server(httpServer, {
    // Raw frame cap: twice the payload limit leaves room for JSON escaping; anything larger makes
    // engine.io close the connection before the payload is even parsed.
    maxHttpBufferSize: resolved.maxPayloadBytes * 2,
    pingInterval: resolved.pingIntervalMs,
    pingTimeout: resolved.pingTimeoutMs,
    cors: { origin: resolved.corsOrigin },
    serveClient: false,
    ...(redis ? { adapter: redis.adapter } : {}),
  });

  const handlers = attachSignalingHandlers({
    io,
    options: resolved,
    registry,
    counters,
    distributed: redis !== null,
  });
  const sweepEveryMs = Math.min(5000, Math.max(50, resolved.ghostTimeoutMs / 4));
  const sweepTimer = setInterval(() => handlers.sweepGhosts(), sweepEveryMs);
  sweepTimer.unref();

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      clearInterval(sweepTimer);
      await io.close();
      await redis?.close();
      logger.info('signaling server closed');
    })();
    return closed;
  };

  try {
    await listen(httpServer, resolved.port, resolved.host);
  } catch (error) {
    await close();
    throw error;
  }
  const address = httpServer.address();
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port;
  const url = `http://${urlHost(resolved.host)}:${port}`;
  logger.info('signaling server listening', { url, adapter: redis ? 'redis' : 'memory' });

  return {
    url,
    port,
    adapter: redis ? 'redis' : 'memory',
    close,
    stats: () => ({
      connections: io.of('/').sockets.size,
      rooms: registry.roomCount,
      peers: registry.peerCount,
      ...snapshotCounters(counters),
    }),
  };
}

function listen(server: HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** A wildcard bind is reachable on loopback; IPv6 literals need brackets in URLs. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

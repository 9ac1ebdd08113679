// Lifecycle of the signaling server: HTTP server + socket.io + optional Redis adapter and directory.

import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { attachSignalingHandlers, peerKey, type SignalingIo } from './connection-handler';
import { createConnectionLimits } from './connection-limits';
import { trackWebSockets } from './connection-watch';
import { settleWithin } from './deadline';
import { createHttpHandler } from './http-handler';
import { resolveOptions, type SignalingOptions } from './options';
import { LocalPresenceDirectory, type PresenceDirectory } from './presence-directory';
import type { RedisAdapterHandle } from './redis-adapter';
import { RoomRegistry } from './room-registry';
import { createCounters, snapshotCounters, type SignalingStats } from './stats';

export interface SignalingServer {
  /** Base URL for socket.io-client, e.g. http://127.0.0.1:8787 */
  url: string;
  port: number;
  /** 'redis' when rooms span processes through the Redis adapter. */
  adapter: 'memory' | 'redis';
  /**
   * Stops the server without announcing its peers as left (they stay in their mesh and
   * re-register through the next server); in Redis mode their entries outlive this process.
   */
  close(): Promise<void>;
  stats(): SignalingStats;
}

export async function startSignalingServer(options?: SignalingOptions): Promise<SignalingServer> {
  const resolved = resolveOptions(options);
  const { logger } = resolved;

  // Connect Redis first: a bad REDIS_URL fails the start instead of running a split-brain server.
  const counters = createCounters();
  let redis: RedisAdapterHandle | null = null;
  if (resolved.redisUrl !== null) {
    const { createRedisAdapter } = await import('./redis-adapter');
    redis = await createRedisAdapter(resolved.redisUrl, logger, {
      queueMaxCommands: resolved.redisQueueMaxCommands,
      onQueueFull: () => (counters.redisQueueFull += 1),
    });
  }

  const registry = new RoomRegistry();
  const limits = createConnectionLimits(resolved, counters);
  const httpServer: HttpServer = createServer(
    createHttpHandler(() => ({ ok: true, rooms: registry.roomCount, peers: registry.peerCount }), resolved.corsOrigin),
  );
  const io: SignalingIo = new Server(httpServer, {
    // WebSocket only: the read probes and the output accounting need a WebSocket under each client.
    transports: ['websocket'],
    // Raw frame cap: twice the payload limit leaves room for JSON escaping; anything larger makes
    // engine.io close the connection before the payload is even parsed.
    maxHttpBufferSize: resolved.maxPayloadBytes * 2,
    pingInterval: resolved.pingIntervalMs,
    pingTimeout: resolved.pingTimeoutMs,
    allowRequest: limits.allowRequest,
    cors: { origin: resolved.corsOrigin },
    serveClient: false,
    ...(redis ? { adapter: redis.adapter } : {}),
  });
  limits.install(io);
  const webSockets = trackWebSockets(io);

  let presence: PresenceDirectory;
  if (redis) {
    const directory = redis.createPresence({
      registry,
      maxPeersPerRoom: resolved.maxPeersPerRoom,
      ttlMs: resolved.presenceTtlMs,
      timeoutMs: resolved.presenceTimeoutMs,
      logger,
      peerConnectedAnywhere: async (room, peerId) => {
        const lookup = io.in(peerKey(room, peerId)).fetchSockets();
        const settled = await settleWithin(lookup, resolved.presenceTimeoutMs, 'peer lookup');
        return settled.ok ? settled.value.length > 0 : null;
      },
    });
    try {
      await directory.start();
    } catch (error) {
      await io.close();
      await redis.close();
      throw error;
    }
    presence = directory;
  } else {
    presence = new LocalPresenceDirectory(registry, resolved.maxPeersPerRoom);
  }

  let stopping = false;
  const handlers = attachSignalingHandlers({
    io,
    options: resolved,
    registry,
    presence,
    counters,
    distributed: redis !== null,
    isStopping: () => stopping,
  });
  const sweepEveryMs = Math.min(5000, Math.max(50, resolved.ghostTimeoutMs / 4));
  const sweepTimer = setInterval(() => handlers.sweep(), sweepEveryMs);
  sweepTimer.unref();

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      stopping = true;
      clearInterval(sweepTimer);
      await presence.stop();
      // A client that does not answer the WebSocket close handshake would hold the HTTP server
      // open for ws's 30 s close timeout; cut those connections after a short grace.
      const cut = setTimeout(() => {
        webSockets.terminateAll();
        httpServer.closeAllConnections(); // half-sent requests: Node stops timing them out once closing
      }, SHUTDOWN_GRACE_MS);
      cut.unref();
      await io.close();
      clearTimeout(cut);
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

/** How long close() lets clients complete the WebSocket close handshake. */
const SHUTDOWN_GRACE_MS = 1000;

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

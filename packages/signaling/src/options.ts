// Options of startSignalingServer and their defaults.

export interface SignalingLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface SignalingOptions {
  /** TCP port; 0 picks an ephemeral port (read it back from SignalingServer.port). Default 8787. */
  port?: number;
  /** Interface to bind. Default '127.0.0.1'; use '0.0.0.0' to accept remote clients. */
  host?: string;
  /** Largest accepted event payload (JSON/binary size estimate). Default 64 KiB. */
  maxPayloadBytes?: number;
  /** Sustained inbound events per second per socket (token bucket refill rate). Default 50. */
  maxMessagesPerSecond?: number;
  /** Token bucket capacity: how many events a socket may send at once. Default 2 × rate. */
  burstMessages?: number;
  /**
   * A socket whose inbound rate over a sliding window exceeds abuseFactor × rate is disconnected.
   * Defaults: factor 5, window 2000 ms.
   */
  abuseFactor?: number;
  abuseWindowMs?: number;
  /** Largest room. Default 32. */
  maxPeersPerRoom?: number;
  /** socket.io transport heartbeat. Defaults 10000 / 5000 ms. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /**
   * Liveness deadline. A socket is dropped when it has not sent 'alive' for this long (ghost), or
   * when it has not echoed any of the server's WebSocket ping probes sent within this long (it does
   * not read its output). Default 30000 ms.
   */
  ghostTimeoutMs?: number;
  /**
   * Bytes queued on the server for one socket (engine.io write buffer + the WebSocket's unsent
   * bytes) above which the socket is dropped as a slow reader. Default 8 × maxPayloadBytes
   * (512 KiB); at least 2 × maxPayloadBytes, so one largest message always fits.
   */
  maxOutboundBufferBytes?: number;
  /** Open connections this process accepts in total. Default 2000. */
  maxConnections?: number;
  /** Open connections this process accepts from one client address (IPv6: per /64). Default 50. */
  maxConnectionsPerIp?: number;
  /**
   * Take the client address from the last X-Forwarded-For entry (the one your reverse proxy added)
   * instead of the TCP peer. Only behind exactly one trusted proxy hop. Default false.
   */
  trustProxy?: boolean;
  /**
   * When set, rooms span processes through @socket.io/redis-adapter (loaded only then).
   * Default: process.env.REDIS_URL. Pass null to ignore the environment.
   */
  redisUrl?: string | null;
  /**
   * Redis mode: how long a join waits for the other processes' peer lists before it is refused
   * with 'unavailable'. Default 5000 ms.
   */
  presenceTimeoutMs?: number;
  /**
   * Redis mode: a process heartbeats its liveness key every presenceTtlMs / 3; when it stops (crash,
   * shutdown), its peers stay listed for up to this long, so they can re-register through another
   * process without the room ever looking empty. Default 15000 ms.
   */
  presenceTtlMs?: number;
  /**
   * Redis mode: commands this process holds for Redis while Redis is unreachable (signals to peers
   * on other processes, presence writes). Past it, commands fail at once: the signal is lost (the
   * clients' links redial), a join is refused 'unavailable'. Bounds the process's memory during a
   * Redis outage. Default 10000.
   */
  redisQueueMaxCommands?: number;
  /**
   * Origins socket.io's CORS check allows, and (one string only) the Access-Control-Allow-Origin
   * header of /healthz. Default '*'.
   */
  corsOrigin?: string | string[];
  /** Default: silent. */
  logger?: SignalingLogger;
}

export interface ResolvedSignalingOptions {
  port: number;
  host: string;
  maxPayloadBytes: number;
  maxMessagesPerSecond: number;
  burstMessages: number;
  abuseFactor: number;
  abuseWindowMs: number;
  maxPeersPerRoom: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  ghostTimeoutMs: number;
  maxOutboundBufferBytes: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  trustProxy: boolean;
  redisUrl: string | null;
  presenceTimeoutMs: number;
  presenceTtlMs: number;
  redisQueueMaxCommands: number;
  corsOrigin: string | string[];
  logger: SignalingLogger;
}

export const silentLogger: SignalingLogger = {
  info() {},
  warn() {},
};

export class InvalidSignalingOptionError extends Error {
  constructor(option: string, value: unknown) {
    super(`invalid signaling option ${option}: ${String(value)}`);
    this.name = 'InvalidSignalingOptionError';
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen <= 0) throw new InvalidSignalingOptionError(name, value);
  return chosen;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const chosen = positive(name, value, fallback);
  if (!Number.isInteger(chosen)) throw new InvalidSignalingOptionError(name, value);
  return chosen;
}

export function resolveOptions(options: SignalingOptions = {}): ResolvedSignalingOptions {
  const port = options.port ?? 8787;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidSignalingOptionError('port', options.port);
  }
  const maxMessagesPerSecond = positive('maxMessagesPerSecond', options.maxMessagesPerSecond, 50);
  const maxPayloadBytes = positive('maxPayloadBytes', options.maxPayloadBytes, 64 * 1024);
  const maxOutboundBufferBytes = positive('maxOutboundBufferBytes', options.maxOutboundBufferBytes, maxPayloadBytes * 8);
  if (maxOutboundBufferBytes < maxPayloadBytes * 2) {
    throw new InvalidSignalingOptionError('maxOutboundBufferBytes (must be >= 2 x maxPayloadBytes)', maxOutboundBufferBytes);
  }
  const envRedis = process.env.REDIS_URL;
  const redisUrl =
    options.redisUrl === undefined ? (envRedis && envRedis.length > 0 ? envRedis : null) : options.redisUrl;
  return {
    port,
    host: options.host ?? '127.0.0.1',
    maxPayloadBytes,
    maxMessagesPerSecond,
    burstMessages: positive('burstMessages', options.burstMessages, maxMessagesPerSecond * 2),
    abuseFactor: positive('abuseFactor', options.abuseFactor, 5),
    abuseWindowMs: positive('abuseWindowMs', options.abuseWindowMs, 2000),
    maxPeersPerRoom: positiveInteger('maxPeersPerRoom', options.maxPeersPerRoom, 32),
    pingIntervalMs: positive('pingIntervalMs', options.pingIntervalMs, 10_000),
    pingTimeoutMs: positive('pingTimeoutMs', options.pingTimeoutMs, 5_000),
    ghostTimeoutMs: positive('ghostTimeoutMs', options.ghostTimeoutMs, 30_000),
    maxOutboundBufferBytes,
    maxConnections: positiveInteger('maxConnections', options.maxConnections, 2000),
    maxConnectionsPerIp: positiveInteger('maxConnectionsPerIp', options.maxConnectionsPerIp, 50),
    trustProxy: options.trustProxy ?? false,
    redisUrl,
    presenceTimeoutMs: positive('presenceTimeoutMs', options.presenceTimeoutMs, 5_000),
    presenceTtlMs: positive('presenceTtlMs', options.presenceTtlMs, 15_000),
    redisQueueMaxCommands: positiveInteger('redisQueueMaxCommands', options.redisQueueMaxCommands, 10_000),
    corsOrigin: options.corsOrigin ?? '*',
    logger: options.logger ?? silentLogger,
  };
}

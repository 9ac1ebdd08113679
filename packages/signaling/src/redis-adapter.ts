// Redis for multi-process deployments: the socket.io adapter (events and signals across processes)
// and the presence directory's connection. Imported dynamically by server.ts only when a Redis URL
// is configured, so `redis` and `@socket.io/redis-adapter` are never loaded otherwise.

import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { SignalingLogger } from './options';
import type { PresenceDirectory } from './presence-directory';
import { RedisConnectError, redactUrl } from './redis-connect-error';
import { guardFireAndForget, throttledFailureReporter } from './redis-guard';
import { RedisPresenceDirectory, type RedisPresenceDeps } from './redis-presence';

export interface RedisAdapterHandle {
  /** Passed to socket.io's `adapter` option. */
  adapter: ReturnType<typeof createAdapter>;
  /** The presence directory in Redis; start() registers this process and begins its heartbeat. */
  createPresence(deps: Omit<RedisPresenceDeps, 'runScript' | 'onReconnect'>): PresenceDirectory & { start(): Promise<void> };
  close(): Promise<void>;
}

/** Initial connection attempts before start fails; afterwards the client reconnects indefinitely. */
const INITIAL_CONNECT_ATTEMPTS = 5;
/** A graceful QUIT waits for Redis; while Redis is down it would wait forever, so close gives up. */
const QUIT_TIMEOUT_MS = 2000;

export interface RedisAdapterOptions {
  /** Commands each connection holds while Redis is unreachable (node-redis's offline queue). */
  queueMaxCommands: number;
  /** Called for each command refused because that queue was full. */
  onQueueFull(): void;
}

/** node-redis's rejection when a command finds its queue full. */
const QUEUE_FULL_MESSAGE = 'The queue is full';

export async function createRedisAdapter(url: string, logger: SignalingLogger, options: RedisAdapterOptions): Promise<RedisAdapterHandle> {
  let connectedOnce = false;
  const reconnectStrategy = (retries: number, cause: Error): number | Error => {
    if (!connectedOnce && retries >= INITIAL_CONNECT_ATTEMPTS) return cause;
    return Math.min(100 * 2 ** Math.min(retries, 5), 3000);
  };
  // While Redis is down, node-redis queues every command until it reconnects; without a bound, the
  // signals clients keep sending would grow this process's memory for as long as the outage lasts.
  const pub = createClient({
    url,
    socket: { reconnectStrategy, connectTimeout: 5000 },
    commandsQueueMaxLength: options.queueMaxCommands,
  });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) {
    // Without a listener, node-redis rethrows connection errors as uncaught exceptions.
    // During the initial connect the failure is reported once, by the thrown RedisConnectError.
    client.on('error', (error: unknown) => {
      if (!connectedOnce) return;
      logger.warn('redis client error', { error: error instanceof Error ? error.message : String(error) });
    });
  }
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (cause) {
    await Promise.allSettled([pub.disconnect(), sub.disconnect()]);
    throw new RedisConnectError(url, cause);
  }
  connectedOnce = true;
  logger.info('redis adapter connected', { url: redactUrl(url) });
  const reportFailure = throttledFailureReporter((error, suppressed) => {
    logger.warn('redis command failed (adapter event lost)', {
      error: error instanceof Error ? error.message : String(error),
      suppressed,
    });
  });
  const countQueueFull = (error: unknown): void => {
    if (error instanceof Error && error.message === QUEUE_FULL_MESSAGE) options.onQueueFull();
  };
  const onCommandFailure = (error: unknown): void => {
    countQueueFull(error);
    reportFailure(error);
  };
  return {
    adapter: createAdapter(guardFireAndForget(pub, onCommandFailure), guardFireAndForget(sub, onCommandFailure)),
    createPresence: (deps) =>
      new RedisPresenceDirectory({
        ...deps,
        runScript: (script, keys, args) => {
          const reply = pub.eval(script, { keys, arguments: args });
          reply.catch(countQueueFull);
          return reply;
        },
        // 'ready' follows every (re)connection; the first one happened before this point.
        onReconnect: (listener) => void pub.on('ready', listener),
      }),
    async close() {
      // QUIT flushes pending publishes and presence writes.
      const quit = Promise.allSettled([pub.quit(), sub.quit()]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gaveUp = await Promise.race([
        quit.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), QUIT_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      // quit() already stopped reconnecting. Not disconnect(): it would reject the adapter's queued
      // publishes, which nobody awaits (unhandled rejections); left pending, they hold no handle.
      if (gaveUp) logger.warn('redis did not answer QUIT; giving up on it');
    },
  };
}

// While Redis is down, a signaling process holds the commands it owes Redis (signals to peers on
// other processes, presence writes) only up to redisQueueMaxCommands. Past that they fail at once
// and are counted, so an outage cannot grow the process's memory without bound; once Redis is back,
// signals flow again. Fails (never skips) when redis-server is missing.
import { describe, expect, it } from 'vitest';
import { connectAndJoin, roomId, signal, signalUntilDelivered } from './helpers';
import { serversOverRedis, startRedis } from './redis-process';

const QUEUE_BOUND = 20;
const SIGNALS_DURING_OUTAGE = 200;
/** Reconnect backoff tops out at 3 s per attempt; a loaded box needs far more slack than that. */
const RECOVERY_DEADLINE_MS = 45_000;

describe('signaling while Redis is unreachable', () => {
  const servers = serversOverRedis({
    redisQueueMaxCommands: QUEUE_BOUND,
    // Let one socket send the whole burst without being rate limited or cut as an abuser.
    maxMessagesPerSecond: 10_000,
    ghostTimeoutMs: 600_000,
  });

  it('holds at most redisQueueMaxCommands commands, counts the rest, and relays again once Redis is back', async () => {
    const { a, b } = servers;
    const room = roomId('redis-queue-bound');
    const alice = await connectAndJoin(a, room, 'alice');
    const bob = await connectAndJoin(b, room, 'bob');
    await signalUntilDelivered(alice, bob, 'bob', RECOVERY_DEADLINE_MS);

    await servers.redis.stop();
    for (let i = 0; i < SIGNALS_DURING_OUTAGE; i += 1) {
      // Acked as relayed: the server cannot know whether another process holds bob.
      expect(await signal(alice, 'bob', { i })).toEqual({ ok: true });
    }
    // Each signal is one PUBLISH on A's connection; at most QUEUE_BOUND of them (fewer, counting
    // the presence heartbeats queued too) wait for Redis, and every other one failed at once.
    expect(a.stats().redisQueueFull).toBeGreaterThanOrEqual(SIGNALS_DURING_OUTAGE - QUEUE_BOUND);
    expect(b.stats().redisQueueFull).toBe(0);

    servers.redis = await startRedis(servers.redis.port);
    await signalUntilDelivered(alice, bob, 'bob', RECOVERY_DEADLINE_MS);
  }, RECOVERY_DEADLINE_MS * 2 + 30_000);
});

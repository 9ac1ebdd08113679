// A real Redis going away under two running signaling servers: joins are refused 'unavailable'
// instead of hanging or answering "empty room"; once Redis is back, relay and cross-process
// presence work again without restarting the servers; and close() does not hang on a dead Redis.
// Fails (never skips) when redis-server is missing.
import { afterAll, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '../src/index';
import { EVENT_TIMEOUT_MS, connect, connectAndJoin, join, nextEvent, pause, roomId, signal, type Client } from './helpers';
import { beforeAllOrFailEach, startRedis, type RedisProcess } from './redis-process';

/** Reconnect backoff tops out at 3 s per attempt; a loaded box needs far more slack than that. */
const RECOVERY_DEADLINE_MS = 45_000;

describe('signaling across a Redis restart', () => {
  let redis: RedisProcess;
  let a: SignalingServer;
  let b: SignalingServer;

  beforeAllOrFailEach(async () => {
    redis = await startRedis();
    // No 'alive' heartbeats in this test; keep the ghost sweep out of the way.
    const options = { port: 0, redisUrl: redis.url, ghostTimeoutMs: 600_000, presenceTimeoutMs: 1000 };
    a = await startSignalingServer(options);
    b = await startSignalingServer(options);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
    await redis?.stop();
  }, 60_000);

  it('refuses joins while Redis is down, then relays and lists remote peers once it is back', async () => {
    const room = roomId('scale-restart');
    const alice = await connectAndJoin(a, room, 'alice');
    const bob = await connectAndJoin(b, room, 'bob');
    const first = nextEvent(bob, 'signal', (d) => d.from === 'alice');
    await signal(alice, 'bob', 'before');
    expect(await first).toEqual({ from: 'alice', data: 'before' });

    await redis.stop();
    // B cannot ask A who is in the room: "empty room" would make carol bootstrap a second group.
    const carol = await connect(b);
    expect(await join(carol, room, 'carol')).toEqual({ ok: false, error: 'unavailable' });
    expect(b.stats().rejectedJoins.unavailable).toBe(1);

    redis = await startRedis(redis.port);
    await untilDelivered(alice, bob, 'bob');
    await untilDelivered(bob, alice, 'alice');

    // Both adapters are subscribed again, so presence spans processes again; the refused socket
    // may simply retry its join.
    expect(await join(carol, room, 'carol')).toEqual({ ok: true, peers: expect.arrayContaining(['alice', 'bob']) });
  }, RECOVERY_DEADLINE_MS * 3 + EVENT_TIMEOUT_MS);

  it('closes the servers while Redis is down', async () => {
    const room = roomId('scale-dead-redis');
    await connectAndJoin(a, room, 'alice');
    await connectAndJoin(b, room, 'bob');
    await redis.stop();
    // QUIT cannot be answered; close gives up on Redis instead of hanging (the test timeout).
    await Promise.all([a.close(), b.close()]);
  }, 60_000);
});

/** Signals `from` -> `to` every 500 ms until one arrives (commands sent while offline may also arrive later). */
async function untilDelivered(from: Client, to: Client, toId: string): Promise<void> {
  let delivered = false;
  const onSignal = () => void (delivered = true);
  to.on('signal', onSignal);
  try {
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    for (let probe = 0; !delivered; probe += 1) {
      if (Date.now() > deadline) throw new Error(`no signal reached ${toId} after the Redis restart`);
      expect(await signal(from, toId, { probe })).toEqual({ ok: true });
      await pause(500);
    }
  } finally {
    to.off('signal', onSignal);
  }
}

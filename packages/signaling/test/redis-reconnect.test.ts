// A real Redis going away under two running signaling servers: joins are refused 'unavailable'
// instead of hanging or answering "empty room"; once Redis is back (empty: no persistence), relay
// works again, the directory reports a fresh epoch, and each server re-registers its own peers
// without being restarted; and close() does not hang on a dead Redis.
// Fails (never skips) when redis-server is missing.
import { describe, expect, it } from 'vitest';
import { EVENT_TIMEOUT_MS, connect, connectAndJoin, join, nextEvent, pause, roomId, signal, signalUntilDelivered } from './helpers';
import { CLOCK_SLACK_MS } from './uptime';
import { serversOverRedis, startRedis } from './redis-process';

/** Reconnect backoff tops out at 3 s per attempt; a loaded box needs far more slack than that. */
const RECOVERY_DEADLINE_MS = 45_000;

describe('signaling across a Redis restart', () => {
  // No 'alive' heartbeats in this test; keep the ghost sweep out of the way.
  // A short presence TTL: the servers heartbeat (and notice that Redis lost them) every 500 ms.
  const servers = serversOverRedis({ ghostTimeoutMs: 600_000, presenceTimeoutMs: 1000, presenceTtlMs: 1500 });

  it('refuses joins while Redis is down, then relays, restarts the epoch and re-registers peers', async () => {
    const { a, b } = servers;
    const room = roomId('scale-restart');
    const alice = await connectAndJoin(a, room, 'alice');
    const bob = await connectAndJoin(b, room, 'bob');
    const first = nextEvent(bob, 'signal', (d) => d.from === 'alice');
    await signal(alice, 'bob', 'before');
    expect(await first).toEqual({ from: 'alice', data: 'before' });

    await servers.redis.stop();
    // B cannot ask the directory who is in the room: "empty room" would make carol bootstrap a second group.
    const carol = await connect(b);
    expect(await join(carol, room, 'carol')).toEqual({ ok: false, error: 'unavailable' });
    expect(b.stats().rejectedJoins.unavailable).toBe(1);

    const restartedAt = Date.now();
    servers.redis = await startRedis(servers.redis.port);
    await signalUntilDelivered(alice, bob, 'bob', RECOVERY_DEADLINE_MS);
    await signalUntilDelivered(bob, alice, 'alice', RECOVERY_DEADLINE_MS);

    // The new Redis is empty. Every answer from now on carries an uptime no older than the restart,
    // so no client trusts an empty list from it; the servers put their peers back on their own.
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    for (let attempt = 0; ; attempt += 1) {
      const joiner = attempt === 0 ? carol : await connect(attempt % 2 === 0 ? a : b);
      const ack = await join(joiner, room, `carol${attempt}`);
      if (ack.ok) {
        expect(ack.uptimeMs).toBeLessThanOrEqual(Date.now() - restartedAt + CLOCK_SLACK_MS);
        if (ack.peers.includes('alice') && ack.peers.includes('bob')) break;
      } else {
        expect(ack.error).toBe('unavailable');
      }
      if (Date.now() > deadline) throw new Error('the servers never re-registered alice and bob');
      await pause(200);
    }
  }, RECOVERY_DEADLINE_MS * 4 + EVENT_TIMEOUT_MS);

  it('closes the servers while Redis is down', async () => {
    const { a, b } = servers;
    const room = roomId('scale-dead-redis');
    await connectAndJoin(a, room, 'alice');
    await connectAndJoin(b, room, 'bob');
    await servers.redis.stop();
    // QUIT cannot be answered; close gives up on Redis instead of hanging (the test timeout).
    await Promise.all([a.close(), b.close()]);
  }, 60_000);
});

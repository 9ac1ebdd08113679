// Presence over Redis when signaling processes restart and when Redis loses its data. The directory
// lives in Redis, so one process restarting neither empties a room nor restarts the epoch that
// `uptimeMs` reports; a Redis flush restarts the epoch, and the processes put their peers back.
// Fails (never skips) when redis-server is missing.
import { createClient } from 'redis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingOptions, type SignalingServer } from '../src/index';
import { EVENT_TIMEOUT_MS, connect, connectAndJoin, join, nextEvent, pause, roomId, waitForDisconnect } from './helpers';
import { beforeAllOrFailEach, startRedis, type RedisProcess } from './redis-process';
import { CLOCK_SLACK_MS } from './uptime';

const RECOVERY_DEADLINE_MS = 30_000;

describe('signaling processes restarting over one Redis', () => {
  let redis: RedisProcess;
  let admin: ReturnType<typeof createClient>;
  const running: SignalingServer[] = [];

  const startNode = async (options: SignalingOptions): Promise<SignalingServer> => {
    // No 'alive' heartbeats in these tests; keep the ghost sweep out of the way.
    const server = await startSignalingServer({ port: 0, redisUrl: redis.url, ghostTimeoutMs: 600_000, ...options });
    running.push(server);
    return server;
  };

  beforeAllOrFailEach(async () => {
    redis = await startRedis();
    admin = createClient({ url: redis.url });
    await admin.connect();
  }, 60_000);

  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((server) => server.close()));
    await admin?.flushAll();
  }, 60_000);

  afterAll(async () => {
    await admin?.quit();
    await redis?.stop();
  }, 60_000);

  it("a restarted process keeps the epoch, and the pair keeps listing each other's peers", async () => {
    const ttl = { presenceTtlMs: 60_000 }; // nothing expires during this test
    const a = await startNode(ttl);
    let b = await startNode(ttl);
    const room = roomId('redis-restart-pair');
    const alice = await connectAndJoin(a, room, 'alice');
    const heardLeft: string[] = [];
    alice.on('peer-left', (e) => heardLeft.push(e.peerId));
    const bob = await connectAndJoin(b, room, 'bob');
    const before = await join(await connect(a), room, 'pia');
    const measuredAt = Date.now();
    if (!before.ok) throw new Error('join failed');

    const bobCut = waitForDisconnect(bob);
    await b.close();
    expect(await bobCut).toBe('transport close');
    b = await startNode(ttl);

    const danJoined = nextEvent(alice, 'peer-joined', (e) => e.peerId === 'dan');
    const askedAt = Date.now();
    const dan = await join(await connect(b), room, 'dan');
    await danJoined;
    if (!dan.ok) throw new Error(`join failed: ${dan.error}`);
    // The restarted process lists A's peers, and bob, whose entry outlived B's old process.
    expect([...dan.peers].sort()).toEqual(['alice', 'bob', 'pia']);
    // Same epoch as before the restart: it kept counting.
    expect(dan.uptimeMs).toBeGreaterThanOrEqual(before.uptimeMs + (askedAt - measuredAt) - CLOCK_SLACK_MS);

    // bob reconnects through the restarted B under its own id; its old entry is taken over.
    const bobBack = nextEvent(alice, 'peer-joined', (e) => e.peerId === 'bob');
    const again = await join(await connect(b), room, 'bob');
    expect(again.ok && [...again.peers].sort()).toEqual(['alice', 'dan', 'pia']);
    await bobBack;
    // Nothing in all of this told alice that a peer left.
    expect(heardLeft).toEqual([]);
  });

  it('a rollback to an older snapshot restarts the epoch, and the lost entries come back', async () => {
    const a = await startNode({ presenceTtlMs: 1500 });
    const room = roomId('redis-rollback');
    await connectAndJoin(a, room, 'alice');
    await connectAndJoin(a, room, 'pia');
    // What a restart from an RDB snapshot taken between the two joins would leave: no pia, and
    // the process key as it was back then.
    const rolledBackAt = Date.now();
    await admin.hDel(`meshraft-signal:room:${room}`, 'pia');
    for (const key of await admin.keys('meshraft-signal:process:*')) await admin.set(key, '1', { KEEPTTL: true });

    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    for (let attempt = 0; ; attempt += 1) {
      const ack = await join(await connect(a), room, `quinn${attempt}`);
      if (!ack.ok) throw new Error(`join failed: ${ack.error}`);
      if (ack.peers.includes('pia')) {
        // pia is back only after the heartbeat found the broken chain and restarted the epoch.
        expect(ack.peers).toContain('alice');
        expect(ack.uptimeMs).toBeLessThanOrEqual(Date.now() - rolledBackAt + CLOCK_SLACK_MS);
        break;
      }
      if (Date.now() > deadline) throw new Error('the process never re-registered pia');
      await pause(200);
    }
  }, RECOVERY_DEADLINE_MS + EVENT_TIMEOUT_MS);

  it('FLUSHALL restarts the epoch, and each process re-registers its own peers', async () => {
    const ttl = { presenceTtlMs: 1500 }; // heartbeats every 500 ms notice the flush
    const a = await startNode(ttl);
    const b = await startNode(ttl);
    const room = roomId('redis-flush');
    await connectAndJoin(a, room, 'alice');
    await connectAndJoin(b, room, 'bob');
    const before = await join(await connect(a), room, 'pia');
    expect(before.ok).toBe(true);

    const flushedAt = Date.now();
    await admin.flushAll();
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    for (let attempt = 0; ; attempt += 1) {
      const ack = await join(await connect(attempt % 2 === 0 ? a : b), room, `quinn${attempt}`);
      if (!ack.ok) throw new Error(`join failed: ${ack.error}`);
      // Whatever the directory knows yet, its age never reaches back before the flush.
      expect(ack.uptimeMs).toBeLessThanOrEqual(Date.now() - flushedAt + CLOCK_SLACK_MS);
      if (ack.peers.includes('alice') && ack.peers.includes('bob') && ack.peers.includes('pia')) break;
      if (Date.now() > deadline) throw new Error('the processes never re-registered their peers');
      await pause(200);
    }
  }, RECOVERY_DEADLINE_MS + EVENT_TIMEOUT_MS);
});

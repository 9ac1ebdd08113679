// A signaling process killed with SIGKILL on a host that stays up: Redis drops its connections,
// so joins on the surviving process stop listing the dead process's peers (README, known limits).
// Runs the real CLI (bin) against a real redis-server. Fails (never skips) without redis-server.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '../src/index';
import { connect, connectAndJoin, join, joined, nextEvent, pause, roomId } from './helpers';
import { spawnCli } from './cli-process';
import { beforeAllOrFailEach, startRedis, type RedisProcess } from './redis-process';

const DEADLINE_MS = 45_000;

describe('a signaling process that crashes', () => {
  let redis: RedisProcess;
  let a: SignalingServer;
  let child: ChildProcess | null = null;

  beforeAllOrFailEach(async () => {
    redis = await startRedis();
    a = await startSignalingServer({ port: 0, redisUrl: redis.url, ghostTimeoutMs: 600_000, presenceTimeoutMs: 2000 });
  }, 60_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await a?.close();
    await redis?.stop();
  }, 60_000);

  it('is no longer listed by joins on the surviving process', async () => {
    const room = roomId('scale-crash');
    const alice = await connectAndJoin(a, room, 'alice');
    const spawned = spawnRedisCli(redis.url);
    child = spawned.child;
    const url = await spawned.url;

    const zedJoined = nextEvent(alice, 'peer-joined', (e) => e.peerId === 'zed');
    const zed = await connect({ url });
    expect(await join(zed, room, 'zed')).toEqual(joined(['alice']));
    await zedJoined;

    const exited = new Promise((resolve) => spawned.child.once('exit', resolve));
    spawned.child.kill('SIGKILL');
    await exited;

    // Until Redis has noticed the closed connections, a join may still list zed or be refused.
    const deadline = Date.now() + DEADLINE_MS;
    for (let attempt = 0; ; attempt += 1) {
      const joiner = await connect(a);
      const ack = await join(joiner, room, `late${attempt}`);
      if (ack.ok && !ack.peers.includes('zed')) {
        expect(ack.peers).toEqual(['alice']);
        break;
      }
      if (ack.ok === false) expect(ack.error).toBe('unavailable');
      joiner.disconnect();
      if (Date.now() > deadline) throw new Error('joins kept listing the crashed process peer');
      await pause(500);
    }
  }, DEADLINE_MS * 2);
});

function spawnRedisCli(redisUrl: string) {
  return spawnCli(['--port', '0', '--quiet', '--ghost-timeout-ms', '600000', '--redis-url', redisUrl]);
}

// A signaling process killed with SIGKILL: its peers may re-register through the surviving process
// under their own ids while the dead process's entries are still in Redis, and the entries of
// peers that never come back expire with the dead process's liveness key, which restarts the
// directory's epoch. Runs the real CLI (bin) against a real redis-server. Fails (never skips)
// without redis-server.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '../src/index';
import { connect, connectAndJoin, join, nextEvent, pause, roomId } from './helpers';
import { CLOCK_SLACK_MS } from './uptime';
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

  it('lets its peers re-register elsewhere and expires the ones that never come back', async () => {
    const room = roomId('scale-crash');
    const alice = await connectAndJoin(a, room, 'alice');
    const spawned = spawnRedisCli(redis.url);
    child = spawned.child;
    const url = await spawned.url;

    for (const id of ['zed', 'yak']) {
      const heard = nextEvent(alice, 'peer-joined', (e) => e.peerId === id);
      const ack = await join(await connect({ url }), room, id);
      expect(ack.ok && [...ack.peers].sort()).toEqual(id === 'zed' ? ['alice'] : ['alice', 'zed']);
      await heard;
    }

    const exited = new Promise((resolve) => spawned.child.once('exit', resolve));
    spawned.child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();

    // zed reconnects through A under its own id. Until Redis has noticed the dead connections,
    // asking every process whether zed is still connected somewhere may time out: 'unavailable'.
    await untilJoined(a, room, 'zed', (peers) => expect(peers).toContain('alice'));

    // yak never comes back: once the dead process's key expired, joins stop listing it, and the
    // answer that first leaves it out carries an epoch no older than the crash.
    await untilJoined(a, room, 'late', (peers, uptimeMs, attempt) => {
      if (peers.includes('yak')) return false;
      expect([...peers].sort()).toEqual(['alice', ...Array.from({ length: attempt }, (_, i) => `late${i}`), 'zed'].sort());
      expect(uptimeMs).toBeLessThanOrEqual(Date.now() - killedAt + CLOCK_SLACK_MS);
      return true;
    });
  }, DEADLINE_MS * 3);
});

/**
 * Joins new sockets (ids `base`, or `base0`, `base1`... when `check` asks for another attempt)
 * until a join succeeds and `check` accepts it; 'unavailable' answers are retried.
 */
async function untilJoined(
  server: SignalingServer,
  room: string,
  base: string,
  check: (peers: string[], uptimeMs: number, attempt: number) => boolean | void,
): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  let attempt = 0;
  for (;;) {
    const joiner = await connect(server);
    const id = base === 'zed' ? base : `${base}${attempt}`;
    const ack = await join(joiner, room, id);
    if (ack.ok) {
      if (check(ack.peers, ack.uptimeMs, attempt) !== false) return;
      attempt += 1;
    } else {
      expect(ack.error).toBe('unavailable');
      joiner.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`no acceptable join for ${base}`);
    await pause(250);
  }
}

function spawnRedisCli(redisUrl: string) {
  // A short presence TTL: the dead process's entries expire within seconds.
  return spawnCli(['--port', '0', '--quiet', '--ghost-timeout-ms', '600000', '--presence-ttl-ms', '1500', '--redis-url', redisUrl]);
}

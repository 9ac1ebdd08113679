// The Redis presence directory when Redis answers late or not at all (RedisPresenceDirectory with a
// real redis-server, its script runner able to hold commands back and to lose replies): a join the
// joiner was told is 'unavailable' must leave no entry behind, and must never remove the entry a
// later join of the same peer took over. A peer left out of the directory while it is connected is
// a room another tab may take for empty (and found a second group in); a peer listed after it left
// keeps the room occupied for good. Fails (never skips) when redis-server is missing.
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { RedisPresenceDirectory } from '../src/redis-presence';
import { roomDirectoryKey } from '../src/redis-presence-scripts';
import { RoomRegistry } from '../src/room-registry';
import { beforeAllOrFailEach, startRedis, type RedisProcess } from './redis-process';

/** How long a join's Redis work may take before the joiner is told 'unavailable' (presenceTimeoutMs). */
const JOIN_DEADLINE_MS = 200;

describe('presence joins answered late', () => {
  let redis: RedisProcess;
  let client: ReturnType<typeof createClient>;

  beforeAllOrFailEach(async () => {
    redis = await startRedis();
    client = createClient({ url: redis.url });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await client?.quit().catch(() => {});
    await redis?.stop();
  }, 60_000);

  /**
   * A directory whose scripts can be held back (`stall`, then `resume` sends them in order, as the
   * Redis client's queue does when a stalled server answers again) or run with their reply lost
   * (`loseReplies`: the script runs, the caller gets an error, as after a dropped connection).
   */
  async function directory() {
    let stalled = false;
    let loseReplies = false;
    const held: Array<() => void> = [];
    const registry = new RoomRegistry();
    const presence = new RedisPresenceDirectory({
      runScript: (script, keys, args) => {
        const send = () => {
          const reply = client.eval(script, { keys, arguments: args });
          return loseReplies ? reply.then(() => Promise.reject(new Error('Disconnects client'))) : reply;
        };
        if (!stalled) return send();
        return new Promise((resolve, reject) => held.push(() => void send().then(resolve, reject)));
      },
      registry,
      maxPeersPerRoom: 50,
      ttlMs: 600_000, // no heartbeat during the test
      timeoutMs: JOIN_DEADLINE_MS,
      peerConnectedAnywhere: async () => false,
      logger: { info() {}, warn() {} },
    });
    await presence.start();
    return {
      presence,
      registry,
      stall: () => void (stalled = true),
      resume: () => {
        stalled = false;
        for (const send of held.splice(0)) send();
      },
      loseReplies: (lose: boolean) => void (loseReplies = lose),
    };
  }

  const listed = async (room: string) => Object.keys(await client.hGetAll(roomDirectoryKey(room))).sort();
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  it("a join told 'unavailable' whose claim lands while the client's next join is in flight leaves that join's entry in place", async () => {
    const room = `late-claim-${Date.now()}`;
    const d = await directory();
    d.stall();
    // Redis stalls: the first join outlives its deadline; the client asks again on the same socket.
    expect(await d.presence.join(room, 'p', 'socket-1')).toEqual({ ok: false, error: 'unavailable' });
    const again = d.presence.join(room, 'p', 'socket-1');
    // Redis answers both at once: the first claim lands, the second takes it over (same process).
    d.resume();
    expect(await again).toMatchObject({ ok: true });
    await settle();
    expect(d.registry.has(room, 'p')).toBe(true);
    expect(await listed(room)).toEqual(['p']);
    await d.presence.stop();
  });

  it("a join whose script ran but whose reply was lost leaves no entry behind", async () => {
    const room = `lost-reply-${Date.now()}`;
    const d = await directory();
    d.loseReplies(true);
    expect(await d.presence.join(room, 'p', 'socket-1')).toEqual({ ok: false, error: 'unavailable' });
    d.loseReplies(false);
    await settle();
    expect(d.registry.has(room, 'p')).toBe(false);
    expect(await listed(room)).toEqual([]);
    await d.presence.stop();
  });

  it('after Redis lost some of this process\'s writes (a rollback), a join answer restarts the epoch instead of vouching for the old one', async () => {
    const room = `rollback-${Date.now()}`;
    const before = new Set(await client.keys('meshraft-signal:process:*'));
    const d = await directory();
    const [processKey] = (await client.keys('meshraft-signal:process:*')).filter((key) => !before.has(key));
    const snapshotSeq = await client.get(processKey!);
    expect(await d.presence.join(room, 'p', 'socket-1')).toMatchObject({ ok: true, peers: [] });
    // Redis rolls back to a snapshot taken before p joined, when the directory had been complete
    // for a minute: p's entry and this process's last write are gone, the old epoch is not.
    await client.hDel(roomDirectoryKey(room), 'p');
    await client.set(processKey!, snapshotSeq!);
    const oldEpoch = String(Date.now() - 60_000);
    await client.set('meshraft-signal:epoch', oldEpoch);
    const answer = await d.presence.join(room, 'q', 'socket-2');
    // p is still connected here but missing from the directory: an answer without it must not
    // look like one from a directory complete for a minute. The epoch restarted (Redis holds a new
    // one), so the answer's uptime is counted from then: well under the minute of the old one,
    // whatever pauses a loaded machine takes.
    expect(answer).toMatchObject({ ok: true, peers: [] });
    expect(await client.get('meshraft-signal:epoch')).not.toBe(oldEpoch);
    expect(answer.ok && answer.uptimeMs).toBeLessThan(30_000);
    await d.presence.stop();
  });

  it("a join told 'unavailable' whose claim lands later, with nobody joining again, is removed", async () => {
    const room = `late-alone-${Date.now()}`;
    const d = await directory();
    d.stall();
    expect(await d.presence.join(room, 'p', 'socket-1')).toEqual({ ok: false, error: 'unavailable' });
    d.resume();
    await settle();
    expect(await listed(room)).toEqual([]);
    await d.presence.stop();
  });
});

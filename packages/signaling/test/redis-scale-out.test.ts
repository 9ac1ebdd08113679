// Scale-out against a REAL redis-server: two (or three) signaling servers share one Redis, and
// peers of one room connect to different servers. Fails (never skips) when redis-server is missing.
import { afterAll, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '../src/index';
import {
  ABSENCE_WAIT_MS,
  connect,
  connectAndJoin,
  join,
  nextEvent,
  pause,
  recordSignals,
  roomId,
  signal,
} from './helpers';
import { beforeAllOrFailEach, startRedis, type RedisProcess } from './redis-process';

const MAX_PEERS = 3;

describe('signaling over a real Redis (two processes)', () => {
  let redis: RedisProcess;
  let a: SignalingServer;
  let b: SignalingServer;

  const startNode = (): Promise<SignalingServer> =>
    startSignalingServer({ port: 0, redisUrl: redis.url, maxPeersPerRoom: MAX_PEERS });

  beforeAllOrFailEach(async () => {
    redis = await startRedis();
    a = await startNode();
    b = await startNode();
  }, 60_000);

  afterAll(async () => {
    // Servers first (they quit their Redis clients), then the Redis process itself.
    await Promise.allSettled([a?.close(), b?.close()]);
    await redis?.stop();
  }, 60_000);

  it('runs both servers on the redis adapter', () => {
    expect(a.adapter).toBe('redis');
    expect(b.adapter).toBe('redis');
    expect(a.port).not.toBe(b.port);
  });

  it('a joiner on B sees peers on A; duplicate ids and the room cap hold across processes', async () => {
    const room = roomId('scale-presence');
    const alice = await connectAndJoin(a, room, 'alice');
    const aliceHearsBob = nextEvent(alice, 'peer-joined', (e) => e.peerId === 'bob');

    const bob = await connect(b);
    expect(await join(bob, room, 'bob')).toEqual({ ok: true, peers: ['alice'] });
    expect(await aliceHearsBob).toEqual({ peerId: 'bob' });

    const bobHearsCarol = nextEvent(bob, 'peer-joined', (e) => e.peerId === 'carol');
    const carol = await connect(a);
    const carolAck = await join(carol, room, 'carol');
    expect(carolAck.ok).toBe(true);
    if (carolAck.ok) expect([...carolAck.peers].sort()).toEqual(['alice', 'bob']);
    expect(await bobHearsCarol).toEqual({ peerId: 'carol' });

    // 'alice' lives on A; the same id joining through B is still a duplicate.
    const twin = await connect(b);
    expect(await join(twin, roomId('scale-presence'), 'alice')).toEqual({ ok: false, error: 'duplicate-peer' });
    // Three peers over two processes fill a room capped at three.
    const fourth = await connect(b);
    expect(await join(fourth, room, 'dave')).toEqual({ ok: false, error: 'room-full' });
  });

  it('relays signals both ways between processes, in order, and never into another room', async () => {
    const room = roomId('scale-signal');
    const other = roomId('scale-signal-other');
    const alice = await connectAndJoin(a, room, 'alice');
    const bob = await connectAndJoin(b, room, 'bob');
    // Peers named 'bob' in another room, on both servers: they must never see room's signals.
    const otherBobOnA = await connectAndJoin(a, other, 'bob');
    const otherBobOnB = await connectAndJoin(b, other, 'bob2');
    const leakedA = recordSignals(otherBobOnA);
    const leakedB = recordSignals(otherBobOnB);
    const atBob = recordSignals(bob);

    const offer = { type: 'offer', sdp: 'v=0 fake' };
    const bobGetsOffer = nextEvent(bob, 'signal', (d) => d.from === 'alice');
    expect(await signal(alice, 'bob', offer)).toEqual({ ok: true });
    expect(await bobGetsOffer).toEqual({ from: 'alice', data: offer });

    const aliceGetsAnswer = nextEvent(alice, 'signal', (d) => d.from === 'bob');
    expect(await signal(bob, 'alice', { type: 'answer' })).toEqual({ ok: true });
    expect(await aliceGetsAnswer).toEqual({ from: 'bob', data: { type: 'answer' } });

    // Order from one sender to one target survives the hop through Redis.
    const lastCandidate = nextEvent(bob, 'signal', (d) => d.from === 'alice' && isCandidate(d.data, 9));
    for (let i = 0; i < 10; i += 1) await signal(alice, 'bob', { candidate: i });
    await lastCandidate;
    const candidates = atBob.filter((d) => d.from === 'alice' && isCandidateObject(d.data)).map((d) => d.data);
    expect(candidates).toEqual(Array.from({ length: 10 }, (_, i) => ({ candidate: i })));

    // A target that exists only in another room: acked (it may be remote), but delivered nowhere.
    expect(await signal(alice, 'bob2', { stray: true })).toEqual({ ok: true });
    await pause(ABSENCE_WAIT_MS * 2);
    expect(leakedA).toEqual([]);
    expect(leakedB).toEqual([]);
  });

  it('peer-left reaches peers on the other process', async () => {
    const room = roomId('scale-leave');
    const alice = await connectAndJoin(a, room, 'alice');
    const bob = await connectAndJoin(b, room, 'bob');
    const carol = await connectAndJoin(b, room, 'carol');

    const aliceHearsBobLeave = nextEvent(alice, 'peer-left', (e) => e.peerId === 'bob');
    bob.disconnect();
    expect(await aliceHearsBobLeave).toEqual({ peerId: 'bob' });

    const carolHearsAliceLeave = nextEvent(carol, 'peer-left', (e) => e.peerId === 'alice');
    alice.disconnect();
    expect(await carolHearsAliceLeave).toEqual({ peerId: 'alice' });

    // The id is free again everywhere once its socket is gone.
    const again = await connect(a);
    expect(await join(again, room, 'bob')).toEqual({ ok: true, peers: ['carol'] });
  });

  it('a third process that shuts down cleanly announces its peers as left', async () => {
    const room = roomId('scale-shutdown');
    const c = await startNode();
    try {
      const alice = await connectAndJoin(a, room, 'alice');
      const joinedOnC = nextEvent(alice, 'peer-joined', (e) => e.peerId === 'zed');
      const zed = await connect(c);
      expect(await join(zed, room, 'zed')).toEqual({ ok: true, peers: ['alice'] });
      await joinedOnC;

      const aliceHearsZedLeave = nextEvent(alice, 'peer-left', (e) => e.peerId === 'zed');
      await c.close();
      expect(await aliceHearsZedLeave).toEqual({ peerId: 'zed' });
      const late = await connect(b);
      expect(await join(late, room, 'yan')).toEqual({ ok: true, peers: ['alice'] });
    } finally {
      await c.close();
    }
  });
});

function isCandidateObject(data: unknown): data is { candidate: number } {
  return typeof data === 'object' && data !== null && 'candidate' in data;
}

function isCandidate(data: unknown, index: number): boolean {
  return isCandidateObject(data) && data.candidate === index;
}

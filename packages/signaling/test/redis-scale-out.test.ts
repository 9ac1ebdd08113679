// Scale-out against a REAL redis-server: two (or three) signaling servers share one Redis, and
// peers of one room connect to different servers. Fails (never skips) when redis-server is missing.
import { describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '../src/index';
import {
  connect,
  connectAndJoin,
  join,
  joined,
  nextEvent,
  recordSignals,
  roomId,
  signal,
  waitForDisconnect,
} from './helpers';
import { serversOverRedis } from './redis-process';

const MAX_PEERS = 3;

describe('signaling over a real Redis (two processes)', () => {
  const servers = serversOverRedis({ maxPeersPerRoom: MAX_PEERS });
  /** A third process on the same Redis. */
  const startNode = (): Promise<SignalingServer> => startSignalingServer({ port: 0, redisUrl: servers.redis.url, maxPeersPerRoom: MAX_PEERS });

  it('runs both servers on the redis adapter', () => {
    const { a, b } = servers;
    expect(a.adapter).toBe('redis');
    expect(b.adapter).toBe('redis');
    expect(a.port).not.toBe(b.port);
  });

  it('a joiner on B sees peers on A; duplicate ids and the room cap hold across processes', async () => {
    const { a, b } = servers;
    const room = roomId('scale-presence');
    const alice = await connectAndJoin(a, room, 'alice');
    const aliceHearsBob = nextEvent(alice, 'peer-joined', (e) => e.peerId === 'bob');

    const bob = await connect(b);
    expect(await join(bob, room, 'bob')).toEqual(joined(['alice']));
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
    const { a, b } = servers;
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
    // Markers inside the other room, sent after that ack. The one to B leaves A on the connection
    // that published alice's signal, so Redis hands B any leak first; a leak to the peer on A would
    // have been written to its socket before alice's ack.
    const markerAtB = nextEvent(otherBobOnB, 'signal', (d) => d.from === 'bob');
    const markerAtA = nextEvent(otherBobOnA, 'signal', (d) => d.from === 'bob2');
    expect(await signal(otherBobOnA, 'bob2', 'marker')).toEqual({ ok: true });
    expect(await signal(otherBobOnB, 'bob', 'marker')).toEqual({ ok: true });
    await Promise.all([markerAtA, markerAtB]);
    expect(leakedA).toEqual([{ from: 'bob2', data: 'marker' }]);
    expect(leakedB).toEqual([{ from: 'bob', data: 'marker' }]);
  });

  it('peer-left reaches peers on the other process', async () => {
    const { a, b } = servers;
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
    expect(await join(again, room, 'bob')).toEqual(joined(['carol']));
  });

  it('a process that shuts down announces no peer-left; its peers stay listed and re-register elsewhere', async () => {
    const { a, b } = servers;
    const room = roomId('scale-shutdown');
    const c = await startNode();
    try {
      const alice = await connectAndJoin(a, room, 'alice');
      const heardLeft: string[] = [];
      alice.on('peer-left', (e) => heardLeft.push(e.peerId));
      const joinedOnC = nextEvent(alice, 'peer-joined', (e) => e.peerId === 'zed');
      const zed = await connect(c);
      expect(await join(zed, room, 'zed')).toEqual(joined(['alice']));
      await joinedOnC;

      const zedCut = waitForDisconnect(zed);
      await c.close();
      expect(await zedCut).toBe('transport close');
      // A join through B after C quit: Redis hands alice B's peer-joined after anything C
      // published before its QUIT was answered.
      const yanJoined = nextEvent(alice, 'peer-joined', (e) => e.peerId === 'yan');
      const yan = await connect(b);
      const yanAck = await join(yan, room, 'yan');
      await yanJoined;
      expect(heardLeft).toEqual([]);
      // zed is still in its mesh: the directory keeps listing it after its server is gone.
      expect(yanAck.ok && [...yanAck.peers].sort()).toEqual(['alice', 'zed']);

      // zed reconnects through B under the same id while C's entry of it is still in Redis.
      const zedAgain = await connect(b);
      const again = await join(zedAgain, room, 'zed');
      expect(again.ok && [...again.peers].sort()).toEqual(['alice', 'yan']);
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

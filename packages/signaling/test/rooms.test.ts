import { describe, expect, it } from 'vitest';
import {
  connect,
  connectAndJoin,
  eventually,
  join,
  joined,
  nextEvent,
  rawEmit,
  rawEmitWithAck,
  roomId,
  startServer,
} from './helpers';

describe('rooms', () => {
  it('first joiner gets an empty peer list (bootstrap), the second sees the first', async () => {
    const server = await startServer();
    const room = roomId('bootstrap');
    const a = await connect(server);
    expect(await join(a, room, 'alice')).toEqual(joined([]));
    const b = await connect(server);
    expect(await join(b, room, 'bob')).toEqual(joined(['alice']));
    const c = await connect(server);
    const ackC = await join(c, room, 'carol');
    expect(ackC.ok && [...ackC.peers].sort()).toEqual(['alice', 'bob']);
    expect(server.stats()).toMatchObject({ rooms: 1, peers: 3, joins: 3, connections: 3 });
  });

  it('broadcasts peer-joined and peer-left to the others in the room', async () => {
    const server = await startServer();
    const room = roomId('presence');
    const a = await connectAndJoin(server, room, 'alice');
    const bobJoined = nextEvent(a, 'peer-joined');
    const b = await connectAndJoin(server, room, 'bob');
    expect(await bobJoined).toEqual({ peerId: 'bob' });

    const left = nextEvent(a, 'peer-left');
    b.disconnect();
    expect(await left).toEqual({ peerId: 'bob' });
    await eventually(() => server.stats().peers === 1, 'registry to drop bob');

    // A peer that left can come back under the same id.
    const b2 = await connect(server);
    expect(await join(b2, room, 'bob')).toEqual(joined(['alice']));
  });

  it('does not announce joins or leaves across rooms', async () => {
    const server = await startServer();
    const a = await connectAndJoin(server, roomId('presence-a'), 'alice');
    let foreignEvents = 0;
    a.on('peer-joined', () => foreignEvents++);
    a.on('peer-left', () => foreignEvents++);
    const other = await connectAndJoin(server, roomId('presence-b'), 'bob');
    // A peer joined after 'bob' in room a proves a's events were flowing meanwhile.
    const seen = nextEvent(a, 'peer-joined');
    await connectAndJoin(server, roomId('presence-a'), 'carol');
    await seen;
    other.disconnect();
    const marker = nextEvent(a, 'peer-joined', (e) => e.peerId === 'dave');
    await connectAndJoin(server, roomId('presence-a'), 'dave');
    await marker;
    expect(foreignEvents).toBe(2); // carol + dave only
  });

  it('refuses a join beyond maxPeersPerRoom and admits again after a leave', async () => {
    const server = await startServer({ maxPeersPerRoom: 3 });
    const room = roomId('cap');
    const members = [];
    for (const id of ['p1', 'p2', 'p3']) members.push(await connectAndJoin(server, room, id));
    const late = await connect(server);
    expect(await join(late, room, 'p4')).toEqual({ ok: false, error: 'room-full' });
    // Other rooms are unaffected by one full room.
    const elsewhere = await connect(server);
    expect(await join(elsewhere, roomId('cap-other'), 'p4')).toEqual(joined([]));

    const left = nextEvent(members[0], 'peer-left');
    members[2].disconnect();
    await left;
    const ack = await join(late, room, 'p4');
    expect(ack.ok && [...ack.peers].sort()).toEqual(['p1', 'p2']);
    expect(server.stats().rejectedJoins['room-full']).toBe(1);
  });

  it('refuses a duplicate peer id in one room but allows it in another', async () => {
    const server = await startServer();
    await connectAndJoin(server, roomId('dup'), 'same');
    const twin = await connect(server);
    expect(await join(twin, roomId('dup'), 'same')).toEqual({ ok: false, error: 'duplicate-peer' });
    expect(await join(twin, roomId('dup-other'), 'same')).toEqual(joined([]));
    expect(server.stats().rejectedJoins['duplicate-peer']).toBe(1);
  });

  it('refuses a second join on the same socket', async () => {
    const server = await startServer();
    const a = await connectAndJoin(server, roomId('twice'), 'alice');
    expect(await join(a, roomId('twice'), 'alice2')).toEqual({ ok: false, error: 'already-joined' });
    expect(await join(a, roomId('twice-other'), 'alice')).toEqual({ ok: false, error: 'already-joined' });
    expect(server.stats()).toMatchObject({ peers: 1, rooms: 1 });
  });

  it('answers malformed joins with bad-request and keeps the socket usable', async () => {
    const server = await startServer();
    const client = await connect(server);
    const valid = roomId('malformed');
    const malformed: unknown[][] = [
      [],
      [null],
      ['just a string'],
      [42],
      [[valid, 'peer']],
      [{}],
      [{ room: valid }],
      [{ peerId: 'peer' }],
      [{ room: 123, peerId: 'peer' }],
      [{ room: valid, peerId: 7 }],
      [{ room: valid, peerId: { toString: 'x' } }],
      [{ room: 'short', peerId: 'peer' }],
      [{ room: '../../etc/passwd/xxxxxxxx', peerId: 'peer' }],
      [{ room: valid, peerId: '' }],
      [{ room: valid, peerId: 'has space' }],
      [{ room: valid, peerId: 'p'.repeat(65) }],
      // Names Object.prototype holds: peers key records by id.
      [{ room: valid, peerId: '__proto__' }],
      [{ room: valid, peerId: 'constructor' }],
      [{ room: valid, peerId: 'toString' }],
      [{ room: 'r'.repeat(129), peerId: 'peer' }],
      [{ room: 'r'.repeat(20_000), peerId: 'peer' }], // huge but under the payload limit
    ];
    for (const args of malformed) {
      expect(await rawEmitWithAck(client, 'join', ...args), JSON.stringify(args).slice(0, 80)).toEqual({
        ok: false,
        error: 'bad-request',
      });
    }
    expect(server.stats().rejectedJoins['bad-request']).toBe(malformed.length);

    // A string beyond the payload limit is refused before validation.
    expect(await rawEmitWithAck(client, 'join', { room: 'r'.repeat(100_000), peerId: 'peer' })).toEqual({
      ok: false,
      error: 'too-large',
    });
    // A join without an ack callback can never be answered: dropped and counted.
    rawEmit(client, 'join', { room: valid, peerId: 'no-ack' });
    await eventually(() => server.stats().dropped['bad-request'] === 1, 'ack-less join to be counted');

    expect(client.connected).toBe(true);
    expect(await join(client, valid, 'peer')).toEqual(joined([]));
    expect(server.stats()).toMatchObject({ peers: 1, joins: 1 });
  });

  it('serves /healthz with room and peer counts, and 404 elsewhere', async () => {
    const server = await startServer();
    const empty = await fetch(`${server.url}/healthz`);
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toBe('application/json');
    expect(await empty.json()).toEqual({ ok: true, rooms: 0, peers: 0 });

    await connectAndJoin(server, roomId('health-a'), 'alice');
    await connectAndJoin(server, roomId('health-a'), 'bob');
    await connectAndJoin(server, roomId('health-b'), 'carol');
    const busy = await fetch(`${server.url}/healthz?probe=1`);
    expect(await busy.json()).toEqual({ ok: true, rooms: 2, peers: 3 });

    for (const path of ['/', '/health', '/healthz/extra', '/favicon.ico']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      await response.body?.cancel();
    }
    const post = await fetch(`${server.url}/healthz`, { method: 'POST' });
    expect(post.status).toBe(404);
    await post.body?.cancel();
  });
});

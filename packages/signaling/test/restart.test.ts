// A single-process server going away and coming back: peers are never told that others left (their
// WebRTC links are still up), and the join answer says how young the server's directory is.
import { describe, expect, it } from 'vitest';
import { startSignalingServer } from '../src/index';
import { connect, connectAndJoin, join, joined, pause, roomId, startServer, waitForDisconnect, type Client } from './helpers';
import { CLOCK_SLACK_MS } from './uptime';

describe('server restarts (one process)', () => {
  it('close() tells no room that its peers left', async () => {
    const server = await startServer();
    const room = roomId('restart-quiet');
    const members: Client[] = [];
    for (const id of ['alice', 'bob', 'carol']) members.push(await connectAndJoin(server, room, id));
    members.push(await connectAndJoin(server, roomId('restart-quiet-other'), 'dave'));
    const heardLeft: string[] = [];
    for (const member of members) member.on('peer-left', (e) => heardLeft.push(e.peerId));
    const cuts = members.map((member) => waitForDisconnect(member));

    await server.close();
    // A peer-left would travel on the same connection ahead of its close, so every client has
    // seen everything the server sent it once its connection is closed.
    expect(await Promise.all(cuts)).toEqual(members.map(() => 'transport close'));
    expect(heardLeft).toEqual([]);
  });

  it('uptimeMs grows while the server runs and starts over in a fresh process', async () => {
    const firstStartedAt = Date.now();
    const first = await startServer();
    const room = roomId('restart-uptime');
    const a = await connect(first);
    const ackA = await join(a, room, 'alice');
    await pause(20); // lets the clock move; the assertions below do not depend on how far
    const b = await connect(first);
    const ackB = await join(b, room, 'bob');
    if (!ackA.ok || !ackB.ok) throw new Error('joins failed');
    expect(ackB.uptimeMs).toBeGreaterThan(ackA.uptimeMs);
    expect(ackB.uptimeMs).toBeLessThanOrEqual(Date.now() - firstStartedAt + CLOCK_SLACK_MS);
    await first.close();

    // A fresh process: its directory is empty and says so by its age, so the clients coming back
    // do not take the empty list for an empty room. The same ids are accepted again.
    const secondStartedAt = Date.now();
    const second = await startSignalingServer({ port: 0, redisUrl: null });
    try {
      const again = await connect(second);
      const ack = await join(again, room, 'alice');
      expect(ack).toEqual(joined([]));
      if (!ack.ok) throw new Error('rejoin failed');
      // Bounded by the second server's age; the first server's clock would be older by its whole
      // lifetime, which is more than the slack (it outlived the pause above).
      expect(ack.uptimeMs).toBeLessThanOrEqual(Date.now() - secondStartedAt + CLOCK_SLACK_MS);
      const bobAgain = await connect(second);
      expect(await join(bobAgain, room, 'bob')).toEqual(joined(['alice']));
    } finally {
      await second.close();
    }
  });
});

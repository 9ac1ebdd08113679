// Abuse: each kind is refused and the server keeps serving well-behaved clients.
import { describe, expect, it } from 'vitest';
import {
  connectAndJoin,
  eventually,
  nextEvent,
  pause,
  recordSignals,
  roomId,
  signal,
  startServer,
  waitForDisconnect,
  type Client,
} from './helpers';
import { RawSocketIoClient } from './raw-socketio-client';

describe('payload limits', () => {
  it('refuses an oversized signal and keeps relaying for the same and other clients', async () => {
    const server = await startServer(); // default limit: 64 KiB
    const room = roomId('big');
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');
    const carol = await connectAndJoin(server, room, 'carol');
    const atBob = recordSignals(bob);
    const atCarol = recordSignals(carol);

    expect(await signal(alice, 'bob', { sdp: 'x'.repeat(100_000) })).toEqual({ ok: false, error: 'too-large' });
    alice.emit('signal', { to: 'bob', data: { sdp: 'y'.repeat(100_000) } }); // no ack: silently dropped
    // Nested arrays deep enough to make a naive walker recurse without bound are refused too.
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(await signal(alice, 'bob', deep)).toEqual({ ok: false, error: 'too-large' });
    await eventually(() => server.stats().dropped['too-large'] === 3, 'three oversized drops');

    expect(alice.connected).toBe(true);
    // Signals from one sender to one target keep their order, so once this later one has arrived,
    // any oversized one the server had relayed would have arrived before it.
    const small = nextEvent(bob, 'signal', (d) => JSON.stringify(d.data) === '{"sdp":"small"}');
    expect(await signal(alice, 'bob', { sdp: 'small' })).toEqual({ ok: true });
    await small;
    expect(atBob).toEqual([{ from: 'alice', data: { sdp: 'small' } }]);
    // Other clients' signals go on too: carol to bob, and bob to carol.
    const fromCarol = nextEvent(bob, 'signal', (d) => d.from === 'carol');
    expect(await signal(carol, 'bob', { sdp: 'from carol' })).toEqual({ ok: true });
    await fromCarol;
    const toCarol = nextEvent(carol, 'signal', (d) => d.from === 'bob');
    expect(await signal(bob, 'carol', { sdp: 'from bob' })).toEqual({ ok: true });
    await toCarol;
    expect(atCarol).toEqual([{ from: 'bob', data: { sdp: 'from bob' } }]);
  });

  it('closes a connection that sends a frame beyond the transport cap; others are unaffected', async () => {
    const server = await startServer({ maxPayloadBytes: 4096 }); // transport cap: 8 KiB
    const room = roomId('huge-frame');
    const mallory = await connectAndJoin(server, room, 'mallory');
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');
    const atBob = recordSignals(bob);
    const bobSeesLeave = nextEvent(bob, 'peer-left', (e) => e.peerId === 'mallory');

    mallory.emit('signal', { to: 'bob', data: 'z'.repeat(50_000) });
    expect(await waitForDisconnect(mallory)).toBe('transport close');
    await bobSeesLeave;

    expect(await signal(alice, 'bob', { candidate: 'ok' })).toEqual({ ok: true });
    await eventually(() => atBob.length === 1, 'alice signal');
    expect(atBob).toEqual([{ from: 'alice', data: { candidate: 'ok' } }]);
  });
});

describe('rate limits', () => {
  it('drops events beyond the token bucket with a rate-limited ack, without disconnecting', async () => {
    // 1 event/s refill makes the outcome independent of how slowly a loaded box processes the burst.
    const server = await startServer({ maxMessagesPerSecond: 1, burstMessages: 5, abuseFactor: 1000 });
    const room = roomId('bucket');
    const alice = await connectAndJoin(server, room, 'alice'); // spends one token
    await connectAndJoin(server, room, 'bob');
    const acks = await Promise.all(Array.from({ length: 30 }, (_, i) => signal(alice, 'bob', i)));
    const accepted = acks.filter((a) => a.ok).length;
    const limited = acks.filter((a) => !a.ok && a.error === 'rate-limited').length;
    expect(accepted + limited).toBe(30);
    expect(accepted).toBeGreaterThanOrEqual(4);
    expect(accepted).toBeLessThan(20);
    expect(server.stats().dropped['rate-limited']).toBe(limited);
    expect(alice.connected).toBe(true);
    expect(server.stats().abusersDisconnected).toBe(0);
  });

  it('disconnects a flooding socket while a well-behaved client still gets its signals', async () => {
    const server = await startServer(); // 50/s, burst 100, abuse above 5x rate over 2 s
    const room = roomId('flood');
    const flooder = await connectAndJoin(server, room, 'flooder');
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');
    const atBob = recordSignals(bob);
    const bobSeesFlooderLeave = nextEvent(bob, 'peer-left', (e) => e.peerId === 'flooder');

    const flooderGone = waitForDisconnect(flooder);
    const flooding = flood(flooder, 'bob', 50_000);
    const aliceAcks = await Promise.all(Array.from({ length: 20 }, (_, i) => signal(alice, 'bob', { seq: i })));
    const sent = await flooding;

    expect(await flooderGone).toBe('io server disconnect');
    await bobSeesFlooderLeave;
    expect(aliceAcks.every((a) => a.ok)).toBe(true);
    await eventually(() => atBob.filter((d) => d.from === 'alice').length === 20, "alice's 20 signals");
    expect(atBob.filter((d) => d.from === 'alice').map((d) => d.data)).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ seq: i })),
    );
    const fromFlooder = atBob.filter((d) => d.from === 'flooder').length;
    expect(fromFlooder).toBeLessThan(sent);
    const stats = server.stats();
    expect(stats.abusersDisconnected).toBe(1);
    expect(stats.dropped['rate-limited']).toBeGreaterThan(0);
    expect(stats.relayed).toBe(fromFlooder + 20);
    expect(stats).toMatchObject({ peers: 2, connections: 2 });
  });

  it('disconnects a socket flooding acknowledgements, which no event middleware sees', async () => {
    const server = await startServer(); // abuse above 5x 50/s over 2 s
    const room = roomId('ack-flood');
    const bob = await connectAndJoin(server, room, 'bob');
    const flooder = await RawSocketIoClient.connect(server.url);
    const closed = flooder.whenClosed();
    let sent = 0;
    while (!flooder.closed && sent < 50_000) {
      // Acknowledgements of requests the server never made, each with a little payload.
      for (let i = 0; i < 200; i++) flooder.sendText(`43${sent++}["${'x'.repeat(100)}"]`);
      await pause(5);
    }
    await closed;
    expect(sent).toBeLessThan(50_000);
    expect(server.stats().abusersDisconnected).toBe(1);
    // The well-behaved client is still served.
    expect(await signal(bob, 'nobody', { hi: 1 })).toEqual({ ok: false, error: 'unknown-peer' });
    expect(bob.connected).toBe(true);
  });
});

/** Sends signals in batches until the server cuts the socket off (or `max` is reached). */
async function flood(client: Client, to: string, max: number): Promise<number> {
  let sent = 0;
  while (client.connected && sent < max) {
    for (let i = 0; i < 200; i++) client.emit('signal', { to, data: { junk: sent++ } });
    await pause(5);
  }
  return sent;
}

describe('ghost eviction', () => {
  it("evicts a peer that stops sending 'alive' and tells the room", async () => {
    const server = await startServer({ ghostTimeoutMs: 2000 });
    const room = roomId('ghost');
    const alice = await connectAndJoin(server, room, 'alice');
    const keepAlive = setInterval(() => alice.emit('alive'), 150);
    try {
      const ghost = await connectAndJoin(server, room, 'ghost'); // never sends 'alive'
      const ghostLeft = nextEvent(alice, 'peer-left', (e) => e.peerId === 'ghost');
      expect(await waitForDisconnect(ghost)).toBe('io server disconnect');
      await ghostLeft;
      const stats = server.stats();
      expect(stats.ghostsEvicted).toBe(1);
      expect(stats).toMatchObject({ peers: 1, connections: 1 });
      // Alice must survive the sweep, not just the moment: wait until the sweep has run (one read
      // probe per run) for longer than a whole ghost timeout since the eviction, then check.
      const sweepsPerTimeout = 2000 / 500; // the sweep runs every ghostTimeoutMs / 4
      const probesAtEviction = stats.readProbes.sent;
      await eventually(() => server.stats().readProbes.sent >= probesAtEviction + sweepsPerTimeout + 1, 'sweeps');
      expect(alice.connected).toBe(true);
      expect(server.stats()).toMatchObject({ ghostsEvicted: 1, slowReadersDropped: { 'probe-unanswered': 0 } });

      // The room keeps working for the live peer.
      const bob = await connectAndJoin(server, room, 'bob');
      bob.emit('alive');
      const atBob = recordSignals(bob);
      expect(await signal(alice, 'bob', 'hello')).toEqual({ ok: true });
      await eventually(() => atBob.length === 1, 'signal after eviction');
    } finally {
      clearInterval(keepAlive);
    }
  });
});

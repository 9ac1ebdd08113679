// Clients that do not read what the server sends them. They answer engine.io pings and send
// 'alive' blindly (as a hostile client can), so only the server's output accounting and its read
// probes can tell them apart from healthy clients.
import { describe, expect, it } from 'vitest';
import { connectAndJoin, eventually, nextEvent, roomId, signal, startServer } from './helpers';
import { RawSocketIoClient } from './raw-socketio-client';

describe('slow readers', () => {
  it('drops a non-reader once its queued output passes the cap; memory stays bounded', async () => {
    const payloadBytes = 60 * 1024;
    const capBytes = 256 * 1024;
    const server = await startServer({
      maxPayloadBytes: payloadBytes,
      maxOutboundBufferBytes: capBytes,
      // The flood below is the point of this test: rate limits and liveness stay out of the way.
      maxMessagesPerSecond: 10_000,
      burstMessages: 10_000,
      abuseFactor: 100,
      ghostTimeoutMs: 600_000,
    });
    const room = roomId('slow-reader-cap');
    const reader = await RawSocketIoClient.connect(server.url);
    expect(await reader.emitWithAck('join', { room, peerId: 'reader' })).toMatchObject({ ok: true });
    reader.stopReading();
    reader.startBlindHeartbeat(100);
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');
    const readerLeft = nextEvent(bob, 'peer-left', (e) => e.peerId === 'reader');

    // The kernel's socket buffers absorb the first few MB; after that the server holds the rest.
    const data = 'x'.repeat(payloadBytes - 200);
    let sent = 0;
    while (server.stats().slowReadersDropped['buffer-full'] === 0 && sent < 2000) {
      const acks = await Promise.all(Array.from({ length: 20 }, () => signal(alice, 'reader', data)));
      sent += acks.length;
    }
    await readerLeft;

    const stats = server.stats();
    expect(stats.slowReadersDropped).toEqual({ 'buffer-full': 1, 'probe-unanswered': 0 });
    // Measured at every outbound packet: never more than the cap plus the one packet that crossed it.
    expect(stats.outboundHighWaterBytes).toBeGreaterThan(capBytes);
    expect(stats.outboundHighWaterBytes).toBeLessThanOrEqual(capBytes + payloadBytes + 1024);
    expect(stats).toMatchObject({ peers: 2, connections: 2, ghostsEvicted: 0 });

    // The well-behaved pair keeps working, and the dropped reader is gone from the room.
    expect(await signal(alice, 'reader', 'late')).toEqual({ ok: false, error: 'unknown-peer' });
    const atBob = nextEvent(bob, 'signal', (d) => d.from === 'alice');
    expect(await signal(alice, 'bob', 'still here')).toEqual({ ok: true });
    expect(await atBob).toEqual({ from: 'alice', data: 'still here' });
    reader.close();
  });

  it("drops a non-reader that sends 'alive' and engine.io pongs, by its unanswered read probes", async () => {
    const ghostTimeoutMs = 1500; // the sweep, and so a read probe, every 375 ms
    const server = await startServer({ ghostTimeoutMs });
    const room = roomId('slow-reader-probe');
    const reader = await RawSocketIoClient.connect(server.url);
    expect(await reader.emitWithAck('join', { room, peerId: 'reader' })).toMatchObject({ ok: true });
    reader.stopReading();
    reader.startBlindHeartbeat(100);
    const honest = await connectAndJoin(server, room, 'honest');
    const keepAlive = setInterval(() => honest.emit('alive'), 100);
    try {
      const readerLeft = nextEvent(honest, 'peer-left', (e) => e.peerId === 'reader');
      await eventually(() => server.stats().slowReadersDropped['probe-unanswered'] === 1, 'the non-reader to be dropped');
      await readerLeft;
      // It was sending 'alive' all along: the old liveness rule would have kept it.
      expect(server.stats().ghostsEvicted).toBe(0);

      // The honest client survives: it answers more probes than fit in one ghost timeout.
      const answered = server.stats().readProbes.answered;
      await eventually(() => server.stats().readProbes.answered >= answered + ghostTimeoutMs / 375 + 1, 'probe answers');
      expect(honest.connected).toBe(true);
      expect(server.stats()).toMatchObject({
        slowReadersDropped: { 'probe-unanswered': 1, 'buffer-full': 0 },
        ghostsEvicted: 0,
        peers: 1,
      });
    } finally {
      clearInterval(keepAlive);
      reader.close();
    }
  });
});

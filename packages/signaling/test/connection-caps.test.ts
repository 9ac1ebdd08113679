// Per-address and global connection caps: extra connections are refused at the handshake with a
// readable error, while the connections already admitted keep working.
import { describe, expect, it } from 'vitest';
import { CONNECTION_LIMIT_ERROR } from '../src/protocol';
import { connect, connectAndJoin, connectRefused, eventually, nextEvent, roomId, signal, startServer } from './helpers';
import { RawSocketIoClient } from './raw-socketio-client';

describe('connection caps', () => {
  it('refuses connections beyond the per-address cap; the admitted pair keeps working', async () => {
    const server = await startServer({ maxConnectionsPerIp: 2 });
    const room = roomId('cap-per-ip');
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');

    for (let i = 0; i < 3; i++) {
      expect(await connectRefused(server)).toEqual({ message: CONNECTION_LIMIT_ERROR, data: { limit: 'per-ip', max: 2 } });
    }
    expect(server.stats().refusedConnections).toEqual({ 'per-ip': 3, global: 0 });

    const atBob = nextEvent(bob, 'signal', (d) => d.from === 'alice');
    expect(await signal(alice, 'bob', 'hello')).toEqual({ ok: true });
    expect(await atBob).toEqual({ from: 'alice', data: 'hello' });
    expect(server.stats()).toMatchObject({ connections: 2, peers: 2 });

    // A closed connection frees its slot.
    const bobGone = nextEvent(alice, 'peer-left', (e) => e.peerId === 'bob');
    bob.disconnect();
    await bobGone;
    await connectAndJoin(server, room, 'carol');
  });

  it('refuses connections beyond the global cap', async () => {
    const server = await startServer({ maxConnections: 2, maxConnectionsPerIp: 10 });
    const room = roomId('cap-global');
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');
    expect(await connectRefused(server)).toEqual({ message: CONNECTION_LIMIT_ERROR, data: { limit: 'global', max: 2 } });
    expect(server.stats().refusedConnections).toEqual({ 'per-ip': 0, global: 1 });

    const atAlice = nextEvent(alice, 'signal', (d) => d.from === 'bob');
    expect(await signal(bob, 'alice', 'still fine')).toEqual({ ok: true });
    expect(await atAlice).toEqual({ from: 'bob', data: 'still fine' });
  });

  it('counts clients behind a trusted proxy by X-Forwarded-For, IPv6 per /64', async () => {
    const server = await startServer({ maxConnectionsPerIp: 1, trustProxy: true });
    const from = (address: string) => ({ headers: { 'x-forwarded-for': `198.51.100.1, ${address}` } });

    await connect(server, from('203.0.113.7'));
    expect(await connectRefused(server, from('203.0.113.7'))).toMatchObject({ data: { limit: 'per-ip' } });
    await connect(server, from('203.0.113.8'));
    await connect(server, from('2001:db8:0:1::1'));
    expect(await connectRefused(server, from('2001:db8:0:1:ffff::2'))).toMatchObject({ data: { limit: 'per-ip' } });
    await connect(server, from('2001:db8:0:2::1'));
    expect(server.stats().refusedConnections['per-ip']).toBe(2);
  });

  it('closes a refused connection itself and releases its slot', async () => {
    const server = await startServer({ maxConnectionsPerIp: 1, pingIntervalMs: 1000 });
    const first = await connect(server);
    // A raw client that keeps a refused connection open for as long as the server lets it (left
    // alone, socket.io would close it after its 45 s connect timeout).
    const refused = await RawSocketIoClient.open(server.url);
    const answer = await refused.connectNamespace();
    expect(answer.startsWith('44')).toBe(true);
    expect(JSON.parse(answer.slice(2))).toEqual({ message: CONNECTION_LIMIT_ERROR, data: { limit: 'per-ip', max: 1 } });
    await refused.whenClosed();
    expect(refused.enginePings).toBeLessThan(5); // closed at once, not after dozens of ping rounds

    // Were the refused connection still counted, this newcomer would be over the cap.
    first.disconnect();
    await eventually(() => server.stats().connections === 0, 'the first client to be gone');
    await connect(server);
    expect(server.stats().refusedConnections['per-ip']).toBe(1);
  });
});

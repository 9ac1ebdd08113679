// One engine connection carries one socket. socket.io registers a namespace socket only after its
// asynchronous middleware chain, so CONNECT packets read in one chunk would each open a socket on
// the same connection: past both connection caps, and each with its own listeners on the shared
// connection (a few thousand of them stalled the event loop for seconds and got honest clients cut).
import { describe, expect, it } from 'vitest';
import { connectAndJoin, eventually, pause, roomId, signal, startServer, signalUntilDelivered } from './helpers';
import { RawSocketIoClient } from './raw-socketio-client';

const BURST = 300;

describe('several CONNECT packets on one connection', () => {
  it('open one socket at most; the connection is closed, and honest clients keep relaying', async () => {
    const server = await startServer({ maxConnectionsPerIp: 3 });
    const room = roomId('one-socket');
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');
    const raw = await RawSocketIoClient.open(server.url);
    raw.sendTextsAtOnce(Array.from({ length: BURST }, () => '40'));
    await eventually(() => raw.closed, 'the server closing the connection');
    await pause(200);
    // alice, bob, and at most the one socket the first CONNECT opened (closed by now).
    expect(server.stats().connections).toBe(2);
    expect(await signal(alice, 'bob', 'still here')).toEqual({ ok: true });
    await signalUntilDelivered(alice, bob, 'bob', 10_000);
    await server.close();
  }, 60_000);
});

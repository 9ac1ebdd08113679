// A signaling server at its connection cap refuses new sockets ('too-many-connections'), and
// socket.io does not retry a refusal by itself: the client must, with backoff, so that a tab
// refused during a busy moment joins once a slot frees up.
import { afterEach, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import { SignalingClient } from '../src/signaling-client';

const room = 'refusal-room-0123456789';

function client(url: string, peerId: string, joined: (peers: string[]) => void, errors: Error[]): SignalingClient {
  return new SignalingClient(
    { url, room, peerId, backoff: { minMs: 50, maxMs: 200 }, aliveIntervalMs: 1000, joinTimeoutMs: 1000 },
    {
      joined: ({ peers }) => joined(peers),
      lost: () => {},
      peerJoined: () => {},
      peerLeft: () => {},
      signal: () => {},
      badMessage: () => {},
      reflected: () => {},
      error: (error) => errors.push(error),
    },
  );
}

describe('signaling client: a refused connection', () => {
  let server: SignalingServer | null = null;
  const clients: SignalingClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close();
    server = null;
  });

  it('is retried while the server is full and joins once it has room again', async () => {
    server = await startSignalingServer({ port: 0, maxConnections: 1 });
    const url = `http://127.0.0.1:${server.port}`;
    const firstErrors: Error[] = [];
    let firstJoined = false;
    const first = client(url, 'first', () => (firstJoined = true), firstErrors);
    clients.push(first);
    await expect.poll(() => firstJoined).toBe(true);

    const errors: Error[] = [];
    let joinedWith: string[] | null = null;
    const second = client(url, 'second', (peers) => (joinedWith = peers), errors);
    clients.push(second);
    // Refused at least twice: the client keeps trying while the cap is reached.
    await expect.poll(() => errors.filter((e) => /too-many-connections/.test(e.message)).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(joinedWith).toBeNull();

    first.close();
    await expect.poll(() => joinedWith, { timeout: 10_000 }).toEqual([]);
    expect(firstErrors).toEqual([]);
  });
});

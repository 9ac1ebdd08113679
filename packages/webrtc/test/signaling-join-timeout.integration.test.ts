// A join the server registered but acked too late (a slow link, a slow presence lookup) looks like a
// timeout to the client, while the server holds that socket as joined and refuses any further join on
// it ('already-joined'). The client must start over on a new connection, not stay unjoined for ever
// while the server and the other peers take it for present.
import { afterEach, describe, expect, it } from 'vitest';
import { io as realIo, type Socket } from 'socket.io-client';
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import { SignalingClient } from '../src/signaling-client';
import type { IoFunction } from '../src/types';

const room = 'join-timeout-room-0123456789';

type Emit = (event: string, ...args: unknown[]) => unknown;

/**
 * socket.io-client's io(), except that the first 'join' sent through socket.timeout(ms).emit(...)
 * reaches the server (with an ack, so it is handled) but its callback gets a timeout error after ms,
 * the server's real answer ignored. Later joins go through untouched.
 */
function lateFirstJoinAck(): { io: IoFunction; lateJoins: () => number } {
  let lateJoins = 0;
  const io: IoFunction = (url, options) => {
    const socket: Socket = realIo(url, options);
    const timeout = socket.timeout.bind(socket);
    socket.timeout = ((ms: number) => {
      const real = timeout(ms) as unknown as { emit: Emit };
      const emit: Emit = (event, ...args) => {
        if (event !== 'join' || lateJoins > 0) return real.emit(event, ...args);
        lateJoins += 1;
        const callback = args.pop() as (error: Error | null, ack?: unknown) => void;
        (socket.emit as Emit)('join', ...args, () => {});
        setTimeout(() => callback(new Error('operation has timed out')), ms);
        return real;
      };
      return { emit };
    }) as unknown as Socket['timeout'];
    return socket;
  };
  return { io, lateJoins: () => lateJoins };
}

interface Probe {
  client: SignalingClient;
  joins: string[][];
  present: Set<string>;
  signals: unknown[];
  errors: Error[];
  lost: number;
}

function probe(url: string, peerId: string, io?: IoFunction): Probe {
  const p = { joins: [], present: new Set(), signals: [], errors: [], lost: 0 } as unknown as Probe;
  p.client = new SignalingClient(
    { url, room, peerId, io, backoff: { minMs: 50, maxMs: 200 }, aliveIntervalMs: 1000, joinTimeoutMs: 300 },
    {
      joined: ({ peers }) => {
        p.joins.push(peers);
        p.present = new Set(peers);
      },
      lost: () => (p.lost += 1),
      peerJoined: (id) => p.present.add(id),
      peerLeft: (id) => p.present.delete(id),
      signal: (_from, data) => p.signals.push(data),
      badMessage: () => {},
      reflected: () => {},
      error: (error) => p.errors.push(error),
    },
  );
  return p;
}

describe('signaling client: a join acked after its timeout', () => {
  let server: SignalingServer | null = null;
  const clients: SignalingClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close();
    server = null;
  });

  it('joins again on a new connection and is present for the others', async () => {
    server = await startSignalingServer({ port: 0 });
    const url = `http://127.0.0.1:${server.port}`;
    const observer = probe(url, 'observer');
    clients.push(observer.client);
    await expect.poll(() => observer.joins.length).toBe(1);

    const wrapped = lateFirstJoinAck();
    const late = probe(url, 'late', wrapped.io);
    clients.push(late.client);

    await expect.poll(() => late.joins.length, { timeout: 3000 }).toBe(1);
    expect(wrapped.lateJoins()).toBe(1);
    expect(late.client.isJoined).toBe(true);
    expect(late.joins[0]).toEqual(['observer']);
    expect(late.errors.map((e) => e.message)).toEqual(['signaling join timed out']);
    expect(late.lost).toBe(0); // it never counted itself joined on the first socket

    // The observer sees it present, and a signal to it arrives (the client no longer drops them).
    await expect.poll(() => observer.present.has('late')).toBe(true);
    await expect
      .poll(
        () => {
          observer.client.sendSignal('late', { hello: 1 });
          return late.signals.length > 0;
        },
        { timeout: 3000 },
      )
      .toBe(true);
    expect(late.signals[0]).toEqual({ hello: 1 });
    expect(observer.errors).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  connect,
  connectAndJoin,
  eventually,
  nextEvent,
  rawEmitWithAck,
  recordSignals,
  roomId,
  signal,
  startServer,
} from './helpers';

describe('signal relay', () => {
  it('relays offers, answers and candidates between two peers of a room, in order', async () => {
    const server = await startServer();
    const room = roomId('relay');
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');
    const atBob = recordSignals(bob);
    const atAlice = recordSignals(alice);

    const offer = { type: 'offer', sdp: 'v=0 offer' };
    expect(await signal(alice, 'bob', offer)).toEqual({ ok: true });
    const candidates = Array.from({ length: 10 }, (_, i) => ({ candidate: `candidate:${i}`, sdpMLineIndex: 0 }));
    for (const candidate of candidates) alice.emit('signal', { to: 'bob', data: { candidate } });
    expect(await signal(bob, 'alice', { type: 'answer', sdp: 'v=0 answer' })).toEqual({ ok: true });

    await eventually(() => atBob.length === 11 && atAlice.length === 1, 'all signals to arrive');
    expect(atBob[0]).toEqual({ from: 'alice', data: offer });
    expect(atBob.slice(1).map((d) => d.data)).toEqual(candidates.map((candidate) => ({ candidate })));
    expect(atAlice).toEqual([{ from: 'bob', data: { type: 'answer', sdp: 'v=0 answer' } }]);
    expect(server.stats().relayed).toBe(12);
  });

  it('never delivers a signal to a peer of another room, even one with the same peer id', async () => {
    const server = await startServer();
    const alice = await connectAndJoin(server, roomId('iso-1'), 'alice');
    const bob = await connectAndJoin(server, roomId('iso-1'), 'bob');
    const carol = await connectAndJoin(server, roomId('iso-2'), 'carol');
    const bobElsewhere = await connectAndJoin(server, roomId('iso-2'), 'bob');
    const atCarol = recordSignals(carol);
    const atBobElsewhere = recordSignals(bobElsewhere);
    const atBob = recordSignals(bob);

    expect(await signal(alice, 'carol', { sdp: 'steal' })).toEqual({ ok: false, error: 'unknown-peer' });
    expect(await signal(alice, 'bob', { sdp: 'mine' })).toEqual({ ok: true });
    await eventually(() => atBob.length === 1, 'bob in iso-1 to get the signal');
    // Markers sent inside iso-2 after alice's signals were acked: anything the server had wrongly
    // queued for carol or the other bob would reach them before these.
    const carolMarker = nextEvent(carol, 'signal', (d) => d.from === 'bob');
    const bobElsewhereMarker = nextEvent(bobElsewhere, 'signal', (d) => d.from === 'carol');
    expect(await signal(bobElsewhere, 'carol', 'marker')).toEqual({ ok: true });
    expect(await signal(carol, 'bob', 'marker')).toEqual({ ok: true });
    await Promise.all([carolMarker, bobElsewhereMarker]);
    expect(atCarol).toEqual([{ from: 'bob', data: 'marker' }]);
    expect(atBobElsewhere).toEqual([{ from: 'carol', data: 'marker' }]);
    expect(atBob).toEqual([{ from: 'alice', data: { sdp: 'mine' } }]);
    expect(server.stats().dropped['unknown-peer']).toBe(1);
  });

  it('drops signals to unknown peers, from sockets that have not joined, and malformed ones', async () => {
    const server = await startServer();
    const room = roomId('bad-signal');
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');
    const atBob = recordSignals(bob);
    const stranger = await connect(server);

    expect(await signal(alice, 'nobody', {})).toEqual({ ok: false, error: 'unknown-peer' });
    expect(await signal(stranger, 'bob', { sdp: 'x' })).toEqual({ ok: false, error: 'not-joined' });
    const malformed: unknown[][] = [[], [null], ['bob'], [{ to: 'bob' }], [{ to: 42, data: 1 }], [{ to: '', data: 1 }], [{ to: 'alice', data: 1 }]];
    for (const args of malformed) {
      expect(await rawEmitWithAck(alice, 'signal', ...args), JSON.stringify(args)).toEqual({
        ok: false,
        error: 'bad-request',
      });
    }
    // Unacknowledged bad input is dropped too, without an answer.
    alice.emit('signal', { to: 'nobody', data: 1 });
    await eventually(() => server.stats().dropped['unknown-peer'] === 2, 'ack-less drop to be counted');

    expect(await signal(alice, 'bob', 'still works')).toEqual({ ok: true });
    await eventually(() => atBob.length === 1, 'the valid signal');
    expect(atBob).toEqual([{ from: 'alice', data: 'still works' }]);
    expect(server.stats()).toMatchObject({
      relayed: 1,
      dropped: { 'unknown-peer': 2, 'not-joined': 1, 'bad-request': malformed.length },
    });
  });

  it('stops relaying to a peer that left', async () => {
    const server = await startServer();
    const room = roomId('left');
    const alice = await connectAndJoin(server, room, 'alice');
    const bob = await connectAndJoin(server, room, 'bob');
    const left = nextEvent(alice, 'peer-left');
    bob.disconnect();
    await left;
    expect(await signal(alice, 'bob', { sdp: 'late' })).toEqual({ ok: false, error: 'unknown-peer' });
  });
});

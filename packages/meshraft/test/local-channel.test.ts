import { describe, expect, it } from 'vitest';
import { admitLocalFrame, localChannelNames, parseAnnouncement } from '../src/runtime/local-channel';
import { LocalRoute } from '../src/runtime/local-route';
import { LocalInbox } from '../src/runtime/local-inbox';
import { MemoryBroadcast } from './support/memory-broadcast';
import { FrameRelay } from '../src/runtime/frame-relay';
import type { Message } from '@meshraft/core';

const frame = (from: string, to: string, bytes = new Uint8Array([1, 2, 3]).buffer) => ({ kind: 'frame', from, to, bytes });

describe('admitLocalFrame', () => {
  const linked = (id: string) => id === 'a';

  it('accepts a frame from a linked peer addressed to this identity', () => {
    const admission = admitLocalFrame(frame('a', 'me'), 'me', linked);
    expect(admission).toEqual({ ok: true, from: 'a', bytes: new Uint8Array([1, 2, 3]) });
  });

  it('drops a frame from a peer without an authenticated link', () => {
    expect(admitLocalFrame(frame('b', 'me'), 'me', linked)).toEqual({ ok: false, reason: 'unauthenticated' });
  });

  it('drops a frame for someone else, or one claiming to come from this identity', () => {
    expect(admitLocalFrame(frame('a', 'other'), 'me', linked)).toEqual({ ok: false, reason: 'misaddressed' });
    expect(admitLocalFrame(frame('me', 'me'), 'me', (id) => id === 'me')).toEqual({ ok: false, reason: 'misaddressed' });
  });

  it('drops anything without the frame shape, never throwing', () => {
    const bad: unknown[] = [
      undefined, null, 42, 'frame', [], {},
      { ...frame('a', 'me'), kind: 'hello' },
      { ...frame('a', 'me'), bytes: new Uint8Array([1]) },
      { ...frame('a', 'me'), bytes: 'xyz' },
      { ...frame('a', 'me'), from: 'no spaces allowed' },
      { ...frame('a', 'me'), from: 'x'.repeat(65) },
      { ...frame('a', 'me'), from: '__proto__' },
      { ...frame('a', 'me'), from: 'constructor' },
      { ...frame('a', 'me'), to: 7 },
    ];
    for (const data of bad) expect(admitLocalFrame(data, 'me', linked)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('drops a frame over the size cap', () => {
    expect(admitLocalFrame(frame('a', 'me', new ArrayBuffer(11)), 'me', linked, 10)).toEqual({ ok: false, reason: 'tooLarge' });
    expect(admitLocalFrame(frame('a', 'me', new ArrayBuffer(10)), 'me', linked, 10).ok).toBe(true);
  });
});

describe('parseAnnouncement', () => {
  it('reads hello and bye, ignores anything else', () => {
    expect(parseAnnouncement({ kind: 'hello', id: 'a', reply: true })).toEqual({ kind: 'hello', id: 'a', reply: true });
    expect(parseAnnouncement({ kind: 'bye', id: 'a' })).toEqual({ kind: 'bye', id: 'a' });
    for (const data of [null, {}, { kind: 'hello', id: 'a' }, { kind: 'hello', id: '', reply: false }, { kind: 'frame', id: 'a' }, { kind: 'bye', id: 3 }]) {
      expect(parseAnnouncement(data)).toBeNull();
    }
  });
});

describe('LocalRoute and LocalInbox', () => {
  const names = localChannelNames('secret');

  /** One tab: its main thread's route and its engine's inbox, both told about the same links. */
  function tab(bus: MemoryBroadcast, self: string, linkedTo: string[]) {
    const links = new Set(linkedTo);
    const inbox: unknown[] = [];
    const receiver = new LocalInbox({ secret: 'secret', open: bus.open, receive: (data, linked) => inbox.push(linked((data as { from: string }).from) ? data : 'unlinked') });
    for (const id of links) receiver.peerUp(id);
    receiver.listenAs(self);
    const route = new LocalRoute({ self, secret: 'secret', open: bus.open, linked: (id) => links.has(id) });
    const linkDown = (id: string) => {
      links.delete(id);
      receiver.peerDown(id);
    };
    const linkUp = (id: string) => {
      links.add(id);
      receiver.peerUp(id);
    };
    return { route, receiver, inbox, linkDown, linkUp };
  }

  it('sends to a peer only once it announced itself and while the mesh links it', () => {
    const bus = new MemoryBroadcast();
    const a = tab(bus, 'a', ['b']);
    const b = tab(bus, 'b', ['a']);
    const bytes = new Uint8Array([9]);
    // Nobody announced yet: the data channel it is.
    expect(a.route.send('b', bytes)).toBe(false);
    a.route.start();
    bus.flush();
    // b heard a, but a has not heard b: b's engine was not listening yet when a asked.
    expect(b.route.send('a', bytes)).toBe(true);
    expect(a.route.send('b', bytes)).toBe(false);
    b.route.start();
    bus.flush();
    expect(a.route.send('b', bytes)).toBe(true);
    expect(a.route.reachable()).toEqual(['b']);
    bus.flush();
    expect(b.inbox).toEqual([{ kind: 'frame', from: 'a', to: 'b', bytes: new Uint8Array([9]).buffer }]);
    expect(a.inbox).toHaveLength(1);

    // The link goes down: nothing more over the channel, until it is back.
    a.linkDown('b');
    b.linkDown('a');
    expect(a.route.send('b', bytes)).toBe(false);
    expect(a.route.reachable()).toEqual([]);
    expect(b.receiver.listening()).toEqual([]);
    a.linkUp('b');
    b.linkUp('a');
    expect(a.route.send('b', bytes)).toBe(true);
    bus.flush();
    expect(b.inbox).toHaveLength(2);
  });

  it('a tab that starts later learns the tabs already there from their replies', () => {
    const bus = new MemoryBroadcast();
    const a = tab(bus, 'a', ['b', 'c']);
    const b = tab(bus, 'b', ['a', 'c']);
    a.route.start();
    b.route.start();
    bus.flush();
    const c = tab(bus, 'c', ['a', 'b']);
    c.route.start();
    bus.flush();
    expect(c.route.reachable()).toEqual(['a', 'b']);
    expect(a.route.reachable()).toEqual(['b', 'c']);
    // Each start asks once and every tab already listening answers once; answers are not answered.
    const hellos = bus.posted.filter((p) => (p.message as { kind: string }).kind === 'hello');
    expect(hellos).toHaveLength(2 + 2 + 3);
  });

  it('a closed route says bye: the others stop sending to that identity and close their channel to it', () => {
    const bus = new MemoryBroadcast();
    const a = tab(bus, 'a', ['b']);
    const b = tab(bus, 'b', ['a']);
    a.route.start();
    b.route.start();
    bus.flush();
    expect(a.route.send('b', new Uint8Array([1]))).toBe(true);
    b.route.close();
    bus.flush();
    expect(a.route.send('b', new Uint8Array([1]))).toBe(false);
    expect(b.route.send('a', new Uint8Array([1]))).toBe(false);
    // Left open: a's announce channel and the two engines' receiving ends (the mesh links are up).
    expect(bus.openNames()).toEqual([names.announce, names.link('a', 'b'), names.link('b', 'a')].sort());
  });

  it('a frame counts as coming from the peer its channel is for, only while that link is up; other channels are not listened to', () => {
    const bus = new MemoryBroadcast();
    const b = tab(bus, 'b', ['a']);
    expect(b.receiver.listening()).toEqual(['a']);
    const forgers = [bus.open(names.link('a', 'b')), bus.open(names.link('c', 'b'))];
    for (const forger of forgers) forger.postMessage({ kind: 'frame', from: 'c', to: 'b', bytes: new ArrayBuffer(1) });
    bus.flush();
    expect(b.inbox).toEqual(['unlinked']);
    for (const forger of forgers) forger.close();
    // A reset: listening as another identity closes the old channels and opens the new ones.
    b.receiver.listenAs('b2');
    expect(bus.openNames()).toContain(names.link('a', 'b2'));
    expect(bus.openNames()).not.toContain(names.link('a', 'b'));
    b.receiver.listenAs(null);
    expect(b.receiver.listening()).toEqual([]);
  });

  it('ignores announcements that are malformed or carry its own id', () => {
    const bus = new MemoryBroadcast();
    const a = tab(bus, 'a', ['b']);
    a.route.start();
    const forger = bus.open(names.announce);
    forger.postMessage({ kind: 'hello', id: 'a', reply: false });
    forger.postMessage({ kind: 'hello', id: 'b' });
    forger.postMessage('garbage');
    bus.flush();
    expect(a.route.reachable()).toEqual([]);
  });
});

describe('FrameRelay.inboundLocal', () => {
  const encode = (m: Message) => new TextEncoder().encode(JSON.stringify(m));
  const heartbeat: Message = { type: 'Heartbeat', term: 2, commit: 5, round: 1 };

  it('counts admitted frames per sender and drops by reason, decoding like any frame', () => {
    const delivered: string[] = [];
    const relay = new FrameRelay({
      decode: (bytes) => {
        try {
          return { ok: true, message: JSON.parse(new TextDecoder().decode(bytes)) as Message };
        } catch {
          return { ok: false, reason: 'bad-cbor' };
        }
      },
      encode,
      deliver: (from) => delivered.push(from),
      transmit: () => {},
    });
    const linked = (id: string) => id === 'a';
    relay.inboundLocal(frame('a', 'me', encode(heartbeat).slice().buffer), 'me', linked);
    relay.inboundLocal(frame('a', 'me', new Uint8Array([0xff]).buffer), 'me', linked);
    relay.inboundLocal(frame('b', 'me', encode(heartbeat).slice().buffer), 'me', linked);
    relay.inboundLocal(frame('a', 'you', encode(heartbeat).slice().buffer), 'me', linked);
    relay.inboundLocal('junk', 'me', linked);
    expect(delivered).toEqual(['a']);
    const stats = relay.stats();
    expect(stats.local).toEqual({ framesIn: 2, bytesIn: encode(heartbeat).byteLength + 1, receivedFrom: { a: 2 }, dropped: { malformed: 1, misaddressed: 1, unauthenticated: 1, tooLarge: 0 }, listening: [] });
    // The undecodable one is counted with the data channel's decode failures.
    expect(stats.dropped).toEqual({ 'bad-cbor': 1 });
    expect(stats.acceptedFrom).toEqual({ a: 1 });
  });
});

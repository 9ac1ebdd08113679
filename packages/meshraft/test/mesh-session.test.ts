import { describe, expect, it } from 'vitest';
import { LocalInbox } from '../src/runtime/local-inbox';
import { MeshSession } from '../src/runtime/mesh-session';
import { RouteCounters } from '../src/runtime/route-stats';
import { MemoryBroadcast } from './support/memory-broadcast';
import { MemoryMeshHub } from './support/memory-mesh';

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function session(hub: MemoryMeshHub, bus: MemoryBroadcast, id: string, local: boolean) {
  const counters = new RouteCounters();
  const meshFrames: string[] = [];
  const localFrames: unknown[] = [];
  // The engine Worker's end: it hears of links from the session, like the Worker from its main thread.
  const inbox = new LocalInbox({ secret: 'secret', open: bus.open, receive: (data, linked) => linked((data as { from: string }).from) && localFrames.push(data) });
  inbox.listenAs(id);
  const s = new MeshSession(id, hub.open(id), { counters, local: local ? { secret: 'secret', open: bus.open } : null }, {
    peerUp: (peer) => inbox.peerUp(peer),
    peerDown: (peer) => inbox.peerDown(peer),
    peerGone: () => {},
    raftFrame: (from) => meshFrames.push(from),
    gossipFrame: () => {},
  });
  return { s, counters, meshFrames, localFrames };
}

/** Two linked sessions, `a` with or without the channel, `b` with it. */
async function pair(aLocal = true) {
  const hub = new MemoryMeshHub();
  const bus = new MemoryBroadcast();
  const a = session(hub, bus, 'a', aLocal);
  const b = session(hub, bus, 'b', true);
  await settle();
  return { hub, bus, a, b };
}

/** The engines listen: their routes announce it. */
function startRoutes(bus: MemoryBroadcast, ...sessions: Array<ReturnType<typeof session>>): void {
  for (const { s } of sessions) s.local?.start();
  bus.flush();
}

describe('MeshSession routing', () => {
  it('sends over the same-browser channel to a linked peer that announced itself, else over the mesh, and counts both', async () => {
    const { hub, bus, a, b } = await pair();
    expect([...a.s.connected]).toEqual(['b']);
    // Linked, but b's engine has not announced itself: the data channel.
    a.s.send('b', new Uint8Array([1]), 'control');
    startRoutes(bus, a, b);
    a.s.send('b', new Uint8Array([2, 2]), 'bulk');
    bus.flush();
    await settle();
    expect(b.meshFrames).toEqual(['a']);
    expect(b.localFrames).toEqual([{ kind: 'frame', from: 'a', to: 'b', bytes: new Uint8Array([2, 2]).buffer }]);
    expect(a.counters.snapshot(true, a.s.local!.reachable())).toEqual({
      dataChannel: { framesOut: 1, bytesOut: 1, sentTo: { b: 1 } },
      localChannel: { framesOut: 1, bytesOut: 2, sentTo: { b: 1 }, enabled: true, reachable: ['b'], peersGone: 0 },
    });

    // The link goes down: nothing over the channel either (the mesh refuses too: the frame is lost).
    hub.partition('b');
    a.s.send('b', new Uint8Array([3]), 'control');
    bus.flush();
    await settle();
    expect(b.localFrames).toHaveLength(1);
    expect(a.s.local!.reachable()).toEqual([]);
    hub.heal('b');
    await settle();
    a.s.send('b', new Uint8Array([4]), 'control');
    bus.flush();
    expect(b.localFrames).toHaveLength(2);
  });

  it('without the channel every frame takes the mesh', async () => {
    const { bus, a, b } = await pair(false);
    startRoutes(bus, a, b);
    a.s.send('b', new Uint8Array([1]), 'control');
    bus.flush();
    await settle();
    expect(a.s.local).toBeNull();
    expect(b.meshFrames).toEqual(['a']);
    expect(b.localFrames).toEqual([]);
  });

  it('a closed session sends nothing and says bye on the channel', async () => {
    const { bus, a, b } = await pair();
    startRoutes(bus, a, b);
    await b.s.close();
    bus.flush();
    expect(bus.posted.at(-1)?.message).toEqual({ kind: 'bye', id: 'b' });
    b.s.send('a', new Uint8Array([1]), 'control');
    bus.flush();
    await settle();
    expect(a.localFrames).toEqual([]);
    expect(a.meshFrames).toEqual([]);
  });
});

// Tabs of one browser learn at once when another tab stops: each identity on the same-browser
// channel holds a Web Lock named after it, announces itself only once it holds it, and the tabs that
// heard the announcement wait for that lock (shared). A crash or a close frees it, and each waiting
// session reports peerGone exactly once; its route stops sending to the stopped peer over the
// channel. Sessions without Web Locks announce at once and never report anything.
import { describe, expect, it } from 'vitest';
import type { PeerId } from '@meshraft/core';
import type { LockManagerLike } from '../src/identity';
import { localChannelNames } from '../src/runtime/local-channel';
import { MeshSession } from '../src/runtime/mesh-session';
import { MAX_WATCHED_PEERS } from '../src/runtime/peer-liveness';
import { RouteCounters } from '../src/runtime/route-stats';
import { MemoryBroadcast } from './support/memory-broadcast';
import { MemoryLocks } from './support/memory-locks';
import { MemoryMeshHub } from './support/memory-mesh';

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

interface Tab {
  id: PeerId;
  s: MeshSession;
  counters: RouteCounters;
  gone: PeerId[];
}

function tab(hub: MemoryMeshHub, bus: MemoryBroadcast, locks: MemoryLocks | LockManagerLike | null, id: PeerId, tabName = id, secret = 'group-secret', departed: ReadonlySet<PeerId> = new Set()): Tab {
  const counters = new RouteCounters();
  const gone: PeerId[] = [];
  const local = { secret, open: bus.open, locks: locks instanceof MemoryLocks ? locks.forTab(tabName) : (locks ?? undefined) };
  const s = new MeshSession(id, hub.open(id), { counters, local }, {
    peerUp: () => {},
    peerDown: () => {},
    peerGone: (peer) => gone.push(peer),
    departed: (peer) => departed.has(peer),
    raftFrame: () => {},
    gossipFrame: () => {},
  });
  return { id, s, counters, gone };
}

/** Start every tab's route (its engine listens) and let announcements and lock grants settle. */
async function startAll(bus: MemoryBroadcast, ...tabs: Tab[]): Promise<void> {
  for (const t of tabs) t.s.local!.start();
  for (let i = 0; i < 3; i++) {
    await settle();
    bus.flush();
  }
}

async function threeTabs(secret = 'group-secret', departed: ReadonlySet<PeerId> = new Set()) {
  const hub = new MemoryMeshHub();
  const bus = new MemoryBroadcast();
  const locks = new MemoryLocks();
  const tabs = ['a', 'b', 'c'].map((id) => tab(hub, bus, locks, id, id, secret, departed));
  await settle();
  await startAll(bus, ...tabs);
  return { hub, bus, locks, tabs };
}


describe('peer liveness over Web Locks', () => {
  it('a crashed tab is reported gone once by every other tab, which close their links to it and stop sending to it over the channel', async () => {
    const { hub, bus, locks, tabs } = await threeTabs();
    const [a, b, c] = tabs;
    expect(b.s.local!.watched()).toEqual(['a', 'c']);
    expect(b.s.local!.reachable()).toEqual(['a', 'c']);
    expect(locks.heldBy('a')).toEqual(['meshraft:alive:group-secret:a']);

    locks.crash('a');
    await settle();
    bus.flush();
    expect(b.gone).toEqual(['a']);
    expect(c.gone).toEqual(['a']);
    expect(a.gone).toEqual([]);
    expect(b.s.local!.reachable()).toEqual(['c']);
    expect(b.s.local!.watched()).toEqual(['c']);
    // Once: later turns report nothing more.
    await settle();
    bus.flush();
    expect(b.gone).toEqual(['a']);
    expect(c.gone).toEqual(['a']);
    expect(b.counters.snapshot(true, []).localChannel.peersGone).toBe(1);
    // The mesh drops the links at once (a tab taking over the identity can connect right away).
    expect(hub.dropped.sort()).toEqual(['b>a', 'c>a']);
    expect(b.s.connected.has('a')).toBe(false);
    // A frame to the stopped peer falls back to the data channel (which the mesh drops or delivers).
    b.s.send('a', new Uint8Array([1]), 'control');
    expect(b.counters.snapshot(true, []).dataChannel.sentTo).toEqual({ a: 1 });
  });

  it('a departed tab (its tombstone recorded) is forgotten as its lock is released: its link drops and the mesh never dials it again', async () => {
    const { hub, bus, locks, tabs } = await threeTabs('group-secret', new Set(['a']));
    const [, b, c] = tabs;
    locks.crash('a'); // its page went away: the lock is released
    locks.crash('c'); // a crash: c may be adopted by a new tab, so it is only dropped
    await settle();
    bus.flush();
    expect(b.gone.sort()).toEqual(['a', 'c']);
    expect(c.gone).toEqual(['a']);
    // Each watcher forgets the departed identity (before dropping it: a forgotten peer is not dialled afresh).
    expect(hub.forgotten.sort()).toEqual(['b>a', 'c>a']);
    expect(hub.dropped.filter((d) => d.startsWith('b>')).sort()).toEqual(['b>a', 'b>c']);
    for (const watcher of ['b', 'c']) {
      const forget = hub.calls.indexOf(`forget ${watcher}>a`);
      expect(forget).toBeGreaterThanOrEqual(0);
      expect(hub.calls.indexOf(`drop ${watcher}>a`)).toBeGreaterThan(forget);
    }
  });

  it('an identity that closes (replaced, or its tab closing) is reported gone too; a closed session reports nothing', async () => {
    const { bus, tabs } = await threeTabs();
    const [a, b, c] = tabs;
    await c.s.close(); // c's watches end with it
    await a.s.close();
    await settle();
    bus.flush();
    expect(b.gone.sort()).toEqual(['a', 'c']);
    expect(c.gone).toEqual([]);
  });

  it('an identity announces itself only once it holds its lock: the same id in a page still going away delays it', async () => {
    const hub = new MemoryMeshHub();
    const bus = new MemoryBroadcast();
    const locks = new MemoryLocks();
    const old = tab(hub, bus, locks, 'x', 'old-page');
    const watcher = tab(hub, bus, locks, 'w');
    await settle();
    await startAll(bus, old, watcher);
    await old.s.close(); // the mesh session ends; its lock goes with it
    const reloaded = tab(hub, bus, locks, 'x', 'new-page');
    // Hold the lock in the old page's place a little longer, as a page that has not finished unloading.
    let letGo!: () => void;
    void locks.forTab('old-page').request('meshraft:alive:group-secret:x', {}, () => new Promise<void>((resolve) => (letGo = resolve)));
    await settle();
    bus.flush();
    expect(watcher.gone).toEqual(['x']); // the old page's identity stopped
    const hellosOfX = () => bus.posted.filter((p) => (p.message as { kind: string; id: string }).id === 'x' && (p.message as { kind: string }).kind === 'hello').length;
    const before = hellosOfX();
    reloaded.s.local!.start();
    await settle();
    bus.flush();
    expect(hellosOfX()).toBe(before);
    letGo();
    await settle();
    bus.flush();
    await settle();
    bus.flush();
    // Now announced, and watched again: a crash of the reloaded page is reported as well.
    expect(hellosOfX()).toBe(before + 1);
    expect(watcher.s.local!.watched()).toEqual(['x']);
    locks.crash('new-page');
    await settle();
    expect(watcher.gone).toEqual(['x', 'x']);
  });

  it('announcements of peers whose lock nobody holds (forged, or of another device) are never reported; a flood watches a bounded number', async () => {
    const { bus, locks, tabs } = await threeTabs();
    const forger = bus.open(localChannelNames('group-secret').announce);
    for (let i = 0; i < 20; i++) forger.postMessage({ kind: 'hello', id: `forged-${i}`, reply: false });
    bus.flush();
    await settle();
    expect(tabs[0].gone).toEqual([]);
    expect(tabs[0].s.local!.watched()).toEqual(['b', 'c']);
    // Locks held by a script that posts hellos for them: watched, but never more than the bound.
    const holder = locks.forTab('forger');
    for (let i = 0; i < 100; i++) void holder.request(`meshraft:alive:group-secret:held-${i}`, {}, () => new Promise(() => {}));
    for (let i = 0; i < 100; i++) forger.postMessage({ kind: 'hello', id: `held-${i}`, reply: false });
    bus.flush();
    await settle();
    expect(tabs[0].s.local!.watched()).toHaveLength(MAX_WATCHED_PEERS);
    expect(tabs[0].s.local!.watched()).toEqual(expect.arrayContaining(['b', 'c']));
    expect(tabs[0].gone).toEqual([]);
  });

  it('a group secret starting with a dash (base64url, one group key in 64) still gets its liveness locks: a crash is reported', async () => {
    // Web Lock names starting with '-' are refused; the channel secret never starts a lock name.
    const { bus, locks, tabs } = await threeTabs('-dash-secret');
    const [a, b, c] = tabs;
    expect(locks.heldBy('a')).toEqual(['meshraft:alive:-dash-secret:a']);
    expect(b.s.local!.watched()).toEqual(['a', 'c']);
    locks.crash('a');
    await settle();
    bus.flush();
    expect(b.gone).toEqual(['a']);
    expect(c.gone).toEqual(['a']);
  });

  it('a lock manager that refuses the liveness lock leaves the channel working: tabs announce, frames take it, nothing is reported', async () => {
    const hub = new MemoryMeshHub();
    const bus = new MemoryBroadcast();
    const refusing: LockManagerLike = {
      request: () => Promise.reject(new DOMException('refused', 'NotSupportedError')),
      query: async () => ({ held: [] }),
    };
    const tabs = ['a', 'b'].map((id) => tab(hub, bus, refusing, id));
    await settle();
    await startAll(bus, ...tabs);
    expect(tabs[1].s.local!.reachable()).toEqual(['a']);
    expect(tabs[1].s.local!.watched()).toEqual([]);
    tabs[1].s.send('a', new Uint8Array([1]), 'control');
    expect(tabs[1].counters.snapshot(true, []).localChannel.sentTo).toEqual({ a: 1 });
    await tabs[0].s.close();
    await settle();
    expect(tabs[1].gone).toEqual([]);
  });

  it('without Web Locks: tabs announce at once, watch nothing, report nothing', async () => {
    const hub = new MemoryMeshHub();
    const bus = new MemoryBroadcast();
    const tabs = ['a', 'b'].map((id) => tab(hub, bus, null, id));
    await settle();
    await startAll(bus, ...tabs);
    expect(tabs[1].s.local!.reachable()).toEqual(['a']);
    expect(tabs[1].s.local!.watched()).toEqual([]);
    await tabs[0].s.close();
    await settle();
    expect(tabs[1].gone).toEqual([]);
  });
});

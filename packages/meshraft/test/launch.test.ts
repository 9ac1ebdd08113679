import { describe, expect, it, vi } from 'vitest';
import { OfflineError, createMemoryStorage, decodeMessage, type Departure, type Group, type PeerId } from '@meshraft/core';
import { launchGroup, type ClientSide, type EngineSide, type Platform, type StartEngineArgs } from '../src/runtime/launch';
import { fixedClaim, type Claim } from '../src/runtime/claim';
import { PRESENCE_REPORT_MS, UNHEARD_GRACE_MS } from '../src/runtime/room-evidence';
import type { JoinInfo, MeshPort } from '../src/runtime/mesh-port';
import { startingStatus } from '../src/runtime/deferred-group';
import { validateOptions } from '../src/options';
import { emptyFrameStats } from '../src/runtime/frame-stats';
import { decodeGossip, encodeGossip, isGossipFrame } from '../src/runtime/status-gossip';

const optionsInput = { key: 'launch-test-group-key', signaling: 'http://localhost:1', stateMachine: { apply: () => 0, query: () => 0 } };
const options = validateOptions(optionsInput, 'node');

/** `uptimeMs`: how long the server's presence directory has been up when it answers the join (young: under reregisterBoundMs). */
function fakeMesh(peersAtJoin: PeerId[], uptimeMs = 1e9) {
  const handlers = { message: [] as Array<(f: PeerId, b: Uint8Array) => void>, up: [] as Array<(id: PeerId) => void>, down: [] as Array<(id: PeerId) => void> };
  let join!: (v: JoinInfo) => void;
  let refuse!: (error: Error) => void;
  let latest: JoinInfo | null = null;
  const mesh: MeshPort & { sent: unknown[]; frames: Array<[PeerId, Uint8Array]>; forgotten: PeerId[]; emitUp(id: PeerId): void; emitMessage(f: PeerId, b: Uint8Array): void; join(): void; fail(error: Error): void } = {
    joined: new Promise((r, j) => {
      join = r;
      refuse = j;
    }),
    latestJoin: () => latest,
    roomPeers: () => (latest ? peersAtJoin : []),
    reregisterBoundMs: 1000,
    onMessage: (h) => handlers.message.push(h),
    onPeerUp: (h) => handlers.up.push(h),
    onPeerDown: (h) => handlers.down.push(h),
    send: (to, bytes, channel) => {
      mesh.sent.push([to, bytes.length, channel]);
      mesh.frames.push([to, bytes]);
    },
    forgetPeer: (id) => void mesh.forgotten.push(id),
    stats: () => ({ connected: 1 }),
    close: vi.fn(),
    sent: [],
    frames: [],
    forgotten: [],
    emitUp: (id) => handlers.up.forEach((h) => h(id)),
    emitMessage: (f, b) => handlers.message.forEach((h) => h(f, b)),
    join: () => {
      latest = { peers: peersAtJoin, uptimeMs, at: Date.now() };
      join(latest);
    },
    fail: (error) => refuse(error),
  };
  mesh.joined.catch(() => {});
  return mesh;
}

/** `id` links up and gossips its status: a member of the group, or a new tab holding nothing (pristine). */
function peerGossips(mesh: ReturnType<typeof fakeMesh>, id: PeerId, pristine = false): void {
  mesh.emitUp(id);
  const status = pristine ? startingStatus(id) : { ...startingStatus(id), term: 3, online: true, members: { voters: [id], learners: [] } };
  mesh.emitMessage(id, encodeGossip(status, pristine));
}

function fakeGroup(peerId: PeerId): ClientSide<unknown, unknown, unknown, unknown> {
  return {
    peerId,
    stats: { slices: 0, commandsApplied: 0, duplicatesSkipped: 0, decodeErrors: 0, applyErrors: 0, snapshotsRestored: 0, restoreFailures: 0, gaps: 0, proposalsSent: 0, retries: 0, snapshotsTaken: 0, snapshotsDeclined: 0 },
    status: { ...startingStatus(peerId), online: true },
    when: { online: async () => {}, leaderChanged: async () => null, committed: async () => {} },
    execute: async () => ({ index: 1, result: undefined }),
    executeMany: async () => ({ start: 1, end: 1, results: [undefined] }),
    query: async () => ({ result: 0, position: 0 }),
    subscribe: () => () => {},
    transferLeadership: async () => {},
    close: async () => {},
  };
}

/** Runs `body` with Date and the timers faked (the grace periods read Date.now()), then restores them. */
async function onFakeClock(body: () => Promise<void>): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  try {
    await body();
  } finally {
    vi.useRealTimers();
  }
}

function fakePlatform(mesh: ReturnType<typeof fakeMesh>, log: string[]) {
  const engineCalls: string[] = [];
  let args: StartEngineArgs | null = null;
  const platform: Platform<unknown, unknown, unknown> = {
    deriveRoom: async () => ({ room: 'room-from-key-0000', authKey: new Uint8Array([1]) }),
    claim: async () => ({ ...fixedClaim('tab-a'), release: () => void log.push('release-identity') }),
    openMesh: () => {
      (mesh.close as ReturnType<typeof vi.fn>).mockImplementation(() => log.push('close-mesh'));
      return mesh;
    },
    startEngine: async (a) => {
      args = a;
      const engine: EngineSide = {
        inbound: (from) => engineCalls.push(`in:${from}`),
        peerUp: (id) => engineCalls.push(`up:${id}`),
        peerDown: (id) => engineCalls.push(`down:${id}`),
        peerGone: (id) => engineCalls.push(`gone:${id}`),
        peersPresent: (present) => engineCalls.push(`present:${[...present].sort().join(',')}`),
        frameStats: async () => emptyFrameStats(),
        close: async () => void log.push('close-engine'),
        onRemoved: () => {},
        departurePlan: () => null,
        onDepartures: () => {},
        depart: () => {},
      };
      return { engine, group: fakeGroup(a.peerId) };
    },
  };
  return { platform, engineCalls, args: () => args };
}

describe('launchGroup', () => {
  it('bootstraps in an empty room and hands early peers to the engine', async () => {
    const mesh = fakeMesh([]);
    const log: string[] = [];
    const { platform, engineCalls, args } = fakePlatform(mesh, log);
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    mesh.join();
    await group.started;
    expect(args()).toMatchObject({ peerId: 'tab-a', bootstrap: { voters: ['tab-a'], learners: [] }, refound: false, peers: [] });
    mesh.emitUp('c');
    mesh.emitMessage('b', new Uint8Array([1]));
    expect(engineCalls).toEqual(['up:c', 'in:b']);
    // A peer already connected when the room answers is as good as a listed one: no bootstrap then.
    const second = fakeMesh([]);
    const other = fakePlatform(second, []);
    const joined = launchGroup(options, other.platform);
    await vi.waitFor(() => expect(joined.peerId).toBe('tab-a'));
    peerGossips(second, 'b');
    second.join();
    await joined.started;
    expect(other.args()).toMatchObject({ bootstrap: undefined, peers: ['b'] });
    await joined.close();
    args()!.transmit('b', new Uint8Array(3), 'bulk');
    expect(mesh.sent).toContainEqual(['b', 3, 'bulk']);
    const stats = await group.stats();
    expect(stats).toMatchObject({ peerId: 'tab-a', room: 'room-from-key-0000', bootstrapped: true, roomWasEmpty: true, mesh: { connected: 1 } });
    await group.close();
    expect(log).toEqual(['close-engine', 'close-mesh', 'release-identity']);
  });

  it('marks each start-up phase (User Timing, for the performance panel), in order', async () => {
    performance.clearMarks();
    const mesh = fakeMesh([]);
    const { platform } = fakePlatform(mesh, []);
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    mesh.join();
    await group.started;
    const phases = ['start', 'room-derived', 'claimed', 'room-joined', 'decided', 'engine-started', 'online'];
    await vi.waitFor(() => expect(performance.getEntriesByType('mark').map((m) => m.name)).toEqual(phases.map((p) => `meshraft:${p}`)));
    await group.close();
  });

  it("starts the engine with the claim's log tail (entries another slot of the profile holds past the chosen log)", async () => {
    const mesh = fakeMesh(['b']);
    const { platform, args } = fakePlatform(mesh, []);
    const logTail = { prevLogIndex: 4, prevLogTerm: 2, entries: [{ kind: 'noop' as const, index: 5, term: 2 }] };
    const claim = platform.claim;
    platform.claim = async (room) => ({ ...(await claim(room)), logTail });
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    peerGossips(mesh, 'b');
    mesh.join();
    await group.started;
    expect(args()!.logTail).toEqual(logTail);
    await group.close();
  });

  it('hands the engine connectivity changes that happened while it was starting', async () => {
    const mesh = fakeMesh([]);
    const { platform, engineCalls } = fakePlatform(mesh, []);
    const start = platform.startEngine;
    platform.startEngine = async (a) => {
      mesh.emitUp('late'); // connects while the worker is still loading storage
      return start(a);
    };
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    mesh.join();
    await group.started;
    expect(engineCalls).toEqual(['up:late']);
  });

  it('waits to be added when the room already has peers', async () => {
    const mesh = fakeMesh(['b']);
    const { platform, args } = fakePlatform(mesh, []);
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    peerGossips(mesh, 'b');
    mesh.join();
    await group.started;
    expect(args()!.bootstrap).toBeUndefined();
    expect((await group.stats()).bootstrapped).toBe(false);
  });

  describe('a server restarted a moment ago (its room list may still miss live peers)', () => {
    /** A tab restarting as a member: its claim joins whatever the room says (an adopted crashed identity, say). */
    const memberClaim = async (): Promise<Claim> => ({ ...fixedClaim('tab-a'), founding: async () => 'join' });

    for (const [what, claim, waits] of [
      ['a start that joins whatever the room says starts at once', memberClaim, false],
      ['a start that would bootstrap in an empty room waits until the list is complete', undefined, true],
    ] as const) {
      it(what, async () => {
        await onFakeClock(async () => {
          const mesh = fakeMesh([], 0);
          const { platform, args } = fakePlatform(mesh, []);
          const group = launchGroup(options, claim ? { ...platform, claim } : platform);
          let started = false;
          void group.started.then(() => (started = true));
          mesh.join();
          await vi.advanceTimersByTimeAsync(mesh.reregisterBoundMs - 200);
          expect(started).toBe(!waits);
          await vi.advanceTimersByTimeAsync(400);
          expect(started).toBe(true);
          // Waiting, it found the room empty at last and founded the group; joining, it founded nothing.
          expect(args()!.bootstrap).toEqual(waits ? { voters: ['tab-a'], learners: [] } : undefined);
          expect((await group.stats()).bootstrapped).toBe(waits);
          await group.close();
        });
      });
    }
  });

  it('peers that gossip themselves pristine do not occupy the room: a new tab founds the group instead of waiting for them', async () => {
    const mesh = fakeMesh(['b', 'c']);
    const { platform, args } = fakePlatform(mesh, []);
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    peerGossips(mesh, 'b', true);
    peerGossips(mesh, 'c', true);
    mesh.join();
    await group.started;
    // Before, each of three such tabs took the others for members and the group never formed.
    expect(args()!.bootstrap).toEqual({ voters: ['tab-a'], learners: [] });
  });

  it('a malformed status gossip frame is dropped and counted in stats().gossipDropped; the peer stays unheard', async () => {
    const mesh = fakeMesh(['b']);
    const { platform } = fakePlatform(mesh, []);
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    mesh.emitUp('b');
    const progress = { fraction: Number.NaN, from: 1, to: 2, entriesFetched: 0, bytesFetched: 0, peersUsed: 0, phase: 'log' as const };
    await onFakeClock(async () => {
      mesh.emitMessage('b', encodeGossip({ ...startingStatus('b'), catchUp: progress }, true));
      mesh.join();
      // Unheard (its only gossip was dropped), b holds the start until the grace period runs out.
      await vi.advanceTimersByTimeAsync(UNHEARD_GRACE_MS + 1_000);
      await group.started;
    });
    expect((await group.stats()).gossipDropped).toBe(1);
    expect(group.status.peers?.b).toBeUndefined();
    await group.close();
  });

  it('a room peer never heard from (no link, no gossip) counts as a member once the grace period ran out, not before', async () => {
    // The grace is read from Date.now(): a fake clock shows "not before, but after" without waiting it out.
    await onFakeClock(async () => {
      const mesh = fakeMesh(['b']);
      const { platform, args } = fakePlatform(mesh, []);
      const group = launchGroup(options, platform);
      await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
      let started = false;
      void group.started.then(() => (started = true));
      mesh.join();
      await vi.advanceTimersByTimeAsync(UNHEARD_GRACE_MS - 500);
      expect(started).toBe(false);
      expect(args()).toBeNull();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(started).toBe(true);
      // b counts as a member: this tab joins instead of bootstrapping a group of its own.
      expect(args()!.bootstrap).toBeUndefined();
      await group.close();
    });
  });

  for (const pristine of [true, undefined]) {
    it(`this tab gossips itself pristine only when its claim says it holds nothing (claim.pristine ${pristine})`, async () => {
      const mesh = fakeMesh([]);
      const { platform } = fakePlatform(mesh, []);
      const claim = platform.claim;
      platform.claim = async (room) => ({ ...(await claim(room)), pristine });
      const group = launchGroup(options, platform);
      await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
      mesh.emitUp('b');
      const views = () => mesh.frames.filter(([to, bytes]) => to === 'b' && isGossipFrame(bytes)).map(([, bytes]) => decodeGossip(bytes));
      await vi.waitFor(() => expect(views().length).toBeGreaterThan(0));
      expect(views()[0]?.pristine).toBe(pristine);
      await group.close();
    });
  }

  it("stats().client is null until the engine started, then reads the main thread's counters (a failed restore among them)", async () => {
    const mesh = fakeMesh([]);
    const { platform } = fakePlatform(mesh, []);
    const start = platform.startEngine;
    platform.startEngine = async (a) => {
      const started = await start(a);
      return { ...started, group: { ...started.group, stats: { ...started.group.stats, restoreFailures: 1, commandsApplied: 7 } } };
    };
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    expect((await group.stats()).client).toBeNull();
    mesh.join();
    await group.started;
    expect((await group.stats()).client).toMatchObject({ restoreFailures: 1, commandsApplied: 7 });
    await group.close();
  });

  it('a tab holding nothing that has heard of the group (its term moved, no members) gossips itself frozen, not pristine: it waits for the group and can continue none', async () => {
    const mesh = fakeMesh([]);
    const { platform } = fakePlatform(mesh, []);
    const claim = platform.claim;
    platform.claim = async (room) => ({ ...(await claim(room)), pristine: true });
    const start = platform.startEngine;
    // Its engine took a departed voter's notice (term 5) and belongs to no configuration.
    platform.startEngine = async (a) => {
      const started = await start(a);
      return { ...started, group: { ...started.group, status: { ...startingStatus(a.peerId), term: 5 } } };
    };
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    peerGossips(mesh, 'b'); // a member in the room: this tab joins
    mesh.join();
    await group.started;
    const views = () => mesh.frames.filter(([to, bytes]) => to === 'b' && isGossipFrame(bytes)).map(([, bytes]) => decodeGossip(bytes));
    await vi.waitFor(() => expect(views().at(-1)).toMatchObject({ term: 5, frozen: true }), { timeout: 5_000 });
    expect(views().at(-1)?.pristine).toBeUndefined();
    await group.close();
  });

  // A fixed identity (the `peerId` option) has no slots: whether it holds anything is read from its
  // storage before it decides, so fixed-id peers of several browsers can found a group together too.
  for (const stored of [false, true]) {
    it(`a fixed peerId gossips itself pristine only while its storage holds nothing (stored term: ${stored})`, async () => {
      const storage = createMemoryStorage();
      if (stored) await storage.persist({ entries: [], hardState: { term: 4, vote: null, commit: 0 } });
      const fixed = validateOptions({ ...optionsInput, peerId: 'fixed-a', storage }, 'node');
      const mesh = fakeMesh([]);
      const { platform } = fakePlatform(mesh, []);
      const group = launchGroup(fixed, platform);
      const views = () => mesh.frames.filter(([to, bytes]) => to === 'b' && isGossipFrame(bytes)).map(([, bytes]) => decodeGossip(bytes));
      // The peer id is known at once; the mesh opens after the storage was looked at.
      await vi.waitFor(() => {
        mesh.emitUp('b');
        expect(views().length).toBeGreaterThan(0);
      });
      expect(views()[0]?.pristine).toBe(stored ? undefined : true);
      await group.close();
    });
  }

  it('a startup failure rejects started and operations, and releases what was taken', async () => {
    const mesh = fakeMesh([]);
    const log: string[] = [];
    const { platform } = fakePlatform(mesh, log);
    platform.startEngine = async () => {
      throw new Error('IndexedDB unavailable');
    };
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    mesh.join();
    await expect(group.started).rejects.toThrow('IndexedDB unavailable');
    const error = await group.execute('x').catch((e) => e);
    expect(error).toBeInstanceOf(OfflineError);
    expect(error.unexecuted).toEqual({ kind: 'commands', commands: ['x'] });
    expect((await group.stats()).startupError).toBe('IndexedDB unavailable');
    await vi.waitFor(() => expect(log).toEqual(['close-mesh', 'release-identity']));
  });

  it('close during startup stops it and releases the identity', async () => {
    const mesh = fakeMesh([]);
    const log: string[] = [];
    const { platform, args } = fakePlatform(mesh, log);
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    await group.close();
    mesh.join();
    await expect(group.started).rejects.toThrow();
    expect(args()).toBeNull();
    expect(log).toEqual(['close-mesh', 'release-identity']);
  });
});

describe('close while the engine starts', () => {
  it('stops the engine before the mesh and the identity go (another tab could take the slot while it still writes)', async () => {
    const mesh = fakeMesh([]);
    const log: string[] = [];
    const { platform } = fakePlatform(mesh, log);
    const start = platform.startEngine;
    let proceed!: () => void;
    const gate = new Promise<void>((resolve) => (proceed = resolve));
    let starting = false;
    platform.startEngine = async (a) => {
      starting = true;
      await gate;
      return start(a);
    };
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    mesh.join();
    await vi.waitFor(() => expect(starting).toBe(true));
    const closed = group.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual([]); // the identity is kept while its engine may still write
    proceed();
    await closed;
    await expect(group.started).rejects.toThrow('closed during startup');
    expect(log).toEqual(['close-engine', 'close-mesh', 'release-identity']);
  });
});

describe('a room that never answers', () => {
  /** A claim that logs when its start-up lock is let go (settled) and when the identity is released. */
  function loggingClaim(platform: Platform<unknown, unknown, unknown>, log: string[]) {
    const claim = platform.claim;
    platform.claim = async (room) => ({ ...(await claim(room)), settled: () => void log.push('settled') });
  }

  it('a mesh that fails for good (its WebRTC library did not load) rejects started and lets the start-up lock go', async () => {
    const mesh = fakeMesh([]);
    const log: string[] = [];
    const { platform, args } = fakePlatform(mesh, log);
    loggingClaim(platform, log);
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    mesh.fail(new Error('Failed to fetch dynamically imported module'));
    await expect(group.started).rejects.toThrow('Failed to fetch dynamically imported module');
    expect(args()).toBeNull();
    expect((await group.stats()).startupError).toBe('Failed to fetch dynamically imported module');
    await vi.waitFor(() => expect(log).toEqual(['settled', 'close-mesh', 'release-identity']));
  });

  it('close while waiting for the answer settles started and releases everything, though the answer never comes', async () => {
    const mesh = fakeMesh([]);
    const log: string[] = [];
    const { platform, args } = fakePlatform(mesh, log);
    loggingClaim(platform, log);
    const openMesh = platform.openMesh;
    platform.openMesh = (a) => {
      const port = openMesh(a);
      // As the real adapter's port (mesh-adapter.ts): closing it refuses the answer still awaited.
      const close = port.close;
      port.close = () => {
        mesh.fail(new Error('meshraft: the mesh closed before its room answered'));
        return close();
      };
      return port;
    };
    const group = launchGroup(options, platform);
    await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
    await group.close();
    await expect(group.started).rejects.toThrow('closed during startup');
    expect(args()).toBeNull();
    expect(log).toContain('settled');
    expect(log.filter((entry) => entry !== 'settled')).toEqual(['close-mesh', 'release-identity']);
  });
});

/**
 * A running tab 'tab-a' linked to members b and c, its claim and engine extended by the test (what
 * the test records through them); returns once it started.
 */
async function runningTab(claimExtra: Partial<Claim>, engineExtra: Partial<EngineSide>) {
  const mesh = fakeMesh([]);
  const { platform } = fakePlatform(mesh, []);
  const claim = platform.claim;
  platform.claim = async (room) => ({ ...(await claim(room)), ...claimExtra });
  const start = platform.startEngine;
  platform.startEngine = async (a) => {
    const started = await start(a);
    return { ...started, engine: { ...started.engine, ...engineExtra } };
  };
  const group = launchGroup(options, platform);
  await vi.waitFor(() => expect(group.peerId).toBe('tab-a'));
  peerGossips(mesh, 'b');
  peerGossips(mesh, 'c');
  mesh.join();
  await group.started;
  return { mesh, group };
}

describe('departures the engine reports', () => {
  it('are recorded as tombstones, and the mesh stops dialling those identities', async () => {
    const recorded: PeerId[] = [];
    let report: ((notices: Departure[]) => void) | null = null;
    const { mesh, group } = await runningTab({ recordDeparture: (peer) => void recorded.push(peer) }, { onDepartures: (handler) => void (report = handler) });
    expect(mesh.forgotten).toEqual([]);
    report!([{ type: 'Departure', term: 3, lastIndex: 5, lastTerm: 3, peer: 'b' }]);
    expect(recorded).toEqual(['b']);
    expect(mesh.forgotten).toEqual(['b']);
    await group.close();
  });
});

describe('who runs', () => {
  it('the engine hears which peers run (the room and the links) again and again until the tab closes, so it can take the notices it holds about the others', async () => {
    const reports: string[] = [];
    const { group } = await runningTab({}, { peersPresent: (present) => void reports.push([...present].sort().join(',')) });
    await vi.waitFor(() => expect(reports.length).toBeGreaterThanOrEqual(2), { timeout: 4 * PRESENCE_REPORT_MS });
    expect(reports.slice(0, 2)).toEqual(['b,c,tab-a', 'b,c,tab-a']);
    await group.close();
    const after = reports.length;
    await new Promise((resolve) => setTimeout(resolve, PRESENCE_REPORT_MS + 200));
    expect(reports.length).toBe(after);
  });
});

describe('pageHide', () => {
  // The leader's last append goes to c (it lagged), before TimeoutNow to b and the notices.
  const leaderPlan = { notice: { type: 'Departure' as const, term: 3, lastIndex: 5, lastTerm: 3, led: true }, handoffTo: 'b', appends: [{ to: 'c', bytes: new Uint8Array(7) }] };

  async function leadingTab(withTombstone: boolean) {
    const tombstones: unknown[] = [];
    const departs: string[] = [];
    /** How many frames the mesh had sent when the tombstone was written. */
    const sentAtTombstone: number[] = [];
    let sent: unknown[] = [];
    const { mesh, group } = await runningTab(withTombstone ? { tombstone: (n) => void (tombstones.push(n), sentAtTombstone.push(sent.length)) } : {}, {
      departurePlan: () => leaderPlan,
      depart: () => void departs.push('depart'),
    });
    sent = mesh.sent;
    mesh.sent.length = 0;
    const framesBefore = mesh.frames.length;
    group.pageHide();
    /** What pageHide sent, in order: the plan's append as given, every other frame decoded. */
    const frames = mesh.frames.slice(framesBefore).map(([to, bytes]) =>
      bytes === leaderPlan.appends[0]!.bytes ? `${to}:append` : `${to}:${decodeMessage(bytes).type}`,
    );
    return { mesh, group, tombstones, sentAtTombstone, departs, frames };
  }

  it('a slot identity departs: tombstone first, TimeoutNow to the target, the notice to every peer', async () => {
    const { group, tombstones, sentAtTombstone, departs, frames } = await leadingTab(true);
    expect(tombstones).toHaveLength(1);
    expect(sentAtTombstone).toEqual([0]);
    expect(frames).toEqual(['c:append', 'b:TimeoutNow', 'b:Departure', 'c:Departure']);
    expect(departs).toEqual(['depart']);
    expect((await group.stats()).departed).toBe(true);
  });

  it('a fixed identity (the peerId option) does not depart: it only hands leadership over', async () => {
    const { mesh, group, departs, frames } = await leadingTab(false);
    expect(mesh.sent).toEqual([
      ['c', 7, 'control'],
      ['b', expect.any(Number), 'control'],
    ]);
    expect(frames).toEqual(['c:append', 'b:TimeoutNow']);
    expect(departs).toEqual([]);
    expect((await group.stats()).departed).toBe(false);
  });
});

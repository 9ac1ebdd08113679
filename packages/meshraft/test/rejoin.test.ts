// The runtime with real engines in one process (launchGroup + in-process engines + an in-memory
// mesh): bootstrap of the first peer only, joining through the log, close() leaving the group, and
// a removed peer dropping its identity and re-joining under a fresh one, both when it learns of its
// removal while running and when its restored log already says so at start. Execute results come
// from the calling peer's own state machine, which the re-joined client keeps.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage, tryDecodeMessage, type PeerId, type PersistedState, type StateMachine } from '@meshraft/core';
import { validateOptions } from '../src/options';
import { startInProcessEngine } from '../src/runtime/in-process-engine';
import { fixedClaim } from '../src/runtime/claim';
import { launchGroup, type MeshraftGroup } from '../src/runtime/launch';
import { MemoryMeshHub } from './support/memory-mesh';

class Sum implements StateMachine<number, 'sum' | 'applies', number, number> {
  sum = 0;
  applies = 0;
  /** Returns the new sum: what the caller's execute() resolves with. */
  apply(n: number): number {
    this.sum += n;
    this.applies++;
    return this.sum;
  }
  query(q: 'sum' | 'applies'): number {
    return q === 'sum' ? this.sum : this.applies;
  }
}

type G = MeshraftGroup<number, 'sum' | 'applies', number, number>;
const CONFIG = { electionTimeoutMs: 300, electionJitterMs: 150, heartbeatMs: 40, bootstrapDelayMs: 100, autoRemoveAfterMs: 1500, forwardTimeoutMs: 2000 };

let groups: G[] = [];
afterEach(async () => {
  await Promise.all(groups.splice(0).map((g) => g.close()));
});

/** Storages by peer id, kept across restarts like IndexedDB databases; forget() deletes one. */
class Disks {
  readonly stores = new Map<PeerId, MemoryStorage>();
  readonly forgotten = new Map<PeerId, PersistedState>();
  lifecycle = {
    open: async (id: PeerId) => {
      const existing = this.stores.get(id);
      const storage = existing ? MemoryStorage.from(existing.dump()) : new MemoryStorage();
      this.stores.set(id, storage);
      return storage;
    },
    forget: async (id: PeerId) => {
      const store = this.stores.get(id);
      if (store) this.forgotten.set(id, store.dump());
      this.stores.delete(id);
    },
  };
}

function launch(hub: MemoryMeshHub, disks: Disks, ids: PeerId[], sm = new Sum(), config = CONFIG): { group: G; sm: Sum; forgotIds: PeerId[] } {
  let next = 0;
  const forgotIds: PeerId[] = [];
  const options = validateOptions<number, 'sum' | 'applies', number, number>({ key: 'rejoin-test-group-key', signaling: 'http://127.0.0.1:1', stateMachine: sm, config }, 'node');
  const group = launchGroup(options, {
    deriveRoom: async () => ({ room: 'room-0000000000000000', authKey: new Uint8Array([1]) }),
    claim: async () => {
      const take = () => {
        const peerId = ids[next++];
        if (!peerId) throw new Error('test ran out of scripted peer ids');
        return peerId;
      };
      let current = take();
      return {
        ...fixedClaim(current),
        renew: async () => {
          forgotIds.push(current);
          current = take();
          return current;
        },
      };
    },
    openMesh: ({ peerId }) => hub.open(peerId),
    startEngine: (args) =>
      startInProcessEngine({ ...args, storage: 'memory', preference: 'normal', config, stateMachine: sm, storageLifecycle: disks.lifecycle }),
  });
  groups.push(group);
  return { group, sm, forgotIds };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const members = (g: G) => [...g.status.members.voters, ...g.status.members.learners];

async function formGroup(hub: MemoryMeshHub, disks: Disks, config = CONFIG) {
  const a = launch(hub, disks, ['a'], new Sum(), config);
  await a.group.started;
  await until(() => a.group.status.role === 'leader', 'a leads');
  const b = launch(hub, disks, ['b'], new Sum(), config);
  const c = launch(hub, disks, ['c'], new Sum(), config);
  await Promise.all([b.group.started, c.group.started]);
  await until(() => a.group.status.members.voters.length === 3 && b.group.status.online && c.group.status.online, 'three voters');
  return { a, b, c };
}

describe('runtime with real engines', () => {
  it('only the first peer bootstraps; the others join through the log; close() leaves', async () => {
    const hub = new MemoryMeshHub();
    const disks = new Disks();
    const { a, b, c } = await formGroup(hub, disks);
    expect((await a.group.stats()).bootstrapped).toBe(true);
    expect((await b.group.stats()).bootstrapped).toBe(false);
    expect((await c.group.stats()).bootstrapped).toBe(false);
    expect(a.group.status.members.voters).toHaveLength(3); // exactly one configuration with everyone

    const end = (await b.group.executeMany([1, 2, 3])).end;
    await until(() => c.group.status.applied >= end, 'c applies');
    await c.group.close();
    groups = groups.filter((g) => g !== c.group);
    await until(() => !members(a.group).includes('c'), 'c left through the log');
    expect(members(a.group)).toEqual(expect.arrayContaining(['a', 'b']));
  });

  // 'd' must vote before it is cut off. A learner still asks to be promoted (a JoinRequest), and the
  // one it sends the moment it is back can reach the leader before the configuration that removed
  // it reaches 'd': the leader then adds it again under its own id, which is legal and keeps it
  // online, but is not the path this test is about (under CPU load about one run in fifteen went so
  // while the test only waited for 'd' to be a learner).
  it('a peer removed while running re-joins under a fresh id; one restored as removed does so at start', async () => {
    const hub = new MemoryMeshHub();
    const disks = new Disks();
    const { a, b } = await formGroup(hub, disks);

    // 'd' joins and votes, then is cut off for longer than autoRemoveAfterMs: the leader removes it.
    const d = launch(hub, disks, ['d', 'd2']);
    await d.group.started;
    await until(() => a.group.status.members.voters.includes('d'), 'd joined and votes');
    const first = (await a.group.executeMany([10, 20])).end;
    await until(() => d.group.status.applied >= first, 'd applies');
    hub.partition('d');
    await until(() => !members(a.group).includes('d'), 'leader auto-removes d', 20_000);
    const second = (await b.group.executeMany([5])).end;

    // Reconnected, d learns it was removed, drops the id (storage deleted) and joins as d2.
    hub.heal('d');
    await until(() => d.group.peerId === 'd2' && d.group.status.online, 'd re-joins as d2', 20_000);
    expect(d.forgotIds).toEqual(['d']);
    expect(disks.forgotten.has('d')).toBe(true);
    expect(await d.group.stats()).toMatchObject({ peerId: 'd2', rejoins: 1, retiredPeerIds: ['d'] });
    await until(() => members(a.group).includes('d2'), 'leader adds d2');
    await until(() => d.group.status.applied >= second, 'd2 catches up');
    // Nothing applied twice: the client skipped what the old identity had applied.
    expect((await d.group.query('sum', 'weak')).result).toBe(35);
    expect((await d.group.query('applies', 'weak')).result).toBe(3);
    // The re-joined peer's caller gets its own state machine's answer: 35 applied before, now 135.
    const { index: third, result } = await d.group.execute(100);
    expect(result).toBe(135);
    await until(() => a.group.status.applied >= third, "a applies d2's command");
    expect((await a.group.query('sum', 'weak')).result).toBe(135);

    // The log 'd' had when its identity was dropped says it was removed: a restart from it re-joins at once.
    const restored = disks.forgotten.get('d')!;
    disks.stores.set('d', MemoryStorage.from(restored));
    const again = launch(hub, disks, ['d', 'd3']);
    await again.group.started;
    await until(() => again.group.peerId === 'd3' && again.group.status.online, 'restored d re-joins as d3', 20_000);
    expect(again.forgotIds).toEqual(['d']);
    await until(() => again.group.status.applied >= third, 'd3 catches up');
    expect((await again.group.query('sum', 'weak')).result).toBe(135);
    expect((await again.group.query('applies', 'weak')).result).toBe(4);
  });

  it('a leader with a fixed identity hands over on pagehide and sends nothing more; its target leads in the next term', async () => {
    const hub = new MemoryMeshHub();
    const disks = new Disks();
    // No election timeout runs out within the test: only the handoff (TimeoutNow) can elect anyone.
    const { a, b, c } = await formGroup(hub, disks, { ...CONFIG, electionTimeoutMs: 120_000 });
    const all = [a, b, c];
    const leader = all.find((p) => p.group.status.role === 'leader')!;
    const [writer, third] = all.filter((p) => p !== leader);
    await writer.group.executeMany([1, 2, 3]);
    const term = leader.group.status.term;
    const handoffs: PeerId[] = [];
    hub.sendTaps.push((from, to, bytes) => {
      const decoded = tryDecodeMessage(bytes); // status gossip shares the links: not a Raft message
      if (from === leader.group.peerId && decoded.ok && decoded.message.type === 'TimeoutNow') handoffs.push(to);
    });
    leader.group.pageHide();
    const sentAtHandover = (await leader.group.stats()).routes.dataChannel.framesOut;
    expect(handoffs).toHaveLength(1);
    // The page is not gone yet (this one never goes): writes forwarded to it meanwhile must not
    // reach the other voter, or it would refuse the handoff target its vote.
    void writer.group.execute(4).catch(() => {});
    await until(() => [writer, third].some((p) => p.group.status.role === 'leader'), 'the handoff target leads');
    const next = [writer, third].find((p) => p.group.status.role === 'leader')!;
    expect(next.group.peerId).toBe(handoffs[0]);
    expect(next.group.status.term).toBe(term + 1); // won at the first try
    expect((await leader.group.stats()).routes.dataChannel.framesOut).toBe(sentAtHandover);
    const { index } = await writer.group.execute(5);
    await until(() => third.group.status.applied >= index, 'the group goes on');
  });
});

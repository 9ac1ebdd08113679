// A frozen tab restarts itself (launchGroup with a real in-process engine and an in-memory mesh):
// its log names one voter, which departed (its notice is on the profile), and no successor list
// names this tab, so its engine reports it frozen. The runtime then asks the start-up rules again
// (the claim's reconsider) and, when they allow it, departs the frozen identity and re-founds the
// group on the same slot under a new one: it leads, keeps everything it had applied, and takes
// writes. When the rules say 'stay', nothing changes and it asks again later.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeValue, MemoryStorage, type Departure, type PeerId, type RoomEvidence, type StateMachine } from '@meshraft/core';
import { validateOptions } from '../src/options';
import { startInProcessEngine } from '../src/runtime/in-process-engine';
import { fixedClaim, type Claim } from '../src/runtime/claim';
import { launchGroup, type MeshraftGroup } from '../src/runtime/launch';
import { MemoryMeshHub } from './support/memory-mesh';

class Sum implements StateMachine<number, 'sum', number, number> {
  sum = 0;
  apply(n: number): number {
    this.sum += n;
    return this.sum;
  }
  query(): number {
    return this.sum;
  }
}

type G = MeshraftGroup<number, 'sum', number, number>;
const CONFIG = { electionTimeoutMs: 300, electionJitterMs: 150, heartbeatMs: 40, bootstrapDelayMs: 100 };

let groups: G[] = [];
afterEach(async () => {
  await Promise.all(groups.splice(0).map((g) => g.close()));
});

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The slot's log as the departed voter 'v' left it: a configuration of 'v' alone, then 3 + 4 + 5. */
function slotLog(): MemoryStorage {
  return MemoryStorage.from({
    hardState: { term: 2, vote: null, commit: 4 },
    snapshot: null,
    entries: [
      { kind: 'config', index: 1, term: 1, membership: { voters: ['v'], learners: [] } },
      { kind: 'command', index: 2, term: 2, data: encodeValue(3) },
      { kind: 'command', index: 3, term: 2, data: encodeValue(4) },
      { kind: 'command', index: 4, term: 2, data: encodeValue(5) },
    ],
  });
}

/**
 * A claim on one slot (the storage is handed from identity to identity, as a browser slot is):
 * 'v' departed at (4, 2); `rules` answers the second start-up decision.
 */
function frozenClaim(rules: (room: RoomEvidence) => 'refound' | 'stay' | 'wait') {
  const departed = new Map<PeerId, Departure>([['v', { type: 'Departure', term: 2, lastIndex: 4, lastTerm: 2, led: true }]]);
  const asked: RoomEvidence[] = [];
  let peerId = 'f';
  let releases = 0;
  const claim: Claim = {
    ...fixedClaim('f'),
    get peerId() {
      return peerId;
    },
    founding: async () => 'join',
    tombstone: (notice) => void departed.set(peerId, notice),
    departures: () => departed,
    renew: async () => (peerId = 'f-join'),
    async reconsider() {
      return {
        localPeers: [],
        decide: async (room) => (asked.push(room), rules(room)),
        renewForRefound: async () => (peerId = 'f2'),
        release: () => void releases++,
      };
    },
  };
  return { claim, departed, asked, releases: () => releases };
}

/**
 * `slots`: the databases by name (a decision's dbName); an identity opened on no name runs on the
 * first one. Default: one slot holding the departed voter's log.
 */
function launch(hub: MemoryMeshHub, claim: Claim, sm: Sum, slots: Record<string, MemoryStorage> = { own: slotLog() }): G {
  // The slot's database outlives each identity's connection to it: the departing identity closes
  // its storage (so the next writer starts after its last batch), and the new one opens it again.
  for (const slot of Object.values(slots)) slot.close = async () => {};
  const storage = Object.values(slots)[0];
  const options = validateOptions<number, 'sum', number, number>({ key: 'frozen-test-group-key', signaling: 'http://127.0.0.1:1', stateMachine: sm, config: CONFIG }, 'node');
  const group = launchGroup(options, {
    deriveRoom: async () => ({ room: 'room-0000000000000000', authKey: new Uint8Array([1]) }),
    claim: async () => claim,
    openMesh: ({ peerId }) => hub.open(peerId),
    startEngine: (args) =>
      startInProcessEngine({
        ...args,
        storage,
        preference: 'normal',
        config: CONFIG,
        stateMachine: sm,
        storageLifecycle: { open: async (_peerId, dbName) => (dbName !== undefined ? slots[dbName] : undefined) ?? storage, forget: async () => {} },
      }),
  });
  groups.push(group);
  return group;
}

describe('a frozen tab', () => {
  it('re-founds the group on its own slot when the start-up rules allow it, keeping what it applied', async () => {
    const sm = new Sum();
    const { claim, departed, asked, releases } = frozenClaim((room) => (room === 'empty' ? 'refound' : 'stay'));
    const hub = new MemoryMeshHub();
    const group = launch(hub, claim, sm);
    await group.started;
    await until(() => group.peerId === 'f2' && group.status.role === 'leader', 'f2 re-founds and leads');
    // The frozen identity left the room only once the new one was in it: a tab of another device
    // deciding meanwhile always found one of them there.
    await until(() => hub.roomLog.includes('leave f'), 'the frozen identity leaves the room');
    expect(hub.roomLog).toEqual(['join f', 'join f2', 'leave f']);
    expect(asked).toEqual(['empty']); // the room as the mesh shows it: nobody else
    expect(releases()).toBe(1); // the start-up lock is let go once the re-founded engine runs
    // The frozen identity departed first (tombstoned, never to run again).
    expect(departed.has('f')).toBe(true);
    const stats = await group.stats();
    expect(stats).toMatchObject({ frozenRestarts: 1, refounded: true, retiredPeerIds: ['f'], frozenChecks: { last: { room: 'empty', outcome: 'refound' } } });
    expect(group.status.frozen).toBe(false);
    expect(group.status.members.voters).toEqual(['f2']);
    // Nothing applied twice, nothing lost: 3 + 4 + 5, then this write.
    const { result } = await group.execute(10);
    expect(result).toBe(22);
    expect((await group.query('sum', 'strong')).result).toBe(22);
  });

  it("takes a room holding only another device's frozen tab for 'frozen'; re-founded there, the other tab joins its group", async () => {
    const hub = new MemoryMeshHub();
    // The other device's tab holds the same log, frozen too; its rules never let it re-found (the
    // last departure is not its profile's), so it stays, as it would for good before.
    const other = frozenClaim(() => 'stay');
    const otherGroup = launch(hub, { ...other.claim, get peerId() { return 'g'; } }, new Sum());
    await otherGroup.started;
    await until(() => otherGroup.status.frozen === true, 'the other device is frozen');
    const sm = new Sum();
    const { claim, asked } = frozenClaim((room) => (room === 'frozen' ? 'refound' : 'stay'));
    const group = launch(hub, claim, sm);
    await group.started;
    await until(() => group.peerId === 'f2' && group.status.role === 'leader', 'f2 re-founds and leads');
    expect(asked[asked.length - 1]).toBe('frozen');
    // The other device's tab is no longer frozen: it joined the re-founded group and follows it.
    await until(() => otherGroup.status.frozen !== true && group.status.members.learners.concat(group.status.members.voters).includes('g'), 'g joins');
    await group.execute(10);
    await until(() => otherGroup.status.applied === group.status.applied, 'g applies the new write');
  });

  it('stays frozen, and asks again, while the rules say stay', async () => {
    const sm = new Sum();
    const { claim, departed, asked } = frozenClaim(() => 'stay');
    const group = launch(new MemoryMeshHub(), claim, sm);
    await group.started;
    await until(() => group.status.frozen === true, 'the engine reports frozen');
    await until(() => asked.length >= 2, 'asked twice (at once, then a recheck later)', 5_000);
    expect(group.peerId).toBe('f');
    expect(departed.has('f')).toBe(false);
    const stats = await group.stats();
    expect(stats.frozenRestarts).toBe(0);
    // Why it still waits, as a user reads it: every check found the room empty and the rules said stay.
    expect(stats.frozenChecks.checks).toBeGreaterThanOrEqual(2);
    expect(stats.frozenChecks.last).toEqual({ room: 'empty', outcome: 'stay' });
    expect(group.status.frozen).toBe(true);
  });
});

describe('a tab whose join nobody answers', () => {
  it('asks the start-up rules again and re-founds on the departed tab\'s slot once the room is empty, keeping its data', async () => {
    // It opened beside the profile's only running tab ('v'), so it took a new, empty slot and asked
    // to join; 'v' closed before adding it, and its notice never reached it. Its engine has no
    // configuration, so it never reports frozen.
    const sm = new Sum();
    const { claim, asked } = frozenClaim((room) => (room === 'empty' ? 'refound' : 'stay'));
    let decidedOn: string | undefined;
    const reconsider = claim.reconsider!.bind(claim);
    claim.reconsider = async (mayLead) => {
      const decision = await reconsider(mayLead);
      // The rules choose the departed tab's slot: its log is the most up to date (frozenRestartSlot).
      return decision && { ...decision, dbName: (decidedOn = 'departed') };
    };
    const group = launch(new MemoryMeshHub(), claim, sm, { own: new MemoryStorage(), departed: slotLog() });
    await group.started;
    expect(group.status.members).toEqual({ voters: [], learners: [] });
    await until(() => group.peerId === 'f2' && group.status.role === 'leader', 'f2 re-founds and leads', 15_000);
    expect(decidedOn).toBe('departed');
    expect(asked).toEqual(['empty']);
    const stats = await group.stats();
    expect(stats).toMatchObject({ frozenRestarts: 1, refounded: true, frozenChecks: { last: { room: 'empty', outcome: 'refound' } } });
    // The departed tab's writes (3 + 4 + 5) are there, once, then this one.
    const { result } = await group.execute(10);
    expect(result).toBe(22);
  });

  it('keeps waiting for the answer while the rules say stay (the group runs elsewhere), asking again later', async () => {
    const { claim, asked } = frozenClaim(() => 'stay');
    const group = launch(new MemoryMeshHub(), claim, new Sum(), { own: new MemoryStorage() });
    await group.started;
    await until(() => asked.length >= 2, 'asked twice', 10_000);
    expect(group.peerId).toBe('f');
    expect((await group.stats()).frozenRestarts).toBe(0);
    expect(group.status.members).toEqual({ voters: [], learners: [] });
  });
});

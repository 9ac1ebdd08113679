// The browser's slot claim with fake browser pieces (Web Locks, IndexedDB slots, localStorage,
// sessionStorage): which slot a starting tab takes and as whom, tombstones written on departure,
// re-founding allowed only when the rules say so, and clean-up of databases nobody can use.
import { describe, expect, it } from 'vitest';
import { type Departure, type LogEntry, type Membership, type PersistedState } from '@meshraft/core';
import { claimSlot } from '../src/browser/slot-claim';
import { joinsWhateverTheRoom } from '../src/runtime/claim';
import { CRASHED_SLOT_GRACE_MS, LocalSlots, slotDbName, slotLockName } from '../src/browser/local-slots';
import { fakeSlotEnvironment } from './support/fake-slot-browser';

const room = 'room-0123456789abcdef';

const environment = fakeSlotEnvironment;

const config = (index: number, voters: string[]): LogEntry => ({ kind: 'config', index, term: 1, membership: { voters, learners: [] } });
const noop = (index: number, term: number): LogEntry => ({ kind: 'noop', index, term });
const notice = (lastIndex: number, lastTerm: number, extra: Partial<Departure> = {}): Departure => ({ type: 'Departure', term: lastTerm, lastIndex, lastTerm, ...extra });

/** A log of `n` entries in term 4: the configuration of voters p1 and p2 at index 1, then no-ops. */
const twoVoterLog = (n: number): PersistedState => ({
  hardState: { term: 4, vote: null, commit: 3 },
  snapshot: null,
  entries: [{ kind: 'config', index: 1, term: 1, membership: { voters: ['p1', 'p2'], learners: [] } }, ...Array.from({ length: n - 1 }, (_, k) => noop(k + 2, 4))],
});

/**
 * Voters p1 and p2 run, and p3 joined a moment before they closed (it recorded its join): their
 * slots s1, s2, s3 hold logs of `sizes` entries.
 */
async function votersAndLateJoiner({ env, dbs, mint }: ReturnType<typeof environment>, sizes: [number, number, number]) {
  const a = await claimSlot(env, room, mint);
  a.settled();
  const b = await claimSlot(env, room, mint);
  b.settled();
  const frozen = await claimSlot(env, room, mint);
  frozen.recordStart!('join');
  frozen.settled();
  [a, b, frozen].forEach((claim, i) => (dbs.get(claim.dbName!)!.state = twoVoterLog(sizes[i])));
  return { a, b, frozen };
}

describe('slot claim', () => {
  it('a first tab takes a new slot, writes its identity there and remembers it for a reload', async () => {
    const { env, dbs, session, mint } = environment();
    const claim = await claimSlot(env, room, mint);
    expect(claim.choice).toEqual({ kind: 'new' });
    expect(claim.peerId).toBe('p1');
    expect(dbs.get(slotDbName(room, 's1'))!.identity).toBe('p1');
    expect([...session.map.values()]).toEqual(['s1']);
    // No local data and a room known empty: it bootstraps; unknown evidence: it waits.
    expect(await claim.founding('empty', true)).toBe('bootstrap');
    expect(await claim.founding('unknown', true)).toBe('wait');
    expect(await claim.founding('occupied', true)).toBe('join');
    claim.release();
  });

  it("which starts need the room's evidence: only a new profile's first tab and the last tab reopened, never a restart, a reload beside running tabs or another new tab", async () => {
    const { env, dbs, mint } = environment();
    const first = await claimSlot(env, room, mint);
    expect(await joinsWhateverTheRoom(first, true)).toBe(false); // it may bootstrap
    first.settled();
    dbs.get(first.dbName!)!.state = twoVoterLog(3);
    const second = await claimSlot(env, room, mint);
    expect(second.choice).toEqual({ kind: 'new' });
    expect(await joinsWhateverTheRoom(second, true)).toBe(true); // the profile holds the group's data
    second.settled();
    dbs.get(second.dbName!)!.state = twoVoterLog(3);
    // p2 reloads beside p1: it takes its own slot over and joins.
    second.tombstone!(notice(3, 4));
    second.release();
    const reloaded = await claimSlot(env, room, mint);
    expect(reloaded.choice).toMatchObject({ kind: 'succeed', slot: 's2' });
    expect(await joinsWhateverTheRoom(reloaded, true)).toBe(true);
    reloaded.settled();
    // p1 crashes; a new tab adopts it.
    first.release();
    const adopted = await claimSlot(env, room, mint);
    expect(adopted.choice).toMatchObject({ kind: 'adopt', peerId: 'p1' });
    expect(await joinsWhateverTheRoom(adopted, true)).toBe(true);
    adopted.settled();
    // Both voters depart, then one tab reopens: it may re-found, so it waits for the room.
    adopted.tombstone!(notice(3, 4));
    dbs.get(reloaded.dbName!)!.state = twoVoterLog(3);
    reloaded.tombstone!(notice(3, 4));
    adopted.release();
    reloaded.release();
    const reopened = await claimSlot(env, room, mint);
    expect(reopened.choice.kind).toBe('succeed');
    expect(await joinsWhateverTheRoom(reopened, true)).toBe(false);
    expect(await reopened.founding('empty', true)).toBe('refound');
    reopened.release();
  });

  it('a slot whose tab stored nothing: after a tab that bootstrapped, the next one bootstraps; after one that joined (it heard of a group), it joins', async () => {
    for (const how of ['bootstrap', 'join'] as const) {
      const { env, mint } = environment();
      const first = await claimSlot(env, room, mint);
      first.recordStart!(how);
      first.settled();
      // It closes a moment later, before its engine stored anything: its notice says 0/0, term 0.
      first.tombstone!(notice(0, 0));
      first.release();
      const next = await claimSlot(env, room, mint);
      expect(next.choice).toMatchObject({ kind: 'succeed', previous: first.peerId });
      expect(await next.founding('empty', true)).toBe(how);
      next.release();
    }
  });

  it('the start-up lock is held until settled(): a second tab decides after the first, and never takes its slot', async () => {
    const { env, locks, mint } = environment();
    const first = await claimSlot(env, room, mint);
    let secondDone = false;
    const second = claimSlot(env, room, mint).then((c) => ((secondDone = true), c));
    await new Promise((r) => setTimeout(r, 10));
    expect(secondDone).toBe(false);
    first.settled();
    const claim = await second;
    expect(claim.dbName).not.toBe(first.dbName);
    // The second tab sees local data in use: it never bootstraps, whatever the room says.
    expect(await claim.founding('empty', true)).toBe('join');
    expect(locks.held.has(slotLockName(room, 's1'))).toBe(true);
    first.release();
    claim.release();
  });

  it("a claim that fails after taking its slot lets the slot and the start-up lock go: the next tab takes that slot's log over", async () => {
    const { env, dbs, locks, mint } = environment();
    const tab = await claimSlot(env, room, mint);
    dbs.get(tab.dbName!)!.state = { hardState: { term: 3, vote: 'p1', commit: 2 }, snapshot: null, entries: [config(1, ['p1', 'x']), noop(2, 3)] };
    tab.settled();
    tab.tombstone!({ ...notice(2, 3), led: true, successors: ['x'] });
    tab.release();
    const openSlot = env.openSlot;
    // The departed slot cannot be written (quota, say): the new identity cannot be handed over.
    env.openSlot = async (dbName) =>
      Object.assign(await openSlot(dbName), {
        handOver: async () => {
          throw new DOMException('no room left', 'QuotaExceededError');
        },
      });
    await expect(claimSlot(env, room, mint)).rejects.toThrow('no room left');
    // Held, the slot would look like a running tab to every other tab of the profile.
    expect(locks.held).toEqual(new Set());
    env.openSlot = openSlot;
    const next = await claimSlot(env, room, mint);
    expect(next.choice).toEqual({ kind: 'succeed', slot: 's1', previous: 'p1' });
    next.release();
  });

  it('a starting tab reads the slots of the profile at the same time, not one after another', async () => {
    const { env, mint } = environment();
    const tabs = [];
    for (let i = 0; i < 4; i++) {
      const tab = await claimSlot(env, room, mint);
      tab.settled();
      tabs.push(tab);
    }
    // From here on, count the slot databases open at once (each open takes a moment, like IndexedDB's).
    let open = 0;
    let mostOpen = 0;
    const openSlot = env.openSlot.bind(env);
    env.openSlot = async (dbName) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const storage = await openSlot(dbName);
      const close = storage.close.bind(storage);
      return Object.assign(storage, { close: async () => void (open--, await close()) });
    };
    const fifth = await claimSlot(env, room, mint);
    expect(fifth.choice).toEqual({ kind: 'new' });
    expect(fifth.localPeers).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(mostOpen).toBe(4);
    expect(open).toBe(0);
    for (const tab of [...tabs, fifth]) tab.release();
  });

  it('a reload of a departed tab takes its own slot under a new identity, keeping the log (warm start)', async () => {
    const { env, dbs, mint } = environment();
    const tab = await claimSlot(env, room, mint);
    const db = dbs.get(tab.dbName!)!;
    db.state = { hardState: { term: 3, vote: 'p1', commit: 2 }, snapshot: null, entries: [config(1, ['p1', 'x']), noop(2, 3)] };
    tab.settled();
    tab.tombstone!({ ...notice(2, 3), led: true, successors: ['x'] });
    tab.release();
    const reloaded = await claimSlot(env, room, mint);
    expect(reloaded.choice).toEqual({ kind: 'succeed', slot: 's1', previous: 'p1' });
    // The recorded notice is the one sent, successors included (replayed to engines that missed it).
    expect(reloaded.departures!().get('p1')).toMatchObject({ type: 'Departure', term: 3, lastIndex: 2, lastTerm: 3, led: true, successors: ['x'] });
    expect(reloaded.peerId).toBe('p2');
    expect(db.identity).toBe('p2');
    expect(db.state.entries).toHaveLength(2);
    expect(db.state.hardState).toEqual({ term: 3, vote: null, commit: 2 });
    // 'x' (a voter) did not depart here: the group lives on elsewhere, never re-found.
    expect(await reloaded.founding('empty', true)).toBe('join');
    reloaded.release();
  });

  it("a departed slot whose stored commit index went past its tab's notice is taken over with the commit index lowered to the notice", async () => {
    // The page sent its notice (final position 3) in pagehide; its Worker, still running a moment,
    // then stored a commit index of 5 for entries no client had seen. A successor may have written
    // other entries at 4 and 5 since: the new identity must not hold them as committed.
    const { env, dbs, mint } = environment();
    const tab = await claimSlot(env, room, mint);
    const db = dbs.get(tab.dbName!)!;
    db.state = { hardState: { term: 3, vote: 'p1', commit: 5 }, snapshot: null, entries: [config(1, ['p1']), noop(2, 3), noop(3, 3), noop(4, 3), noop(5, 3)] };
    tab.settled();
    tab.tombstone!({ ...notice(3, 3), led: true, successors: ['x'] });
    tab.release();
    const reloaded = await claimSlot(env, room, mint);
    expect(reloaded.choice).toEqual({ kind: 'succeed', slot: 's1', previous: 'p1' });
    expect(db.state.hardState).toEqual({ term: 3, vote: null, commit: 3 });
    expect(db.state.entries).toHaveLength(5); // kept, no longer committed: the leader's appends decide
    reloaded.release();
  });

  it('a departed slot is taken over with the commit index lowered to what its page had seen committed, kept with the tombstone', async () => {
    // A leader elected a moment before its page closed: the notice still named its previous term and
    // final position 4/2 (entry 4 of term 2 appended by the leader before it, never committed), the
    // page had seen 3 committed. Its Worker then logged a no-op of term 3 at 5 and committed 4 and 5
    // alone. The group that went on counts that notice's claim capped at the old leader's 3/2, and
    // may have written another entry 4: the new identity must not hold entry 4 as committed.
    const { env, dbs, mint } = environment();
    const tab = await claimSlot(env, room, mint);
    const db = dbs.get(tab.dbName!)!;
    db.state = { hardState: { term: 3, vote: 'p1', commit: 5 }, snapshot: null, entries: [config(1, ['p1', 'p0']), noop(2, 2), noop(3, 2), noop(4, 2), noop(5, 3)] };
    tab.settled();
    tab.tombstone!(notice(4, 2), [], 3);
    tab.release();
    const slots = new LocalSlots(env, room);
    expect(slots.handOverLimits('p1')).toEqual({ maxCommit: 3, maxTerm: 2 });
    expect(slots.tombstones().get('p1')).toEqual(notice(4, 2)); // the engines get the notice alone
    const reloaded = await claimSlot(env, room, mint);
    expect(reloaded.choice).toEqual({ kind: 'succeed', slot: 's1', previous: 'p1' });
    expect(db.state.hardState).toEqual({ term: 3, vote: null, commit: 3 });
    expect(db.state.entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/2', '3/2', '4/2']);
    reloaded.release();
  });

  it('a crashed tab (no tombstone) is adopted as itself before any departed slot', async () => {
    const { env, dbs, mint } = environment();
    const a = await claimSlot(env, room, mint);
    a.settled();
    const b = await claimSlot(env, room, mint);
    b.settled();
    dbs.get(a.dbName!)!.state.entries.push(config(1, ['p1', 'p2']));
    a.tombstone!(notice(1, 1));
    a.release();
    b.release(); // b crashed: no tombstone
    const next = await claimSlot(env, room, mint);
    expect(next.choice).toEqual({ kind: 'adopt', slot: 's2', peerId: 'p2' });
    expect(next.peerId).toBe('p2');
    next.release();
  });

  describe("a crashed voter adopted after its leader departed (the leader's last entries never reached it)", () => {
    /** p1 led and departed at (6, 4); p2 crashed with its log at (4, 4); s1 (p1's slot) holds `leaderLog`. */
    async function adoptAfterLeaderLeft(leaderLog: PersistedState, claim = { lastIndex: 6, lastTerm: 4 }) {
      const envs = environment();
      const { env, dbs, mint } = envs;
      const a = await claimSlot(env, room, mint);
      a.settled();
      const b = await claimSlot(env, room, mint);
      b.settled();
      dbs.get(a.dbName!)!.state = leaderLog;
      dbs.get(b.dbName!)!.state = twoVoterLog(4);
      a.tombstone!({ ...notice(claim.lastIndex, claim.lastTerm), led: true });
      a.release();
      b.release(); // crashed: no tombstone
      const next = await claimSlot(env, room, mint);
      expect(next.choice).toEqual({ kind: 'adopt', slot: 's2', peerId: 'p2' });
      return next;
    }

    it("starts with the entries the departed leader's free slot holds past its log, up to the leader's final position", async () => {
      const next = await adoptAfterLeaderLeft(twoVoterLog(8));
      expect(next.logTail).toEqual({ prevLogIndex: 4, prevLogTerm: 4, entries: [noop(5, 4), noop(6, 4)] });
      next.release();
    });

    it('takes none from a slot whose log took another history at its last entry, nor when its log covers every final position', async () => {
      // Entry 4 of term 5 there (a leader of term 5 replaced it): not the same log from index 4 on.
      const diverged = { ...twoVoterLog(3), entries: [...twoVoterLog(3).entries, noop(4, 5), noop(5, 5), noop(6, 5)] };
      const other = await adoptAfterLeaderLeft(diverged, { lastIndex: 6, lastTerm: 5 });
      expect(other.logTail).toBeUndefined();
      other.release();
      const covered = await adoptAfterLeaderLeft(twoVoterLog(8), { lastIndex: 4, lastTerm: 4 });
      expect(covered.logTail).toBeUndefined();
      covered.release();
    });
  });

  it('every tab closed: one reopened tab re-founds from the best slot, past every departed term', async () => {
    const { env, dbs, mint } = environment();
    const a = await claimSlot(env, room, mint);
    a.settled();
    const b = await claimSlot(env, room, mint);
    b.settled();
    const members: Membership = { voters: ['p1', 'p2'], learners: [] };
    dbs.get(a.dbName!)!.state = { hardState: { term: 4, vote: null, commit: 3 }, snapshot: null, entries: [{ kind: 'config', index: 1, term: 1, membership: members }, noop(2, 4), noop(3, 4)] };
    dbs.get(b.dbName!)!.state = { hardState: { term: 5, vote: null, commit: 2 }, snapshot: null, entries: [{ kind: 'config', index: 1, term: 1, membership: members }, noop(2, 4)] };
    a.tombstone!(notice(3, 4));
    b.tombstone!(notice(2, 4, { term: 5 })); // b reached term 5 (a campaign) before it left
    a.release();
    b.release();
    const reopened = await claimSlot(env, room, mint);
    expect(reopened.choice).toMatchObject({ kind: 'succeed', slot: 's1' }); // the more up-to-date log
    expect(await reopened.founding('unknown', true)).toBe('wait');
    expect(await reopened.founding('empty', true)).toBe('refound');
    await reopened.prepareRefound!();
    expect(dbs.get(reopened.dbName!)!.state.hardState.term).toBe(5);
    reopened.settled();
    // A second tab reopened meanwhile sees the first one's slot in use: it joins.
    const second = await claimSlot(env, room, mint);
    expect(await second.founding('empty', true)).toBe('join');
    reopened.release();
    second.release();
  });

  it('a frozen tab re-founds on its own slot under the start-up lock; a tab that joined beside it does not keep it from that, one with no record does', async () => {
    const setup = environment();
    const { env, dbs, local, mint } = setup;
    // p3 opened a moment before the voters closed: its join was never answered, but it fetched the log.
    const { a, b, frozen } = await votersAndLateJoiner(setup, [3, 3, 4]);
    a.tombstone!(notice(3, 4));
    b.tombstone!(notice(3, 4));
    a.release();
    b.release();
    await new Promise((r) => setTimeout(r, 0));
    // A new tab takes a departed slot over; p3's log is ahead of it, so it joins (and says so only later).
    const next = await claimSlot(env, room, mint);
    expect(await next.founding('empty', true)).toBe('join');
    next.settled();
    const unrecorded = await frozen.reconsider!(true);
    expect(await unrecorded!.decide('empty')).toBe('stay'); // p4 may have re-founded, for all p3 can tell
    unrecorded!.release();
    next.recordStart!('join');
    const decision = (await frozen.reconsider!(true))!;
    expect(decision.localPeers).toEqual(['p4']);
    expect(await decision.decide('unknown')).toBe('wait');
    expect(await decision.decide('occupied')).toBe('stay');
    expect(await decision.decide('empty')).toBe('refound');
    // Meanwhile a tab that opens waits for the lock.
    let opened = false;
    const later = claimSlot(env, room, mint).then((c) => ((opened = true), c));
    await new Promise((r) => setTimeout(r, 10));
    expect(opened).toBe(false);
    // A page that applied past the slot's log (entry 5, committed before every voter left) does not
    // re-found on it: the new group would write another entry 5 under the state the page keeps.
    expect(await decision.renewForRefound(notice(4, 4), 5)).toBeNull();
    expect(dbs.get(frozen.dbName!)!.identity).not.toBe('p5');
    const fresh = await decision.renewForRefound(notice(4, 4), 4);
    expect(fresh).toBe('p5');
    expect(frozen.peerId).toBe('p5');
    expect(dbs.get(frozen.dbName!)!.identity).toBe('p5');
    expect(dbs.get(frozen.dbName!)!.state.entries).toHaveLength(4); // the same log, warm
    expect([...local.map.keys()].some((k) => k.endsWith(':p5') && k.includes('joined'))).toBe(false);
    decision.release();
    const third = await later; // the start-up lock is free again
    third.release();
    next.release();
    frozen.release();
  });

  it('a frozen tab whose log is shorter than a departed voter\'s re-founds on that voter\'s slot, holding its lock, and lets its own slot go', async () => {
    const setup = environment();
    const { dbs, locks, session } = setup;
    // p3 joined a moment before the voters closed; the leader (p2) appended one more entry it never sent.
    const { a, b, frozen } = await votersAndLateJoiner(setup, [4, 5, 4]);
    const ownDb = frozen.dbName!;
    a.tombstone!(notice(4, 4));
    b.tombstone!(notice(5, 4));
    // While the voters' tabs still hold their slots (the page unloads a moment after its notice),
    // the decision stays on its own slot, and stays.
    const early = (await frozen.reconsider!(true))!;
    expect(early.dbName).toBe(ownDb);
    expect(await early.decide('empty')).toBe('stay');
    early.release();
    a.release();
    b.release();
    await new Promise((r) => setTimeout(r, 0));
    const decision = (await frozen.reconsider!(true))!;
    expect(decision.dbName).toBe(slotDbName(room, 's2'));
    expect(locks.held.has(slotLockName(room, 's2'))).toBe(true);
    expect(await decision.decide('empty')).toBe('refound');
    frozen.tombstone!(notice(4, 4)); // the runtime departs the frozen identity first
    // Had its engine gone past that slot's log since the slots were read (a later term), nothing is
    // renewed: the runtime joins instead and decides again later.
    expect(await decision.renewForRefound(notice(5, 5))).toBeNull();
    expect(await decision.renewForRefound(notice(4, 4), 6)).toBeNull(); // the page applied past that log

    expect(dbs.get(slotDbName(room, 's2'))!.identity).not.toBe(frozen.peerId);
    const fresh = await decision.renewForRefound(notice(4, 4));
    expect(frozen.peerId).toBe(fresh);
    expect(frozen.dbName).toBe(slotDbName(room, 's2'));
    expect(dbs.get(slotDbName(room, 's2'))!.identity).toBe(fresh);
    expect(dbs.get(slotDbName(room, 's2'))!.state.entries).toHaveLength(5); // the voter's whole log
    await new Promise((r) => setTimeout(r, 0));
    expect(locks.held.has(slotLockName(room, 's3'))).toBe(false); // its own slot is free for others
    expect([...session.map.values()]).toContain('s2'); // a reload comes back to the slot it runs on
    decision.release();
    expect(locks.held.has(slotLockName(room, 's2'))).toBe(true); // the claim keeps it
    frozen.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(locks.held.has(slotLockName(room, 's2'))).toBe(false);
  });

  it('a frozen tab that may not re-found on the better slot lets its lock go with the decision', async () => {
    const setup = environment();
    const { locks } = setup;
    const { a, b, frozen } = await votersAndLateJoiner(setup, [4, 5, 4]);
    b.tombstone!(notice(5, 4)); // p1 crashed: it may come back, so nobody re-founds
    a.release();
    b.release();
    await new Promise((r) => setTimeout(r, 0));
    const decision = (await frozen.reconsider!(true))!;
    expect(decision.dbName).toBe(slotDbName(room, 's2'));
    expect(await decision.decide('empty')).toBe('stay');
    decision.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(locks.held.has(slotLockName(room, 's2'))).toBe(false);
    frozen.release();
  });

  it("a frozen tab judges a departed slot its Worker wrote to after the notice as the take-over will leave it: a successor named before it, elsewhere, keeps it from re-founding", async () => {
    const setup = environment();
    const { env, dbs, mint } = setup;
    const successor = await claimSlot(env, room, mint); // p1, a learner
    successor.settled();
    const leader = await claimSlot(env, room, mint); // p2, the only voter
    leader.settled();
    const frozen = await claimSlot(env, room, mint); // p3, a learner
    frozen.recordStart!('join');
    frozen.settled();
    const first = { kind: 'config' as const, index: 1, term: 1, membership: { voters: ['p2'], learners: ['p1', 'p3', 'g'] } };
    const upTo = (n: number): LogEntry[] => [first, ...Array.from({ length: n - 1 }, (_, k) => noop(k + 2, 2))];
    dbs.get(leader.dbName!)!.state = { hardState: { term: 2, vote: 'p2', commit: 9 }, snapshot: null, entries: upTo(9) };
    dbs.get(frozen.dbName!)!.state = { hardState: { term: 2, vote: null, commit: 8 }, snapshot: null, entries: upTo(8) };
    // p2 departs naming p1, p3 and g (a learner on another device) its successors. p1 is elected
    // in term 3 and departs at once, its notice at 9/2; its Worker then stores the re-founded
    // configuration {p1}, a no-op, and commit index 11.
    dbs.get(successor.dbName!)!.state = {
      hardState: { term: 3, vote: 'p1', commit: 11 },
      snapshot: null,
      entries: [...upTo(9), { kind: 'config', index: 10, term: 3, membership: { voters: ['p1'], learners: ['p3', 'g'] } }, noop(11, 3)],
    };
    leader.tombstone!(notice(9, 2, { led: true, successors: ['p1', 'p3', 'g'], knew: [] }));
    successor.tombstone!(notice(9, 2, { knew: ['p2'] }));
    leader.release();
    successor.release();
    await new Promise((r) => setTimeout(r, 0));
    const decision = (await frozen.reconsider!(true))!;
    expect(decision.dbName).toBe(slotDbName(room, 's1')); // p1's log, 9/2 as listed, ahead of p3's
    // Read whole, p1's slot would judge p1 alone, and p3 would re-found while its departure made g
    // the successor that re-founds by itself: two groups.
    expect(await decision.decide('empty')).toBe('stay');
    decision.release();
    frozen.release();
  });

  it('clean-up deletes departed slots beyond the two most up-to-date, and crashed slots the group has not named for a grace period', async () => {
    const { env, dbs, mint, clock } = environment();
    const claims = [];
    for (let i = 0; i < 5; i++) {
      const c = await claimSlot(env, room, mint);
      c.settled();
      claims.push(c);
    }
    claims.forEach((c, i) => (dbs.get(c.dbName!)!.state = { hardState: { term: 1, vote: null, commit: i }, snapshot: null, entries: Array.from({ length: i + 1 }, (_, k) => noop(k + 1, 1)) }));
    // p1..p3 depart, p4 crashes, p5 runs.
    for (const c of claims.slice(0, 3)) {
      c.tombstone!(notice(1, 1));
      c.release();
    }
    claims[3].release();
    await new Promise((r) => setTimeout(r, 0)); // lock releases settle asynchronously, as in a browser
    const deleted = await claims[4].collect!({ voters: ["p5"], learners: [] });
    expect(deleted).toBe(1); // the least up-to-date departed slot (s1)
    // The crashed p4 goes once the group has not named it for the grace period (it may still be
    // added: it could have asked to join just before it crashed).
    clock.now += CRASHED_SLOT_GRACE_MS - 1;
    expect(await claims[4].collect!({ voters: ["p5"], learners: [] })).toBe(0);
    clock.now += 1;
    expect(await claims[4].collect!({ voters: ["p5"], learners: [] })).toBe(1);
    expect([...dbs.keys()].map((n) => n.slice(-2)).sort()).toEqual(['s2', 's3', 's5']);
    claims[4].release();
  });

  it("entries of a later term than a departed identity's notice (its Worker went on after the page sent it) are left out of the listing and dropped by the tab that takes the slot over", async () => {
    const { env, dbs, mint } = environment();
    const tab = await claimSlot(env, room, mint);
    tab.settled();
    // The notice said term 3, position 2/3. Then its Worker, the last voter left, elected itself in
    // term 4 and stored two entries there: nobody ever heard of them.
    dbs.get(tab.dbName!)!.state = { hardState: { term: 4, vote: 'p1', commit: 4 }, snapshot: null, entries: [config(1, ['p1']), noop(2, 3), noop(3, 4), noop(4, 4)] };
    tab.tombstone!({ ...notice(2, 3), led: true });
    tab.release();
    const [view] = await new LocalSlots(env, room).list();
    expect([view.lastIndex, view.lastTerm]).toEqual([2, 3]);
    const next = await claimSlot(env, room, mint);
    expect(next.choice).toEqual({ kind: 'succeed', slot: 's1', previous: 'p1' });
    const { entries, hardState } = dbs.get(next.dbName!)!.state;
    expect(entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/3']);
    // The term stays (terms never go down), the vote goes, the commit index is the notice's at most.
    expect(hardState).toEqual({ term: 4, vote: null, commit: 2 });
    next.release();
  });

  it('a listing leaves out a slot database deleted after it was named, and does not create it again', async () => {
    const { env, dbs, mint } = environment();
    const running = await claimSlot(env, room, mint);
    running.settled();
    // indexedDB.databases() named it, and another tab's clean-up deleted it before this tab opened it.
    const databases = env.databases.bind(env);
    env.databases = async () => [...(await databases()), slotDbName(room, 'deleted')];
    const views = await new LocalSlots(env, room).list();
    expect(views.map((v) => v.slot)).toEqual([running.dbName!.slice(slotDbName(room, '').length)]);
    expect([...dbs.keys()]).toEqual([running.dbName]);
    running.release();
  });

  it('clean-up deletes a slot database that holds nothing: no identity, nothing stored (a tab that crashed before it wrote its identity, or an older version whose listing created a deleted database again)', async () => {
    const { env, dbs, mint, locks } = environment();
    const running = await claimSlot(env, room, mint);
    running.settled();
    dbs.get(running.dbName!)!.state = { hardState: { term: 2, vote: null, commit: 1 }, snapshot: null, entries: [noop(1, 2)] };
    // A database created and never given an identity.
    await (await env.openSlot(slotDbName(room, 'emptied'))).close();
    // A tab claiming a new slot holds its lock before it creates the database: that one stays.
    let releaseClaimed!: () => void;
    void locks.request(slotLockName(room, 'claimed'), {}, () => new Promise<void>((resolve) => (releaseClaimed = resolve)));
    await (await env.openSlot(slotDbName(room, 'claimed'))).close();
    expect(await running.collect!({ voters: [running.peerId], learners: [] })).toBe(1);
    expect([...dbs.keys()].sort()).toEqual([running.dbName, slotDbName(room, 'claimed')].sort());
    // Nothing else goes with it, and a second clean-up finds nothing.
    expect(await running.collect!({ voters: [running.peerId], learners: [] })).toBe(0);
    releaseClaimed();
    running.release();
  });

  it("tells its own tabs' departures from those another device told of (ownTombstones), keeps what each notice says its sender knew, and counts an older version's tombstone as another device's", async () => {
    const { env, local } = environment();
    const claim = await claimSlot(env, room, () => 'p1');
    claim.settled();
    claim.recordDeparture!('far', notice(5, 2, { knew: [] })); // a notice from another device's peer
    claim.tombstone!(notice(6, 2, { knew: ['far'] }), ['far']); // this tab departs, its engine had far's notice
    // Written by a version before the flag and the list: no `own`, no `knew`.
    local.setItem(`meshraft:departed:${room}:old`, JSON.stringify({ type: 'Departure', term: 1, lastIndex: 3, lastTerm: 1, at: 1 }));
    // A list that does not parse is dropped: as if the notice had none (the founding rules then wait).
    local.setItem(`meshraft:departed:${room}:bent`, JSON.stringify({ type: 'Departure', term: 1, lastIndex: 3, lastTerm: 1, at: 2, knew: [7] }));
    const slots = new LocalSlots(env, room);
    expect([...slots.tombstones().keys()].sort()).toEqual(['bent', 'far', 'old', 'p1']);
    const { tombstones, ownTombstones, departedBefore } = slots.foundingTombstones();
    expect([...departedBefore]).toEqual([['p1', ['far']]]);
    expect([...ownTombstones]).toEqual(['p1']);
    // The notices themselves are plain Departures (the engine and the wire take them), with the list
    // their sender sent: no flag, no time.
    expect(tombstones.get('p1')).toEqual(notice(6, 2, { knew: ['far'] }));
    expect(tombstones.get('far')).toEqual(notice(5, 2, { knew: [] }));
    expect(tombstones.get('old')).toEqual({ type: 'Departure', term: 1, lastIndex: 3, lastTerm: 1 });
    expect(tombstones.get('bent')).toEqual({ type: 'Departure', term: 1, lastIndex: 3, lastTerm: 1 });
    claim.release();
  });
});

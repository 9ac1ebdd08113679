// A slot database a starting tab cannot read (a newer version's, a corrupt store, one another tab's
// clean-up deleted while this tab listed the slots) does not keep the tab from starting: it counts
// as in use (never adopted, taken over or deleted) and is otherwise skipped. Fake browser pieces
// from test/support/fake-slot-browser.ts, as in slot-claim.test.ts.
import { describe, expect, it } from 'vitest';
import { ClosedError, type Departure, type LogEntry, type PersistedState } from '@meshraft/core';
import { claimSlot } from '../src/browser/slot-claim';
import { CRASHED_SLOT_GRACE_MS, slotDbName } from '../src/browser/local-slots';
import { fakeSlotEnvironment } from './support/fake-slot-browser';

const room = 'room-0123456789abcdef';

const environment = fakeSlotEnvironment;

const noop = (index: number, term: number): LogEntry => ({ kind: 'noop', index, term });
const notice = (lastIndex: number, lastTerm: number): Departure => ({ type: 'Departure', term: lastTerm, lastIndex, lastTerm });
const log = (n: number): PersistedState => ({ hardState: { term: 2, vote: null, commit: n }, snapshot: null, entries: Array.from({ length: n }, (_, k) => noop(k + 1, 2)) });

function domError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('slot claim beside slot databases that cannot be read', () => {
  it('a starting tab neither adopts, takes over nor deletes them, and still starts', async () => {
    const { env, dbs, mint, clock } = environment();
    // p1 crashed (no tombstone: any tab would adopt it), p2 and p3 departed (their logs would be
    // taken over, and the least up-to-date of three departed slots deleted).
    const tabs = [];
    for (let i = 0; i < 3; i++) {
      const tab = await claimSlot(env, room, mint);
      tab.settled();
      dbs.get(tab.dbName!)!.state = log(5 + i);
      tabs.push(tab);
    }
    tabs[0].release();
    for (const tab of tabs.slice(1)) {
      tab.tombstone!(notice(5, 2));
      tab.release();
    }
    await new Promise((r) => setTimeout(r, 0)); // lock releases settle asynchronously, as in a browser
    // s1 was written by a newer version, s2's store is corrupt, s3 was deleted by another tab's
    // clean-up while this one listed it.
    const openSlot = env.openSlot.bind(env);
    env.openSlot = async (dbName) => {
      if (dbName === slotDbName(room, 's1')) throw domError('VersionError', 'The requested version (1) is less than the existing version (2).');
      const storage = await openSlot(dbName);
      if (dbName === slotDbName(room, 's2')) storage.identity = () => Promise.reject(domError('UnknownError', 'Internal error opening backing store'));
      if (dbName === slotDbName(room, 's3')) storage.last = () => Promise.reject(new ClosedError(`IdbStorage(${dbName}).last: storage is closed (deleted by another connection)`));
      return storage;
    };
    const tab = await claimSlot(env, room, mint);
    expect(tab.choice).toEqual({ kind: 'new' });
    expect(tab.dbName).toBe(slotDbName(room, 's4'));
    expect(tab.peerId).toBe('p4');
    expect(tab.localPeers).toEqual([]);
    tab.settled();
    // Its clean-up, twice, the grace period for crashed slots apart: every unreadable slot stays.
    expect(await tab.collect!({ voters: ['p4'], learners: [] })).toBe(0);
    clock.now += CRASHED_SLOT_GRACE_MS;
    expect(await tab.collect!({ voters: ['p4'], learners: [] })).toBe(0);
    expect([...dbs.keys()].sort()).toEqual(['s1', 's2', 's3', 's4'].map((s) => slotDbName(room, s)));
    tab.tombstone!(notice(0, 0));
    tab.release();

    // Readable again (the newer version's tab closed, say): the crashed identity is adopted as usual.
    env.openSlot = openSlot;
    await new Promise((r) => setTimeout(r, 0));
    const next = await claimSlot(env, room, mint);
    expect(next.choice).toEqual({ kind: 'adopt', slot: 's1', peerId: 'p1' });
    next.release();
  });
  it('counts as a tab that may be running: the last voter reopened beside one does not re-found', async () => {
    const { env, dbs, mint } = environment();
    // p1 was the group's only voter and departed; s2 is a slot another version's tab writes.
    const a = await claimSlot(env, room, mint);
    a.settled();
    const other = await claimSlot(env, room, mint);
    other.settled();
    dbs.get(a.dbName!)!.state = { hardState: { term: 4, vote: null, commit: 3 }, snapshot: null, entries: [{ kind: 'config', index: 1, term: 1, membership: { voters: ['p1'], learners: [] } }, noop(2, 4), noop(3, 4)] };
    a.tombstone!(notice(3, 4));
    a.release();
    other.release();
    await new Promise((r) => setTimeout(r, 0));
    const openSlot = env.openSlot.bind(env);
    env.openSlot = async (dbName) => {
      if (dbName === slotDbName(room, 's2')) throw domError('VersionError', 'The requested version (1) is less than the existing version (2).');
      return openSlot(dbName);
    };
    const reopened = await claimSlot(env, room, mint);
    expect(reopened.choice).toEqual({ kind: 'succeed', slot: 's1', previous: 'p1' });
    expect(await reopened.founding('empty', true)).toBe('join');
    reopened.release();
  });
});

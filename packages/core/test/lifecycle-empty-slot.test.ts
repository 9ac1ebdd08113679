// A slot left by a tab that stored nothing: the tab opened and closed (or reloaded, or crashed)
// within a moment, after it claimed a slot and wrote its identity there but before its engine stored
// an entry. On a profile that holds nothing else of a group, such a slot is no group data: the next
// tab, adopting or taking it over or starting on a new slot, founds the group when the room is known
// empty. (In the browser: a fresh profile whose first tab closed 50-150 ms after it opened; every
// later tab of the profile chose that slot, joined a group that never existed, and stayed offline.)
import { describe, expect, it } from 'vitest';
import { chooseSlot, decideFounding, decideFrozenRestart, type SlotSummary } from '../src/lifecycle/index';
import type { Departure } from '../src/messages';

const emptyLog = { lastIndex: 0, lastTerm: 0, membership: null };
/** The identity a closed or crashed tab left, with an empty log, no tab holding it. */
const leftBehind: SlotSummary = { slot: 's1', peerId: 'p-gone', inUse: false, departed: null, lastIndex: 0, lastTerm: 0, term: 0 };
const emptyNotice: Departure = { type: 'Departure', term: 0, lastIndex: 0, lastTerm: 0 };

describe('a slot whose tab stored nothing, on a profile that holds nothing else', () => {
  it('adopted (its tab crashed or closed before it had a departure plan): the start bootstraps in an empty room, waits while unknown, joins an occupied one', () => {
    const choice = chooseSlot([leftBehind], null);
    expect(choice.kind).toBe('adopt');
    const decide = (room: 'empty' | 'unknown' | 'occupied') => decideFounding({ choice, slots: [leftBehind], log: emptyLog, tombstones: new Map(), room, mayLead: true });
    expect(decide('empty')).toBe('bootstrap');
    expect(decide('unknown')).toBe('wait');
    expect(decide('occupied')).toBe('join');
  });

  it('taken over after it departed at position 0: the start bootstraps in an empty room', () => {
    const departed: SlotSummary = { ...leftBehind, departed: emptyNotice };
    const choice = chooseSlot([departed], null);
    expect(choice.kind).toBe('succeed');
    expect(decideFounding({ choice, slots: [departed], log: emptyLog, tombstones: new Map([['p-gone', emptyNotice]]), room: 'empty', mayLead: true })).toBe('bootstrap');
  });

  it('a new slot beside it is a start with no data too', () => {
    const running: SlotSummary = { slot: 's2', peerId: 'p-live', inUse: true, departed: null, lastIndex: 0, lastTerm: 0, term: 0 };
    // (chooseSlot would adopt the free one; a tab that takes a new slot anyway decides the same way.)
    expect(decideFounding({ choice: { kind: 'new' }, slots: [leftBehind], log: emptyLog, tombstones: new Map(), room: 'empty', mayLead: true })).toBe('bootstrap');
    // But a tab running on another slot may be founding the group this moment: a new tab joins it.
    expect(decideFounding({ choice: { kind: 'new' }, slots: [leftBehind, running], log: emptyLog, tombstones: new Map(), room: 'empty', mayLead: true })).toBe('join');
  });

  it('a running tab stuck waiting to join on such a slot re-founds (a group of itself, as bootstrapping) once the room is empty', () => {
    const own: SlotSummary = { ...leftBehind, inUse: true };
    const ask = (room: 'empty' | 'occupied') => decideFrozenRestart({ slot: 's1', peerId: 'p-gone', slots: [own], log: emptyLog, tombstones: new Map(), room, mayLead: true });
    expect(ask('empty')).toBe('refound');
    expect(ask('occupied')).toBe('stay');
  });

  it('any data of a group on the profile keeps the rules as they were: join, never bootstrap', () => {
    const withLog: SlotSummary = { slot: 's2', peerId: 'p-old', inUse: false, departed: null, lastIndex: 5, lastTerm: 2 };
    const choice = { kind: 'adopt' as const, slot: 's1', peerId: 'p-gone' };
    expect(decideFounding({ choice, slots: [leftBehind, withLog], log: emptyLog, tombstones: new Map(), room: 'empty', mayLead: true })).toBe('join');
    // A tombstone past 0 says a group ran here, even once its slot is gone.
    const tomb: Departure = { type: 'Departure', term: 2, lastIndex: 5, lastTerm: 2 };
    expect(decideFounding({ choice, slots: [leftBehind], log: emptyLog, tombstones: new Map([['p-old', tomb]]), room: 'empty', mayLead: true })).toBe('join');
    expect(decideFounding({ choice: { kind: 'new' }, slots: [leftBehind], log: emptyLog, tombstones: new Map([['p-old', tomb]]), room: 'empty', mayLead: true })).toBe('join');
    // A slot that heard of a group (a joiner learns its term before any entry; one that started by
    // joining may go before even that), or whose term is not known: the group exists somewhere,
    // and bootstrapping beside it would fork the key.
    for (const heard of [{ ...leftBehind, term: 25 }, { ...leftBehind, term: undefined }, { ...leftBehind, joined: true }]) {
      expect(decideFounding({ choice: { kind: 'adopt', slot: 's1', peerId: 'p-gone' }, slots: [heard], log: emptyLog, tombstones: new Map(), room: 'empty', mayLead: true })).toBe('join');
    }
    const heardNotice: Departure = { ...emptyNotice, term: 25 };
    expect(decideFounding({ choice: { kind: 'new' }, slots: [], log: emptyLog, tombstones: new Map([['p-gone', heardNotice]]), room: 'empty', mayLead: true })).toBe('join');
  });
});

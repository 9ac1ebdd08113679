// The startup rules of a browser tab (lifecycle/): which local slot it takes (chooseSlot, and a
// frozen tab's frozenRestartSlot), how it comes into its group (decideFounding) and the term a re-founding starts from (refoundingTerm).
// Table-driven: each row is a profile's local state and the expected decision.
import { describe, expect, it } from 'vitest';
import { chooseSlot, decideFounding, decideFrozenRestart, frozenRestartSlot, refoundingTerm, type FoundingInput, type RoomEvidence, type SlotChoice, type SlotSummary } from '../src/lifecycle/index';
import type { Departure } from '../src/messages';
import type { Membership, PeerId } from '../src/types';

/** A slot summary: `slot` s1.., holding `peerId` with its log end; departed when `departed` is given. */
function slot(id: string, peerId: PeerId | null, lastIndex: number, lastTerm: number, extra: Partial<SlotSummary> = {}): SlotSummary {
  return { slot: id, peerId, inUse: false, departed: null, lastIndex, lastTerm, ...extra };
}

function notice(lastIndex: number, lastTerm: number, extra: Partial<Departure> = {}): Departure {
  return { type: 'Departure', term: lastTerm, lastIndex, lastTerm, ...extra };
}

const departedSlot = (id: string, peerId: PeerId, lastIndex: number, lastTerm: number) =>
  slot(id, peerId, lastIndex, lastTerm, { departed: notice(lastIndex, lastTerm) });

describe('chooseSlot', () => {
  const cases: Array<{ name: string; slots: SlotSummary[]; preferred: string | null; expected: SlotChoice }> = [
    { name: 'no slot: a new one', slots: [], preferred: null, expected: { kind: 'new' } },
    { name: 'slots without an identity are no data: a new one', slots: [slot('s1', null, 0, 0)], preferred: null, expected: { kind: 'new' } },
    {
      name: 'a crashed identity is adopted before any departed slot, even a more up-to-date one',
      slots: [departedSlot('s1', 'a', 90, 3), slot('s2', 'b', 40, 2)],
      preferred: null,
      expected: { kind: 'adopt', slot: 's2', peerId: 'b' },
    },
    {
      name: "the tab's own slot first among crashed identities, even when another is more up to date",
      slots: [slot('s1', 'a', 90, 3), slot('s2', 'b', 40, 2)],
      preferred: 's2',
      expected: { kind: 'adopt', slot: 's2', peerId: 'b' },
    },
    {
      name: 'without a preference, the most up-to-date crashed identity (log order: term first)',
      slots: [slot('s1', 'a', 90, 2), slot('s2', 'b', 40, 3)],
      preferred: null,
      expected: { kind: 'adopt', slot: 's2', peerId: 'b' },
    },
    {
      name: 'slots in use by running tabs are never taken',
      slots: [slot('s1', 'a', 90, 3, { inUse: true }), departedSlot('s2', 'b', 10, 1)],
      preferred: 's1',
      expected: { kind: 'succeed', slot: 's2', previous: 'b' },
    },
    {
      name: 'a departed slot is succeeded (warm start from its log under a new identity)',
      slots: [departedSlot('s1', 'a', 50, 2)],
      preferred: null,
      expected: { kind: 'succeed', slot: 's1', previous: 'a' },
    },
    {
      name: 'among departed slots, the most up-to-date',
      slots: [departedSlot('s1', 'a', 50, 2), departedSlot('s2', 'b', 60, 2), departedSlot('s3', 'c', 70, 1)],
      preferred: null,
      expected: { kind: 'succeed', slot: 's2', previous: 'b' },
    },
    {
      name: "the tab's own departed slot when it is as up to date as the best (a reload keeps its slot)",
      slots: [departedSlot('s1', 'a', 60, 2), departedSlot('s2', 'b', 60, 2)],
      preferred: 's2',
      expected: { kind: 'succeed', slot: 's2', previous: 'b' },
    },
    {
      name: "not the tab's own departed slot when another is more up to date (re-founding starts from the best log)",
      slots: [departedSlot('s1', 'a', 61, 2), departedSlot('s2', 'b', 60, 2)],
      preferred: 's2',
      expected: { kind: 'succeed', slot: 's1', previous: 'a' },
    },
    {
      name: 'every slot in use: a new one',
      slots: [slot('s1', 'a', 9, 1, { inUse: true }), slot('s2', 'b', 9, 1, { inUse: true })],
      preferred: null,
      expected: { kind: 'new' },
    },
  ];
  for (const c of cases) it(c.name, () => expect(chooseSlot(c.slots, c.preferred)).toEqual(c.expected));
});

describe('frozenRestartSlot', () => {
  const own = slot('s3', 'c', 40, 2, { inUse: true, joined: true });
  const cases: Array<{ name: string; slots: SlotSummary[]; expected: string }> = [
    { name: 'its own slot when no departed slot is more up to date', slots: [departedSlot('s1', 'a', 40, 2), departedSlot('s2', 'b', 39, 2), own], expected: 's3' },
    { name: 'its own slot over an equally up-to-date departed one', slots: [departedSlot('s1', 'a', 40, 2), own], expected: 's3' },
    { name: 'the departed slot with the most up-to-date log (one more entry)', slots: [departedSlot('s1', 'a', 40, 2), departedSlot('s2', 'b', 41, 2), own], expected: 's2' },
    { name: 'log order: a later term beats a longer log', slots: [departedSlot('s1', 'a', 90, 2), departedSlot('s2', 'b', 35, 3), own], expected: 's2' },
    { name: 'never a slot a tab holds', slots: [{ ...departedSlot('s1', 'a', 50, 2), inUse: true }, own], expected: 's3' },
    { name: 'never a crashed identity (it did not depart: it may come back as itself)', slots: [slot('s1', 'a', 50, 2), own], expected: 's3' },
  ];
  for (const c of cases) it(c.name, () => expect(frozenRestartSlot(c.slots, 's3')).toBe(c.expected));
});

describe('decideFounding', () => {
  const membership = (voters: PeerId[], learners: PeerId[] = []): Membership => ({ voters, learners });
  /** The profile's state after every tab closed: voters a and b departed here at 100/5. */
  function closedProfile(overrides: Partial<FoundingInput> = {}): FoundingInput {
    const slots = [departedSlot('s1', 'a', 100, 5), departedSlot('s2', 'b', 100, 5)];
    return {
      choice: { kind: 'succeed', slot: 's1', previous: 'a' },
      slots,
      log: { lastIndex: 100, lastTerm: 5, membership: membership(['a', 'b']) },
      tombstones: new Map([
        ['a', notice(100, 5, { led: true })],
        ['b', notice(100, 5)],
      ]),
      room: 'empty',
      ...overrides,
    };
  }
  const tombs = (entries: Array<[PeerId, Departure]>) => new Map(entries);

  const cases: Array<{ name: string; input: FoundingInput; expected: ReturnType<typeof decideFounding> }> = [
    // New tabs with no data at all: only evidence of an empty room bootstraps.
    { name: 'no local data, room empty: bootstrap', input: { choice: { kind: 'new' }, slots: [], log: { lastIndex: 0, lastTerm: 0, membership: null }, tombstones: new Map(), room: 'empty' }, expected: 'bootstrap' },
    { name: "no local data, room 'unknown' (signaling restarted): wait", input: { choice: { kind: 'new' }, slots: [], log: { lastIndex: 0, lastTerm: 0, membership: null }, tombstones: new Map(), room: 'unknown' }, expected: 'wait' },
    { name: 'no local data, room occupied: join', input: { choice: { kind: 'new' }, slots: [], log: { lastIndex: 0, lastTerm: 0, membership: null }, tombstones: new Map(), room: 'occupied' }, expected: 'join' },
    ...(['empty', 'unknown', 'occupied'] as RoomEvidence[]).map((room) => ({
      name: `a new slot while running tabs hold data: never bootstrap (room ${room}): join`,
      input: { choice: { kind: 'new' } as SlotChoice, slots: [slot('s1', 'a', 30, 2, { inUse: true })], log: { lastIndex: 0, lastTerm: 0, membership: null }, tombstones: new Map(), room },
      expected: 'join' as const,
    })),
    // Restarts.
    {
      name: 'adopting a crashed identity: a plain restart (join), whatever the room',
      input: { ...closedProfile(), choice: { kind: 'adopt', slot: 's3', peerId: 'c' }, slots: [slot('s3', 'c', 100, 5)], log: { lastIndex: 100, lastTerm: 5, membership: membership(['a', 'c']) }, tombstones: tombs([['a', notice(100, 5)]]) },
      expected: 'join',
    },
    {
      name: 'adopting a crashed identity that was the sole survivor of a departed configuration (a re-founder that crashed before its first election): refound',
      input: { ...closedProfile(), choice: { kind: 'adopt', slot: 's3', peerId: 'c' }, slots: [slot('s3', 'c', 100, 5)], log: { lastIndex: 100, lastTerm: 5, membership: membership(['a', 'b'], ['c']) } },
      expected: 'refound',
    },
    {
      name: 'adopting a crashed identity that a departed leader named its successor (it crashed before its engine re-founded): refound',
      input: {
        ...closedProfile(),
        choice: { kind: 'adopt', slot: 's3', peerId: 'c' },
        slots: [slot('s3', 'c', 100, 5)],
        log: { lastIndex: 100, lastTerm: 5, membership: membership(['a', 'b'], ['c']) },
        tombstones: tombs([['a', notice(100, 5, { led: true, successors: ['c'] })], ['b', notice(100, 5)]]),
      },
      expected: 'refound',
    },
    {
      name: 'adopting a crashed voter of the configuration: a plain restart (its group still has a live voter)',
      input: { ...closedProfile(), choice: { kind: 'adopt', slot: 's3', peerId: 'b' }, slots: [slot('s3', 'b', 100, 5)], tombstones: tombs([['a', notice(100, 5, { led: true, successors: ['b'] })]]) },
      expected: 'join',
    },
    // Re-founding after every tab closed.
    { name: 'every voter tombstoned here, positions covered, nothing running, room empty: refound', input: closedProfile(), expected: 'refound' },
    { name: "the same with room 'unknown': wait", input: closedProfile({ room: 'unknown' }), expected: 'wait' },
    { name: 'the same with the room occupied (a member may run elsewhere): join', input: closedProfile({ room: 'occupied' }), expected: 'join' },
    {
      name: 'a voter on another device (no tombstone here) blocks it: join',
      input: closedProfile({ log: { lastIndex: 100, lastTerm: 5, membership: membership(['a', 'b', 'z']) } }),
      expected: 'join',
    },
    {
      name: 'a tombstone whose final position the log does not cover blocks it: join',
      input: closedProfile({ tombstones: tombs([['a', notice(100, 5, { led: true })], ['b', notice(101, 5)]]) }),
      expected: 'join',
    },
    {
      name: 'a more up-to-date slot on this profile than the chosen log blocks it: join',
      input: closedProfile({ slots: [departedSlot('s1', 'a', 100, 5), departedSlot('s2', 'b', 100, 5), departedSlot('s3', 'c', 100, 6)] }),
      expected: 'join',
    },
    {
      name: 'another tab here starting (a slot in use by an identity outside the configuration) blocks it: join',
      input: closedProfile({ slots: [departedSlot('s1', 'a', 100, 5), slot('s2', 'n', 0, 0, { inUse: true })] }),
      expected: 'join',
    },
    {
      name: 'a running learner of that configuration does not block it (it cannot continue the group): refound',
      input: closedProfile({
        slots: [departedSlot('s1', 'a', 100, 5), slot('s4', 'l', 60, 5, { inUse: true })],
        log: { lastIndex: 100, lastTerm: 5, membership: membership(['a', 'b'], ['l']) },
      }),
      expected: 'refound',
    },
    {
      name: 'a running learner that a departed leader named a successor blocks it: join',
      input: closedProfile({
        slots: [departedSlot('s1', 'a', 100, 5), slot('s4', 'l', 60, 5, { inUse: true })],
        log: { lastIndex: 100, lastTerm: 5, membership: membership(['a', 'b'], ['l']) },
        tombstones: tombs([['a', notice(100, 5, { led: true, successors: ['l'] })], ['b', notice(100, 5)]]),
      }),
      expected: 'join',
    },
    {
      name: 'a successor named by a departed leader and not tombstoned here (it may have re-founded elsewhere) blocks it: join',
      input: closedProfile({ tombstones: tombs([['a', notice(100, 5, { led: true, successors: ['s'] })], ['b', notice(100, 5)]]) }),
      expected: 'join',
    },
    {
      name: 'a named successor tombstoned here with a covered position does not block it: refound',
      input: closedProfile({ tombstones: tombs([['a', notice(100, 5, { led: true, successors: ['s'] })], ['b', notice(100, 5)], ['s', notice(90, 5)]]) }),
      expected: 'refound',
    },
    {
      name: "a successor's own successor (transitively) not tombstoned here blocks it: join",
      input: closedProfile({
        tombstones: tombs([['a', notice(100, 5, { led: true, successors: ['s'] })], ['b', notice(100, 5)], ['s', notice(90, 5, { led: true, successors: ['t'] })]]),
      }),
      expected: 'join',
    },
    {
      name: 'a named successor tombstoned here past the log (it went on without this profile) blocks it: join',
      input: closedProfile({ tombstones: tombs([['a', notice(100, 5, { led: true, successors: ['s'] })], ['b', notice(100, 5)], ['s', notice(3, 6, { led: true })]]) }),
      expected: 'join',
    },
    { name: 'an empty log (no configuration): join', input: closedProfile({ log: { lastIndex: 0, lastTerm: 0, membership: null } }), expected: 'join' },
    {
      name: 'a running tab that joined and is no voter of that configuration (its join was never answered) does not block it: refound',
      input: closedProfile({ slots: [departedSlot('s1', 'a', 100, 5), slot('s2', 'n', 40, 5, { inUse: true, joined: true })] }),
      expected: 'refound',
    },
    {
      name: 'a running tab that joined and is a voter of that configuration blocks it: join',
      input: closedProfile({
        slots: [departedSlot('s1', 'a', 100, 5), slot('s2', 'n', 40, 5, { inUse: true, joined: true })],
        log: { lastIndex: 100, lastTerm: 5, membership: membership(['a', 'b', 'n']) },
        tombstones: tombs([['a', notice(100, 5, { led: true })], ['b', notice(100, 5)], ['n', notice(100, 5)]]),
      }),
      expected: 'join',
    },
    {
      name: 'a running tab that joined but a departed leader named a successor blocks it: join',
      input: closedProfile({
        slots: [departedSlot('s1', 'a', 100, 5), slot('s2', 'n', 40, 5, { inUse: true, joined: true })],
        tombstones: tombs([['a', notice(100, 5, { led: true, successors: ['n'] })], ['b', notice(100, 5)]]),
      }),
      expected: 'join',
    },
    { name: 'an observer (it cannot lead what it re-founds): join', input: closedProfile({ mayLead: false }), expected: 'join' },
    { name: 'an observer with no local data and an empty room still bootstraps (unchanged)', input: { choice: { kind: 'new' }, slots: [], log: { lastIndex: 0, lastTerm: 0, membership: null }, tombstones: new Map(), room: 'empty', mayLead: false }, expected: 'bootstrap' },
  ];
  for (const c of cases) it(c.name, () => expect(decideFounding(c.input)).toBe(c.expected));
});

describe('decideFrozenRestart', () => {
  // A frozen tab 'f' runs on s3 with the whole log: the voters a and b departed here at 100/5 and
  // named no successor; 'f' never became a member (its join was answered busy).
  const voters: Membership = { voters: ['a', 'b'], learners: [] };
  function frozen(overrides: Partial<Parameters<typeof decideFrozenRestart>[0]> = {}): Parameters<typeof decideFrozenRestart>[0] {
    return {
      slot: 's3',
      peerId: 'f',
      slots: [departedSlot('s1', 'a', 100, 5), departedSlot('s2', 'b', 100, 5), slot('s3', 'f', 100, 5, { inUse: true, joined: true })],
      log: { lastIndex: 100, lastTerm: 5, membership: voters },
      tombstones: new Map([
        ['a', notice(100, 5, { led: true })],
        ['b', notice(100, 5)],
      ]),
      room: 'empty',
      ...overrides,
    };
  }
  const cases: Array<{ name: string; input: Parameters<typeof decideFrozenRestart>[0]; expected: ReturnType<typeof decideFrozenRestart> }> = [
    { name: 'every voter departed here, its log covers them, room empty: refound on its own slot', input: frozen(), expected: 'refound' },
    { name: "room 'unknown' (signaling restarted): wait", input: frozen({ room: 'unknown' }), expected: 'wait' },
    { name: 'room occupied (a peer elsewhere may continue the group): stay', input: frozen({ room: 'occupied' }), expected: 'stay' },
    {
      name: 'its log behind a departed voter (a departed slot here is more up to date): stay (a reload takes that slot over)',
      input: frozen({ slots: [departedSlot('s1', 'a', 101, 5), departedSlot('s2', 'b', 100, 5), slot('s3', 'f', 100, 5, { inUse: true })], tombstones: new Map([['a', notice(101, 5, { led: true })], ['b', notice(100, 5)]]) }),
      expected: 'stay',
    },
    {
      name: 'another tab here that joined beside it does not keep it from re-founding: refound',
      input: frozen({ slots: [departedSlot('s1', 'a', 100, 5), slot('s2', 'n', 20, 5, { inUse: true, joined: true }), slot('s3', 'f', 100, 5, { inUse: true })] }),
      expected: 'refound',
    },
    {
      name: 'another tab here that may have re-founded (no record that it joined) blocks it: stay',
      input: frozen({ slots: [departedSlot('s1', 'a', 100, 5), slot('s2', 'n', 20, 5, { inUse: true }), slot('s3', 'f', 100, 5, { inUse: true })] }),
      expected: 'stay',
    },
    { name: 'an observer: stay', input: frozen({ mayLead: false }), expected: 'stay' },
    // Which device departed last matters (tabs-chaos-two): only the profile that holds the
    // configuration's last departure may re-found it, told by what each notice says its sender knew.
    { name: 'every voter departed from a tab of this profile (ownTombstones): refound', input: frozen({ ownTombstones: new Set(['a', 'b']) }), expected: 'refound' },
    { name: "a voter's departure known only from another device's notice of an older version (no list): stay", input: frozen({ ownTombstones: new Set(['a']) }), expected: 'stay' },
    {
      name: "the own voter's engine had the other device's voter's notice when it departed (departedBefore): refound",
      input: frozen({ ownTombstones: new Set(['a']), departedBefore: new Map([['a', ['b']]]) }),
      expected: 'refound',
    },
    {
      name: "the own voter's notice says the same (knew), with no departedBefore kept: refound",
      input: frozen({ ownTombstones: new Set(['a']), tombstones: new Map([['a', notice(100, 5, { led: true, knew: ['b'] })], ['b', notice(100, 5, { knew: [] })]]) }),
      expected: 'refound',
    },
    {
      name: "the other device's voter knew the own voter had departed: stay (that device holds the last departure)",
      input: frozen({ ownTombstones: new Set(['a']), departedBefore: new Map([['a', []]]), tombstones: new Map([['a', notice(100, 5, { led: true, knew: [] })], ['b', notice(100, 5, { knew: ['a'] })]]) }),
      expected: 'stay',
    },
    {
      name: "the room holds only frozen tabs of another device and this profile holds the last departure: refound",
      input: frozen({ ownTombstones: new Set(['a']), departedBefore: new Map([['a', ['b']]]), room: 'frozen' }),
      expected: 'refound',
    },
    {
      name: "the same room where another device holds the last departure: stay",
      input: frozen({ ownTombstones: new Set(['a']), tombstones: new Map([['a', notice(100, 5, { led: true, knew: [] })], ['b', notice(100, 5, { knew: ['a'] })]]), room: 'frozen' }),
      expected: 'stay',
    },
    {
      name: 'what another own departure knew does not stand in for the voter that departed: stay',
      input: frozen({ ownTombstones: new Set(['a']), departedBefore: new Map([['x', ['b']]]) }),
      expected: 'stay',
    },
    // Departed at about the same moment, neither knowing of the other: the voter with the most
    // up-to-date final position wins, ties to the lowest id; each device reaches the same verdict.
    {
      name: "neither knew of the other, equal final positions: refound where the lower id ('a') departed",
      input: frozen({ ownTombstones: new Set(['a']), tombstones: new Map([['a', notice(100, 5, { led: true, knew: [] })], ['b', notice(100, 5, { knew: [] })]]) }),
      expected: 'refound',
    },
    {
      name: "the same departures seen from the device where 'b' departed: stay",
      input: frozen({ ownTombstones: new Set(['b']), tombstones: new Map([['a', notice(100, 5, { led: true, knew: [] })], ['b', notice(100, 5, { knew: [] })]]) }),
      expected: 'stay',
    },
    {
      name: "neither knew of the other, 'b' more up to date: the device where 'b' departed re-founds",
      input: frozen({
        ownTombstones: new Set(['b']),
        slots: [departedSlot('s2', 'b', 101, 5), slot('s3', 'f', 101, 5, { inUse: true, joined: true })],
        log: { lastIndex: 101, lastTerm: 5, membership: voters },
        tombstones: new Map([['a', notice(100, 5, { led: true, knew: [] })], ['b', notice(101, 5, { knew: [] })]]),
      }),
      expected: 'refound',
    },
    {
      name: "neither knew of the other, but the other device's notice is of an older version (no list: it may know): stay",
      input: frozen({ ownTombstones: new Set(['a']), tombstones: new Map([['a', notice(100, 5, { led: true, knew: [] })], ['b', notice(100, 5)]]) }),
      expected: 'stay',
    },
    {
      name: "on a departed voter's slot here, the other device's voter departed last: stay (a voter's log is no exception)",
      input: frozen({
        slot: 's1',
        slots: [departedSlot('s1', 'a', 100, 5), slot('s3', 'f', 100, 5, { inUse: true, joined: true })],
        ownTombstones: new Set(['a']),
        tombstones: new Map([['a', notice(100, 5, { led: true, knew: [] })], ['b', notice(100, 5, { knew: ['a'] })]]),
      }),
      expected: 'stay',
    },
    // A tab opened beside the only voter 'a', which closed while the tab was still fetching its
    // long log: 'a' named the learner 'n' its successor, but no running peer holds what 'n' lacks.
    // The log is in a's slot here, which no tab runs.
    {
      name: 'a named successor still catching up, the departed leader\'s slot here covers it: refound there, as its reload would',
      input: namedLearner(),
      expected: 'refound',
    },
    {
      name: 'the same with no record of what the leader knew (ownTombstones absent): refound',
      input: namedLearner({ ownTombstones: undefined, departedBefore: undefined }),
      expected: 'refound',
    },
    {
      name: "the same on its own slot, which does not cover the leader's final position: stay",
      input: namedLearner({ slot: 's2', log: { lastIndex: 64, lastTerm: 1, membership: { voters: ['a'], learners: ['n'] } } }),
      expected: 'stay',
    },
    {
      name: "the same where the frozen tab's own log went past that slot's (a later term): stay",
      input: namedLearner({ slots: [departedSlot('s1', 'a', 20_024, 1), slot('s2', 'n', 70, 2, { inUse: true, joined: true, term: 2 })] }),
      expected: 'stay',
    },
    {
      name: 'the same while another tab here may have re-founded (no record that it joined): stay',
      input: namedLearner({ slots: [departedSlot('s1', 'a', 20_024, 1), slot('s2', 'n', 64, 1, { inUse: true, joined: true, term: 1 }), slot('s3', 'm', 10, 1, { inUse: true })] }),
      expected: 'stay',
    },
  ];
  function namedLearner(overrides: Partial<Parameters<typeof decideFrozenRestart>[0]> = {}): Parameters<typeof decideFrozenRestart>[0] {
    const leader = notice(20_024, 1, { led: true, successors: ['n'], knew: [] });
    return {
      slot: 's1',
      peerId: 'n',
      slots: [{ ...departedSlot('s1', 'a', 20_024, 1), departed: leader }, slot('s2', 'n', 64, 1, { inUse: true, joined: true, term: 1 })],
      log: { lastIndex: 20_024, lastTerm: 1, membership: { voters: ['a'], learners: ['n'] } },
      tombstones: new Map([['a', leader]]),
      ownTombstones: new Set(['a']),
      departedBefore: new Map([['a', []]]),
      room: 'empty',
      ...overrides,
    };
  }
  for (const c of cases) it(c.name, () => expect(decideFrozenRestart(c.input)).toBe(c.expected));
});

describe('decideFounding on the log of a tab that was no voter', () => {
  // A learner 'l' departed from s2 with the whole log; the only voter 'v' departed at 50/3.
  const config: Membership = { voters: ['v'], learners: ['l'] };
  const input = (ownTombstones?: Set<PeerId>, previous: PeerId = 'l', slotId = 's2'): FoundingInput => ({
    choice: { kind: 'succeed', slot: slotId, previous },
    slots: [departedSlot('s1', 'v', 50, 3), departedSlot('s2', 'l', 50, 3)],
    log: { lastIndex: 50, lastTerm: 3, membership: config },
    tombstones: new Map([
      ['v', notice(50, 3, { led: true })],
      ['l', notice(50, 3)],
    ]),
    ...(ownTombstones ? { ownTombstones } : {}),
    room: 'empty',
  });
  it("re-founds when the voter departed from this profile's tab", () => expect(decideFounding(input(new Set(['v', 'l'])))).toBe('refound'));
  it("joins when the voter's departure came from another device's notice", () => expect(decideFounding(input(new Set(['l'])))).toBe('join'));
  it("joins on the voter's own slot too when its departure came from another device's notice", () => expect(decideFounding(input(new Set(['l']), 'v', 's1'))).toBe('join'));
  it('counts every tombstone as its own when the caller does not tell (ownTombstones absent)', () => expect(decideFounding(input())).toBe('refound'));
});

describe('decideFounding on two devices that each learnt every departure', () => {
  // Voters v1 (device A) and v2 (device B) at 420/25. v2 closed first; v1 received its notice, then
  // closed too before appending anything. A tab y on B (no member) received v1's notice, then
  // closed. Each device later reopens alone, onto its own voter's slot, with the other's tabs
  // closed: a room that looks empty. Both re-founding would fork the group (A's writes in its
  // re-founded group never reach B's); only A, where the last departure happened, may.
  const config: Membership = { voters: ['v1', 'v2'], learners: [] };
  // v2 departed knowing of nobody; v1's engine had v2's notice when it departed.
  const tombstones = new Map<PeerId, Departure>([
    ['v1', notice(420, 25, { led: true, knew: ['v2'] })],
    ['v2', notice(420, 25, { knew: [] })],
  ]);
  const onDevice = (own: PeerId, slots: SlotSummary[], ownTombstones: Set<PeerId>): FoundingInput => ({
    choice: { kind: 'succeed', slot: 's1', previous: own },
    slots,
    log: { lastIndex: 420, lastTerm: 25, membership: config },
    tombstones,
    ownTombstones,
    room: 'empty',
  });
  const deviceA = onDevice('v1', [departedSlot('s1', 'v1', 420, 25)], new Set(['v1']));
  const deviceB = onDevice('v2', [departedSlot('s1', 'v2', 420, 25), departedSlot('s2', 'y', 420, 25)], new Set(['v2', 'y']));
  it('the device where the last voter departed re-founds', () => expect(decideFounding(deviceA)).toBe('refound'));
  it("re-founds too where the room holds only frozen tabs of the other device (room 'frozen'): they can never re-found it and wait for this one", () =>
    expect(decideFounding({ ...deviceA, room: 'frozen' })).toBe('refound'));
  it("the other device joins in a 'frozen' room as in an empty one", () => expect(decideFounding({ ...deviceB, room: 'frozen' })).toBe('join'));
  it("a caller that does not tell departures apart (no ownTombstones) takes 'frozen' for occupied", () => {
    const { ownTombstones: _own, ...untold } = deviceA;
    expect(decideFounding({ ...untold, room: 'frozen' })).toBe('join');
    expect(decideFounding({ ...untold, room: 'empty' })).toBe('refound');
  });
  it("a tab with no data joins in a 'frozen' room (the group is only waiting to be re-founded)", () =>
    expect(decideFounding({ choice: { kind: 'new' }, slots: [], log: { lastIndex: 0, lastTerm: 0, membership: null }, tombstones: new Map(), room: 'frozen' })).toBe('join'));
  it('the other device, on its own voter\'s log, joins (it would have re-founded the same configuration: a fork)', () => expect(decideFounding(deviceB)).toBe('join'));
  it("nor does the other device's learner log re-found", () => expect(decideFounding({ ...deviceB, choice: { kind: 'succeed', slot: 's2', previous: 'y' } })).toBe('join'));
});

describe('refoundingTerm', () => {
  const cases: Array<{ name: string; slots: { term: number }[]; tombstones: Array<[PeerId, Departure]>; expected: number }> = [
    { name: 'nothing known: 0', slots: [], tombstones: [], expected: 0 },
    { name: 'the highest term of any local slot', slots: [{ term: 4 }, { term: 9 }, { term: 2 }], tombstones: [], expected: 9 },
    { name: 'a departed voter that led a later term than any local log (elected just before it closed)', slots: [{ term: 4 }], tombstones: [['a', notice(30, 3, { term: 7, led: true })]], expected: 7 },
    { name: 'a slot ahead of every tombstone', slots: [{ term: 12 }], tombstones: [['a', notice(30, 3, { term: 7 })]], expected: 12 },
  ];
  for (const c of cases) it(c.name, () => expect(refoundingTerm(c.slots, new Map(c.tombstones))).toBe(c.expected));
});

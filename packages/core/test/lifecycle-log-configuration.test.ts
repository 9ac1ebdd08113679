// The configurations a re-founding must outlast, read from a stored log (logConfiguration), and the
// shape they keep from forking the group: two profiles whose most up-to-date logs end in different
// configurations, each seeing every voter of its own configuration departed.
import { describe, expect, it } from 'vitest';
import { decideFounding, decideFrozenRestart, handedOver, handedOverCommit, handOverLimits, logConfiguration, type FoundingInput } from '../src/lifecycle/index';
import type { Departure } from '../src/messages';
import { addedVoterShape } from '../src/testing/index';
import type { LogEntry, Membership, PeerId } from '../src/types';

const config = (index: number, term: number, voters: PeerId[], learners: PeerId[] = []): LogEntry => ({ index, term, kind: 'config', membership: { voters, learners } });
const noop = (index: number, term: number): LogEntry => ({ index, term, kind: 'noop' });
/** Entries 1..n of `term`, with `configs` at their indexes. */
function log(n: number, term: number, configs: LogEntry[] = []): LogEntry[] {
  return Array.from({ length: n }, (_, i) => configs.find((c) => c.index === i + 1) ?? noop(i + 1, term));
}

describe('logConfiguration', () => {
  const c1 = config(2, 1, ['a', 'b', 'c']);
  const c2 = config(5, 2, ['b', 'c']);
  const c3 = config(7, 2, ['b', 'c', 'd']);
  it('an empty disk has no configuration', () => expect(logConfiguration([], null, 0)).toEqual({ membership: null, priorVoters: [], voterSets: [] }));
  it('a latest configuration at or below the stored commit index stands alone', () =>
    expect(logConfiguration(log(6, 2, [c1, c2]), null, 5)).toEqual({ membership: c2.kind === 'config' && c2.membership, priorVoters: [], voterSets: [['b', 'c']] }));
  it('a later one adds the voters of the configuration it replaces that it drops', () =>
    expect(logConfiguration(log(6, 2, [c1, c2]), null, 4)).toEqual({ membership: { voters: ['b', 'c'], learners: [] }, priorVoters: ['a'], voterSets: [['a', 'b', 'c'], ['b', 'c']] }));
  it('counts the configuration the latest replaced, but none before it: a change waits until the one in force is committed', () =>
    expect(logConfiguration(log(8, 2, [c1, c2, c3]), null, 3)).toEqual({ membership: { voters: ['b', 'c', 'd'], learners: [] }, priorVoters: [], voterSets: [['b', 'c'], ['b', 'c', 'd']] }));
  it('counts every configuration after the stored commit index, and the one in force there, when the latest has one voter (it may re-found the group)', () =>
    expect(logConfiguration(log(8, 2, [c1, c2, config(7, 2, ['d'])]), null, 3)).toEqual({ membership: { voters: ['d'], learners: [] }, priorVoters: ['a', 'b', 'c'], voterSets: [['a', 'b', 'c'], ['b', 'c'], ['d']] }));
  it("reads the snapshot's configuration as committed, whatever the stored commit index", () => {
    const snapshot = { index: 4, term: 1, membership: { voters: ['a', 'b', 'c'], learners: [] } };
    expect(logConfiguration([noop(5, 2), config(6, 2, ['a', 'b'])], snapshot, 0)).toEqual({ membership: { voters: ['a', 'b'], learners: [] }, priorVoters: ['c'], voterSets: [['a', 'b', 'c'], ['a', 'b']] });
    expect(logConfiguration([noop(5, 2)], snapshot, 0)).toEqual({ membership: snapshot.membership, priorVoters: [], voterSets: [['a', 'b', 'c']] });
  });
  it('a configuration added to a log with none before it has no prior voters', () =>
    expect(logConfiguration([config(1, 1, ['a'])], null, 0)).toEqual({ membership: { voters: ['a'], learners: [] }, priorVoters: [], voterSets: [['a']] }));
});

describe('logConfiguration as a hand-over leaves the log', () => {
  // A departed slot: its notice said 6/2, then its Worker stored a configuration of term 3 at 7, a
  // no-op at 8 and commit index 8.
  const entries = [...log(6, 2, [config(2, 1, ['a', 'b', 'c']), config(5, 2, ['b', 'c'])]), config(7, 3, ['c']), noop(8, 3)];
  it('read whole, the later term\'s configuration stands alone (committed by the stored index)', () =>
    expect(logConfiguration(entries, null, 8)).toEqual({ membership: { voters: ['c'], learners: [] }, priorVoters: [], voterSets: [['c']] }));
  it('without entries of a term past the notice\'s, and no commit index past its final position', () => {
    expect(logConfiguration(entries, null, 8, { maxCommit: 6, maxTerm: 2 })).toEqual({ membership: { voters: ['b', 'c'], learners: [] }, priorVoters: [], voterSets: [['b', 'c']] });
    // A commit index stored short of the final position stays where it is.
    expect(logConfiguration(entries, null, 4, { maxCommit: 6, maxTerm: 2 })).toEqual({ membership: { voters: ['b', 'c'], learners: [] }, priorVoters: ['a'], voterSets: [['a', 'b', 'c'], ['b', 'c']] });
  });
  it('the commit index falls back to the kept log\'s end, never below the snapshot', () => {
    const snapshot = { index: 4, term: 2, membership: { voters: ['a', 'b', 'c'], learners: [] } };
    const after = [noop(5, 2), config(6, 3, ['a'])];
    expect(logConfiguration(after, snapshot, 6, { maxTerm: 2 })).toEqual({ membership: { voters: ['a', 'b', 'c'], learners: [] }, priorVoters: [], voterSets: [['a', 'b', 'c']] });
    expect(logConfiguration(after, snapshot, 6, { maxCommit: 1, maxTerm: 1 })).toEqual({ membership: snapshot.membership, priorVoters: [], voterSets: [['a', 'b', 'c']] });
  });
});

describe('handOverLimits', () => {
  const notice: Departure = { type: 'Departure', term: 2, lastIndex: 9, lastTerm: 2 };
  it("bounds the commit index by what the departed page had seen committed, and entries by the notice's term", () =>
    expect(handOverLimits(notice, 7)).toEqual({ maxCommit: 7, maxTerm: 2 }));
  it("never past the notice's final position", () => expect(handOverLimits(notice, 12)).toEqual({ maxCommit: 9, maxTerm: 2 }));
  it('by the final position alone without a record of what the page saw (an older tombstone, or another device)', () =>
    expect(handOverLimits(notice)).toEqual({ maxCommit: 9, maxTerm: 2 }));
});

describe('handedOver', () => {
  // Entries 4-9 after a snapshot at 3: term 2 up to 7, term 3 at 8 and 9 (the departed Worker's).
  const entries = [4, 5, 6, 7].map((i) => noop(i, 2)).concat([noop(8, 3), noop(9, 3)]);
  it('keeps everything without limits', () => {
    const left = handedOver(entries, 3, 9);
    expect(left.entries).toBe(entries);
    expect(left.commit).toBe(9);
  });
  it("drops the entries of a later term than the notice's and caps the commit index at the kept end", () => {
    const left = handedOver(entries, 3, 9, { maxTerm: 2 });
    expect(left.entries.map((e) => e.index)).toEqual([4, 5, 6, 7]);
    expect(left.commit).toBe(7);
  });
  it('lowers the commit index to maxCommit', () => expect(handedOver(entries, 3, 9, { maxCommit: 5, maxTerm: 3 }).commit).toBe(5));
  it('never lowers the commit index below the snapshot, nor raises it', () => {
    expect(handedOver(entries, 3, 9, { maxCommit: 1 }).commit).toBe(3);
    expect(handedOver(entries, 3, 6, { maxCommit: 8 }).commit).toBe(6);
  });
  it('leaves the snapshot alone when every stored entry is of a later term', () => {
    const left = handedOver(entries, 3, 9, { maxTerm: 1 });
    expect(left.entries).toEqual([]);
    expect(left.commit).toBe(3);
  });
  it('handedOverCommit is the commit rule IdbStorage.handOver applies in its transaction', () => {
    expect(handedOverCommit(9, 3, Number.POSITIVE_INFINITY, 5)).toBe(5);
    expect(handedOverCommit(9, 3, 7)).toBe(7);
    expect(handedOverCommit(9, 3, 7, 1)).toBe(3);
  });
  it('logConfiguration with limits reads the log handedOver leaves', () => {
    const withConfig = [...entries.slice(0, 4), config(8, 3, ['x'])];
    const limits = { maxCommit: 9, maxTerm: 2 };
    const left = handedOver(withConfig, 3, 8, limits);
    expect(logConfiguration(withConfig, { index: 3, term: 2, membership: { voters: ['a', 'b'], learners: [] } }, 8, limits)).toEqual(
      logConfiguration(left.entries, { index: 3, term: 2, membership: { voters: ['a', 'b'], learners: [] } }, left.commit),
    );
  });
});

describe('decideFrozenRestart on a departed slot its Worker wrote to after the notice', () => {
  // Voters l and v, learners s, f (device home) and g (another device), entries 1-9 of term 2.
  // v departs, then leader l, naming the successors v, s, f, g; then s, the first of them left,
  // is elected in term 3 and departs at once: its notice says 9/2, but its Worker goes on, logs
  // the re-founded configuration {s} at 10, a no-op at 11, and stores commit index 11. f, frozen
  // with a log to 8 (it never got 9), asks whether to re-found on s's slot, the more up to date:
  // if it did, its identity would depart, g (frozen on the other device, on l's list after f)
  // would succeed it, and the group would be re-founded twice (simulator, tabs seed 608,252,617).
  const entries = [...log(9, 2, [config(2, 1, ['l', 'v'])]).map((e) => (e.kind === 'config' ? { ...e, membership: { voters: ['l', 'v'], learners: ['s', 'f', 'g'] } } : e)), config(10, 3, ['s'], ['f', 'g']), noop(11, 3)];
  const notice = (knew: PeerId[], extra: Partial<Departure> = {}): Departure => ({ type: 'Departure', term: 2, lastIndex: 9, lastTerm: 2, knew, ...extra });
  const tombstones = new Map<PeerId, Departure>([
    ['v', notice([])],
    ['l', notice(['v'], { led: true, successors: ['v', 's', 'f', 'g'] })],
    ['s', notice(['l', 'v'])],
  ]);
  const decide = (read: ReturnType<typeof logConfiguration>) =>
    decideFrozenRestart({
      slot: 's',
      peerId: 'f',
      slots: [
        { slot: 's', peerId: 's', inUse: false, departed: tombstones.get('s')!, lastIndex: 9, lastTerm: 2, term: 3 },
        { slot: 'f', peerId: 'f', inUse: true, departed: null, lastIndex: 8, lastTerm: 2, term: 2, joined: true },
      ],
      log: { lastIndex: 9, lastTerm: 2, ...read },
      tombstones,
      ownTombstones: new Set(['l', 'v', 's']),
      room: 'frozen', // g says it is frozen
    });

  it('read whole, the slot judges s alone, and f would re-found beside the successor g: a fork', () =>
    expect(decide(logConfiguration(entries, null, 11))).toBe('refound'));
  it("read as the hand-over leaves it, l's successor g has not departed: f stays", () =>
    expect(decide(logConfiguration(entries, null, 11, { maxCommit: 9, maxTerm: 2 }))).toBe('stay'));
});

describe('decideFounding on two logs that end in different configurations', () => {
  // Voters a, b, c, d; a and c on device A, b and d on device B; entries 1-9 of term 3 committed
  // everywhere (the configuration at 2). Leader b of term 4 appends a configuration removing a at
  // 10 and is cut off before it leaves b, then departs. a wins term 5 with c's and d's votes and
  // appends at 10 and 11; c and d close before those reach them (c first, then d, knowing of b and
  // c). a departs last, knowing of everyone. B's tabs are closed by then: a's notice never
  // reaches B. Each device later reopens alone onto its own leader's slot, in a room that looks
  // empty. Both re-founding would fork the group: each judges the voters of its own log's latest
  // configuration, and each holds that configuration's last departure.
  const all = ['a', 'b', 'c', 'd'];
  const aLog = [...log(9, 3, [config(2, 1, all)]), noop(10, 5), noop(11, 5)];
  const bLog = [...log(9, 3, [config(2, 1, all)]), config(10, 4, ['b', 'c', 'd'])];
  const notices: Record<PeerId, Departure> = {
    b: { type: 'Departure', term: 4, lastIndex: 10, lastTerm: 4, led: true, knew: [] },
    c: { type: 'Departure', term: 5, lastIndex: 9, lastTerm: 3, knew: ['b'] },
    d: { type: 'Departure', term: 5, lastIndex: 9, lastTerm: 3, knew: ['b', 'c'] },
    a: { type: 'Departure', term: 5, lastIndex: 11, lastTerm: 5, led: true, knew: ['b', 'c', 'd'] },
  };
  const profile = (
    own: [PeerId, PeerId],
    entries: LogEntry[],
    heard: PeerId[],
    read: (entries: LogEntry[]) => { membership: Membership | null; priorVoters?: PeerId[] },
  ): FoundingInput => {
    const [leader, other] = own;
    const last = entries.at(-1)!;
    const position = (peer: PeerId) => ({ lastIndex: notices[peer]!.lastIndex, lastTerm: notices[peer]!.lastTerm });
    return {
      choice: { kind: 'succeed', slot: leader, previous: leader },
      slots: own.map((peer) => ({ slot: peer, peerId: peer, inUse: false, departed: notices[peer]!, ...position(peer) })),
      log: { lastIndex: last.index, lastTerm: last.term, ...read(entries) },
      tombstones: new Map([...own, ...heard].map((peer) => [peer, notices[peer]!])),
      ownTombstones: new Set([leader, other]),
      room: 'empty',
    };
  };
  const stored = (entries: LogEntry[]) => logConfiguration(entries, null, 9);
  const latestOnly = (entries: LogEntry[]) => ({ membership: logConfiguration(entries, null, entries.length).membership });
  type Read = (entries: LogEntry[]) => { membership: Membership | null; priorVoters?: PeerId[] };
  const deviceA = (read: Read = stored) => profile(['a', 'c'], aLog, ['b', 'd'], read);
  const deviceB = (read: Read = stored, heard: PeerId[] = ['c']) => profile(['b', 'd'], bLog, heard, read);

  it('judging only the latest configuration of each log, both devices would re-found: a fork', () => {
    expect(decideFounding(deviceA(latestOnly))).toBe('refound');
    expect(decideFounding(deviceB(latestOnly))).toBe('refound');
  });
  it("A, whose log's latest configuration is committed, re-founds", () => expect(decideFounding(deviceA())).toBe('refound'));
  it('B joins: a, a voter of the configuration its latest may not have replaced, never departed there', () =>
    expect(decideFounding(deviceB())).toBe('join'));
  it("B joins with a's notice too (relayed later): a's final position is past its log", () => expect(decideFounding(deviceB(stored, ['c', 'a']))).toBe('join'));
  it("B re-founds once its log covers the prior voter's final position (a departed first, before writing past it)", () => {
    // d departed last, knowing of a: the tie-break, which also weighs a, designates d.
    const covered = { ...notices.a!, lastIndex: 9, lastTerm: 3, led: false, knew: [] };
    const last = { ...notices.d!, knew: ['b', 'c', 'a'] };
    const input = deviceB(stored, ['c']);
    expect(decideFounding({ ...input, tombstones: new Map([...input.tombstones, ['a', covered], ['d', last]]) })).toBe('refound');
    // Had a departed last knowing of everyone, its device would re-found, and B joins.
    expect(decideFounding({ ...input, tombstones: new Map([...input.tombstones, ['a', { ...covered, knew: ['b', 'c', 'd'] }]]) })).toBe('join');
  });
  it('B re-founds without a once its stored commit index shows its latest configuration committed (no voter of the old one can be elected without it)', () =>
    expect(decideFounding(deviceB((entries) => logConfiguration(entries, null, 10)))).toBe('refound'));
});

describe('decideFounding on two logs that diverged after their last common configuration', () => {
  // Voters a (device A) and b (device B); entries 1-9 of term 3 committed everywhere, the
  // configuration {a, b} at 2. Leader a of term 4 appends 10-12 while b's tab has crashed, and
  // departs with its final position at the commit index (9/3). b's tab is adopted, b covers a's
  // claim and is elected alone in term 5; it logs a no-op at 10 and the removal of the departed a
  // at 11, and closes before either commits (final position 9/3 as well). Each device then holds
  // both notices and a log covering both, and each log ends in a different configuration: A's in
  // {a, b}, B's in {b} (with a a prior voter). Judged by their latest configurations, each device
  // holds its configuration's last departure (found by the simulator's tabs-chaos-two scenario).
  const common = log(9, 3, [config(2, 1, ['a', 'b'])]);
  const aLog = [...common, noop(10, 4), noop(11, 4), noop(12, 4)];
  const bLog = [...common, noop(10, 5), config(11, 5, ['b'])];
  const notice = (term: number, knew: PeerId[]): Departure => ({ type: 'Departure', term, lastIndex: 9, lastTerm: 3, led: true, knew });
  const device = (own: PeerId, entries: LogEntry[], notices: Record<PeerId, Departure>): FoundingInput => {
    const last = entries.at(-1)!;
    return {
      choice: { kind: 'succeed', slot: own, previous: own },
      slots: [{ slot: own, peerId: own, inUse: false, departed: notices[own]!, lastIndex: 9, lastTerm: 3 }],
      log: { lastIndex: last.index, lastTerm: last.term, ...logConfiguration(entries, null, 9) },
      tombstones: new Map(Object.entries(notices)),
      ownTombstones: new Set([own]),
      room: 'empty',
    };
  };
  const verdicts = (notices: Record<PeerId, Departure>) => [decideFounding(device('a', aLog, notices)), decideFounding(device('b', bLog, notices))];

  it("B's log names a as a prior voter: both devices judge the voters a and b", () => {
    expect(device('a', aLog, {}).log).toMatchObject({ membership: { voters: ['a', 'b'] }, priorVoters: [] });
    expect(device('b', bLog, {}).log).toMatchObject({ membership: { voters: ['b'] }, priorVoters: ['a'] });
  });
  it('with notices that say nothing of each other, exactly one device re-founds (the designated voter a)', () =>
    expect(verdicts({ a: notice(4, []), b: notice(5, []) })).toEqual(['refound', 'join']));
  it("with b's notice saying it knew of a's departure, exactly one device re-founds (b's, which departed last)", () =>
    expect(verdicts({ a: notice(4, []), b: notice(5, ['a']) })).toEqual(['join', 'refound']));
});

describe('decideFounding on two lineages that each added a voter the other never saw', () => {
  // Voters x (device A) and y (device B); entries 1-9 of term 3 committed, {x, y} at 2. A leader
  // changes membership only once it committed an entry of its own term, so each change below
  // leaves its leader's final position (at least its commit index) in that leader's term:
  //  - x leads term 4, commits its no-op at 10 (y stores it too), appends {x, y, a} at 11, and
  //    departs before a's acknowledgement reaches it: final position 10/4.
  //  - y, elected alone in term 5 since x departed, commits its no-op at 11 and appends
  //    {x, y, b} at 12, then departs: final position 11/5.
  //  - a and b each depart knowing of x and y, never of each other.
  // A's log ends at 11/4 and cannot cover y's final position; B's covers x's. So only B may
  // re-found, however the tie-break would read the notices, and with the terms the other way
  // round only A may.
  const common = log(10, 3, [config(2, 1, ['x', 'y'])]).map((e) => (e.index === 10 ? noop(10, 4) : e));
  const notice = (term: number, lastIndex: number, lastTerm: number, knew: PeerId[], led = false): Departure => ({ type: 'Departure', term, lastIndex, lastTerm, knew, ...(led ? { led } : {}) });
  const device = (own: [PeerId, PeerId], entries: LogEntry[], notices: Record<PeerId, Departure>): FoundingInput => {
    const last = entries.at(-1)!;
    return {
      choice: { kind: 'succeed', slot: own[0], previous: own[0] },
      slots: [{ slot: own[0], peerId: own[0], inUse: false, departed: notices[own[0]]!, lastIndex: last.index, lastTerm: last.term }],
      log: { lastIndex: last.index, lastTerm: last.term, ...logConfiguration(entries, null, 10) },
      tombstones: new Map(Object.entries(notices)),
      ownTombstones: new Set(own),
      room: 'empty',
    };
  };
  /** Device A's and device B's verdicts when the lineage of `later` (x's or y's) reached the later term. */
  const verdicts = (later: 'x' | 'y') => {
    const termOf = (peer: PeerId) => (peer === later ? 5 : 4);
    const lineage = (leader: PeerId, added: PeerId) =>
      leader === later ? [...common, noop(11, 5), config(12, 5, ['x', 'y', added])] : [...common, config(11, 4, ['x', 'y', added])];
    const notices = {
      x: notice(termOf('x'), termOf('x') === 5 ? 11 : 10, termOf('x'), [], true),
      y: notice(termOf('y'), termOf('y') === 5 ? 11 : 10, termOf('y'), [], true),
      a: notice(5, 10, 4, ['x', 'y']),
      b: notice(5, 10, 4, ['x', 'y']),
    };
    return [decideFounding(device(['x', 'a'], lineage('x', 'a'), notices)), decideFounding(device(['y', 'b'], lineage('y', 'b'), notices))];
  };

  it("y's lineage later: A's log cannot cover y's final position and joins; B re-founds", () => expect(verdicts('y')).toEqual(['join', 'refound']));
  it("x's lineage later: B joins, A re-founds", () => expect(verdicts('x')).toEqual(['refound', 'join']));
});

describe('decideFounding on one log stored with different commit indexes on two devices', () => {
  // Voters t3, t5 (device home), t6 (device third), t7, t8 (other devices). The configuration at 84
  // holds them all; the leader removes t3 (departed) at 93, and once that commits, t8 at 94. Both
  // devices end up holding the same log to 94/5, home with commit index 91 stored, third with 93.
  // t6 had crashed before t3 departed and, adopted again, never got t3's notice (its leader had
  // forgotten it with t3 out of a committed configuration); it departed last, knowing of t5, t7
  // and t8. Judged by their stored commit indexes, home weighs t3 and third does not: third holds
  // the last departure by t6's list, while home's tie-break finds t3 and t6 among the latest
  // departures at equal positions and names t3, its own. Both re-founded (simulator scenario
  // tabs-chaos-three). The configuration at 94 has three voters, so it came from a leader's change,
  // which waited until the one at 93 was committed: both devices judge t5, t6, t7 and t8.
  const entries = log(94, 5, [config(84, 4, ['t3', 't5', 't6', 't7', 't8']), config(93, 5, ['t5', 't6', 't7', 't8']), config(94, 5, ['t5', 't6', 't7'])]);
  const notice = (lastIndex: number, lastTerm: number, knew: PeerId[]): Departure => ({ type: 'Departure', term: 5, lastIndex, lastTerm, knew });
  const notices = new Map<PeerId, Departure>([
    ['t8', notice(91, 4, [])],
    ['t3', notice(91, 4, ['t8'])],
    ['t7', notice(93, 5, ['t8'])],
    ['t5', notice(94, 5, ['t7', 't8'])],
    ['t6', notice(91, 4, ['t5', 't7', 't8'])],
  ]);
  const device = (own: PeerId[], commit: number): FoundingInput => ({
    choice: { kind: 'succeed', slot: own[0]!, previous: own[0]! },
    slots: [{ slot: own[0]!, peerId: own[0]!, inUse: false, departed: notices.get(own[0]!)!, lastIndex: 94, lastTerm: 5 }],
    log: { lastIndex: 94, lastTerm: 5, ...logConfiguration(entries, null, commit) },
    tombstones: notices,
    ownTombstones: new Set(own),
    room: 'empty',
  });

  it('both devices judge the same voters', () => {
    expect(device(['t3', 't5'], 91).log.priorVoters).toEqual(['t8']);
    expect(device(['t6'], 93).log.priorVoters).toEqual(['t8']);
  });
  it("exactly one device re-founds: third, whose t6 departed last", () =>
    expect([decideFounding(device(['t3', 't5'], 91)), decideFounding(device(['t6'], 93))]).toEqual(['join', 'refound']));
  it('judging t3 on home alone (its stored commit index), both would re-found: a fork', () => {
    const home = device(['t3', 't5'], 91);
    expect(decideFounding({ ...home, log: { ...home.log, priorVoters: ['t3', 't8'], voterSets: [['t5', 't6', 't7', 't3', 't8']] } })).toBe('refound');
  });
});

describe('decideFounding on two logs, one ending in a change that adds a voter', () => {
  // Voters l, p, q and learner m; entries 1-9 of term 3 committed everywhere, the configuration at
  // 2. Leader l (device B) of term 4 logs a no-op at 10, which reaches p, q (device A) and m
  // (device B), then the promotion of m at 11, which reaches only x, a tab of device B that joined
  // as a learner a moment ago. Every tab closes at once: nobody heard of anyone's departure, l's
  // final position is its commit index (9/3), the others' 10/4. Device A's log ends in {l, p, q},
  // device B's (x's slot) in {l, p, q, m}, with {l, p, q} the configuration it may not have
  // replaced. Among the latest departures the most up-to-date positions tie (10/4) and the lowest
  // id decides: p among {l, p, q}, but m among {l, p, q, m}. Weighing the union, each device
  // designated a voter of its own and both re-founded (the simulator's tabs-chaos-all-two, seed
  // 450000359, then found two leaders' logs disagreeing at an index one of them had committed).
  const { notices } = addedVoterShape;
  const aLog = addedVoterShape.entries(10);
  const bLog = addedVoterShape.entries(11);
  const device = (own: PeerId[], chosen: PeerId, entries: LogEntry[], read = (e: LogEntry[]) => logConfiguration(e, null, 9)): FoundingInput => {
    const last = entries.at(-1)!;
    return {
      choice: { kind: 'succeed', slot: chosen, previous: chosen },
      slots: own.map((peer) => ({ slot: peer, peerId: peer, inUse: false, departed: notices[peer]!, lastIndex: peer === chosen ? last.index : notices[peer]!.lastIndex, lastTerm: peer === chosen ? last.term : notices[peer]!.lastTerm })),
      log: { lastIndex: last.index, lastTerm: last.term, ...read(entries) },
      tombstones: new Map(Object.entries(notices)),
      ownTombstones: new Set(own),
      room: 'empty',
    };
  };
  const deviceA = device(['p', 'q'], 'p', aLog);
  const deviceB = device(['l', 'm', 'x'], 'x', bLog);

  it('B weighs both of its configurations', () => expect(logConfiguration(bLog, null, 9).voterSets).toEqual([['l', 'p', 'q'], ['l', 'p', 'q', 'm']]));
  it('weighing the union of the voters judged, both would re-found: a fork', () => {
    const union = (e: LogEntry[]) => ({ ...logConfiguration(e, null, 9), voterSets: [] });
    expect(decideFounding(device(['p', 'q'], 'p', aLog, union))).toBe('refound');
    expect(decideFounding(device(['l', 'm', 'x'], 'x', bLog, union))).toBe('refound');
  });
  it('A, designated on the one configuration it weighs, re-founds', () => expect(decideFounding(deviceA)).toBe('refound'));
  it('B joins: on {l, p, q}, which A weighs too, the designated voter is p, of device A', () => expect(decideFounding(deviceB)).toBe('join'));
});

// What keeps a group going when tabs close faster than it can react: a departing leader's last
// appends, successors named by a leader of a moment (inherited from its predecessor's list), a
// learner re-asking a new leader, notices passed on to peers that connect later (from members
// only), the claim of a departed leader capped by another's, membership reviews that a stream of
// reads cannot starve, and vote requests re-sent to voters that did not answer.
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig, type InjectedBugs } from '../src/config';
import { withInjectedBugs } from '../src/injected-bugs';
import { DepartureBook } from '../src/engine/departures';
import { RaftNode } from '../src/engine/index';
import { seededRandom } from '../src/rng';
import type { Departure, Message } from '../src/messages';
import type { PersistedState } from '../src/storage';
import type { LogEntry, PeerId } from '../src/types';
import { elected, EngineHarness, fastTimings, type InFlight } from './support/engine-harness';

const config = { ...fastTimings, autoRemoveAfterMs: 60_000 };

function group(ids: PeerId[], options: { seed?: number; learners?: PeerId[]; maxVoters?: number } = {}): EngineHarness {
  const learners = options.learners ?? [];
  return elected(ids, {
    config: { ...config, maxVoters: options.maxVoters ?? 5 },
    seed: options.seed ?? 1,
    bootstrap: { voters: ids.filter((id) => !learners.includes(id)), learners },
    connect: true,
    untilOnline: true,
  });
}

let nextRequest = 100;
function write(h: EngineHarness, id: PeerId, value: string, maxMs = 3000): void {
  h.propose(id, nextRequest++, [value]);
  h.runUntil(() => [...h.nodes.keys()].every((p) => h.appliedCommands(p).includes(value)), maxMs);
}

const isMessage = (type: Message['type']) => (m: InFlight) => m.message.type === type;

describe("a departing leader's last appends", () => {
  /** a leads a, b, c; c misses the last write (its link is cut), then the link comes back. */
  function lagging() {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const [synced, behind] = h.followers();
    write(h, leader, 'base');
    h.cut(leader, behind);
    h.propose(leader, 1, ['late']);
    h.runUntil(() => h.appliedCommands(synced).includes('late'), 2000);
    h.heal();
    expect(h.node(behind).log.lastIndex()).toBeLessThan(h.node(leader).commit);
    return { h, leader, synced, behind };
  }

  it('carry the entries a lagging member misses up to the final position, with the commit index', () => {
    const { h, leader, behind } = lagging();
    const plan = h.node(leader).departurePlan();
    const append = plan.appends.find((e) => e.to === behind)?.message;
    expect(append?.type).toBe('AppendEntries');
    if (append?.type !== 'AppendEntries') return;
    expect(append.prevLogIndex).toBe(h.node(behind).log.lastIndex());
    expect(append.entries.at(-1)?.index).toBe(plan.notice.lastIndex);
    expect(append.leaderCommit).toBe(h.node(leader).commit);
    // Members that hold everything get nothing.
    expect(plan.appends.every((e) => e.to === behind)).toBe(true);
  });

  it('two of three close at once while the third lags: it gets the last appends, covers both and is elected', () => {
    const { h, leader, synced, behind } = lagging();
    h.depart(leader);
    h.depart(synced);
    h.runUntil(() => h.leaders().includes(behind), 3000);
    write(h, behind, 'carried on');
    expect(h.appliedCommands(behind)).toContain('late');
  });

  it('without them it could never cover the departed leader and stays leaderless (the case they exist for)', () => {
    const { h, leader, synced, behind } = lagging();
    h.depart(leader);
    h.depart(synced);
    h.dropWhere((m) => m.from === leader && m.message.type === 'AppendEntries');
    h.runUntil(() => h.node(behind).departures.has(leader) && h.node(behind).departures.has(synced), 1000);
    h.advance(3000);
    expect(h.leaders()).toEqual([]);
  });
});

describe("a departed leader's last frames, overtaken by a copy of its notice", () => {
  it('its last AppendEntries still delivers its entries (not followed, not answered); its TimeoutNow still starts a campaign', () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const [target, other] = h.followers();
    write(h, leader, 'base');
    // The target misses the newest entry; the leader's plan carries it just ahead of TimeoutNow.
    h.cut(leader, target);
    h.propose(leader, 1, ['newest']);
    h.runUntil(() => h.appliedCommands(other).includes('newest'), 2000);
    h.heal();
    const plan = h.node(leader).departurePlan();
    expect(plan.handoffTo).toBe(other); // the most caught up
    // Force the handoff to the lagging one, to see that its last append brings it to the end.
    h.node(leader).leader!.progress.get(other)!.match = 0;
    h.depart(leader);
    // `other` passes the notice on first: the target hears of the departure before the frames.
    h.deliverAll((m) => m.from === leader && m.to === other);
    h.deliverAll((m) => m.from === other && m.to === target && m.message.type === 'Departure');
    const node = h.node(target);
    expect(node.departures.everDeparted(leader)).toBe(true);
    const lastBefore = node.log.lastIndex();
    h.deliverOne((m) => m.from === leader && m.to === target && m.message.type === 'AppendEntries');
    expect(node.log.lastIndex()).toBeGreaterThan(lastBefore);
    expect(node.status().leader).toBeNull();
    expect(h.network.some((m) => m.from === target && m.to === leader)).toBe(false);
    h.deliverOne((m) => m.from === leader && m.to === target && m.message.type === 'TimeoutNow');
    expect(node.status().role).toBe('candidate');
    h.runUntil(() => h.leaders().length === 1, 2000);
    write(h, h.leader(), 'after');
  });

  it('a stale last AppendEntries (older term than ours) is dropped', () => {
    const h = group(['a', 'b', 'c']);
    const node = h.node(h.followers()[0]);
    node.receive('x', { type: 'Departure', term: node.term, lastIndex: 0, lastTerm: 0 }, h.now);
    const dropped = node.droppedMessages;
    const last = node.log.lastIndex();
    node.receive('x', { type: 'AppendEntries', term: node.term - 1, prevLogIndex: last, prevLogTerm: node.log.lastTerm(), entries: [], leaderCommit: 0 }, h.now);
    expect(node.droppedMessages).toBe(dropped + 1);
  });
});

describe('no waiting when nobody else can be elected', () => {
  it('the last voter left campaigns at once, even after granting a vote to a candidate that then departed', () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const [candidate, last] = h.followers();
    h.depart(leader);
    h.deliverAll((m) => m.message.type === 'Departure' || m.message.type === 'AppendEntries' || m.message.type === 'AppendEntriesResponse');
    h.dropWhere((m) => m.message.type === 'TimeoutNow');
    // `candidate` asks for a vote (term + 1) and gets it, then departs before it hears back.
    const term = h.node(candidate).term + 1;
    const candidateLog = h.node(candidate).log;
    h.node(last).receive(candidate, { type: 'RequestVote', term, lastLogIndex: candidateLog.lastIndex(), lastLogTerm: candidateLog.lastTerm(), transfer: true }, h.now);
    expect(h.node(last).vote).toBe(candidate);
    h.depart(candidate);
    h.deliverAll((m) => m.message.type === 'Departure');
    const start = h.now;
    h.runUntil(() => h.leaders().includes(last), 1000, 1);
    expect(h.now - start).toBeLessThan(config.heartbeatMs);
  });

  it('a peer started to re-found its group (RaftNodeOptions.refound) is elected at its first tick', () => {
    const h = group(['a', 'b']);
    write(h, h.leader(), 'kept');
    // Every tab closes; a new identity starts from a's disk and re-founds (as the startup rules allow).
    for (const id of ['a', 'b']) h.depart(id);
    const state = h.disks.get('a')!.load();
    const node = new RaftNode({ id: 'n', config: h.config, preference: 'normal', random: seededRandom(1), now: h.now, state, refound: true });
    expect(node.membership.voters()).toEqual(['n']);
    node.tick(h.now + 1);
    expect(node.status().role).toBe('leader');
    expect(node.status().term).toBe(state.hardState.term + 1);
  });
});

/**
 * Voters a, b, c; d is a learner (maxVoters 3) that asked the first leader to vote, so the first
 * leader names it a successor. `next` is the first leader's TimeoutNow target, `third` the other voter.
 */
function learnerNamedByFirstLeader(): { h: EngineHarness; first: PeerId; next: PeerId; third: PeerId } {
  const h = group(['a', 'b', 'c', 'd'], { learners: ['d'], maxVoters: 3 });
  const first = h.leader();
  h.advance(300); // d's promotion wish reaches the first leader
  expect(h.node(first).departurePlan().notice.successors).toContain('d');
  const next = h.node(first).departurePlan().handoffTo!;
  const third = ['a', 'b', 'c'].find((id) => id !== first && id !== next)!;
  return { h, first, next, third };
}

describe('successors', () => {
  it("a leader of a moment names the learners its predecessor named; one of them re-founds when every voter closed", () => {
    const { h, first, next, third } = learnerNamedByFirstLeader();
    // The first leader closes with one voter; its TimeoutNow target is elected and closes at once,
    // before d's request can reach it (messages are delivered one by one, no time passes).
    h.depart(first);
    h.depart(third);
    while (h.node(next).status().role !== 'leader') expect(h.deliverOne()).toBe(true);
    expect(h.node(next).leader!.changes.wantsToVote('d')).toBe(false); // it never heard d itself
    expect(h.node(next).departurePlan().notice.successors).toContain('d');
    h.depart(next);
    h.runUntil(() => h.leaders().includes('d'), 3000);
    expect(h.node('d').status().members.voters).toEqual(['d']);
    write(h, 'd', 'd carries on');
  });

  it("a leader of a moment that heard of no departure names only peers already gone: its predecessor's list decides, and its learner re-founds", () => {
    const { h, first, next, third } = learnerNamedByFirstLeader();
    h.depart(first);
    // `next` is elected with `third`'s vote before the first leader's notice reaches it ...
    const notToNext = (m: { to: PeerId; message: { type: string } }) => !(m.to === next && m.message.type === 'Departure');
    while (h.node(next).status().role !== 'leader') expect(h.deliverOne(notToNext)).toBe(true);
    // ... and closes at once with `third`: its list names only the two voters it knew of, both gone.
    const named = h.node(next).departurePlan().notice.successors ?? [];
    expect(named).not.toContain('d');
    expect(named.length).toBeGreaterThan(0);
    expect(named.every((p) => p === first || p === third)).toBe(true);
    h.depart(third);
    h.depart(next);
    h.runUntil(() => h.leaders().includes('d'), 3000);
    expect(h.node('d').status().members.voters).toEqual(['d']);
    write(h, 'd', 'd carries on');
  });

  it("a successor whose log still holds an older configuration re-founds only once it covers the claim of the leader that named it (safety)", () => {
    // L, a learner still fetching: its log ends at index 5 (term 1), in a configuration of voters a
    // and b. Meanwhile the group went on under a later configuration, led by c, which committed up
    // to index 23 in term 3 and named L its successor when it closed. a and b departed too, their
    // final positions within L's log. Re-founding on L's log now would lose entries 6..23.
    const state: PersistedState = {
      hardState: { term: 1, vote: null, commit: 5 },
      snapshot: null,
      entries: [{ kind: 'config', index: 1, term: 1, membership: { voters: ['a', 'b'], learners: ['L'] } }, ...[2, 3, 4, 5].map((index): LogEntry => ({ kind: 'noop', index, term: 1 }))],
    };
    const start = (claimIndex: number, claimTerm: number) => {
      const node = new RaftNode({ id: 'L', config: { ...defaultRaftConfig, ...config }, preference: 'normal', random: seededRandom(3), now: 0, state: structuredClone(state) });
      node.receive('a', { type: 'Departure', term: 1, lastIndex: 5, lastTerm: 1 }, 1);
      node.receive('b', { type: 'Departure', term: 1, lastIndex: 5, lastTerm: 1 }, 2);
      node.receive('c', { type: 'Departure', term: 3, lastIndex: claimIndex, lastTerm: claimTerm, led: true, successors: ['L'] }, 3);
      for (let t = 4; t < 3000; t += 10) node.tick(t);
      return node;
    };
    const short = start(23, 3);
    expect(short.membership.voters()).toEqual(['a', 'b']);
    expect(short.status().role).not.toBe('leader');
    // The control: with the claim inside its log (c committed nothing past it), L re-founds and leads.
    const covered = start(5, 1);
    expect(covered.membership.voters()).toEqual(['L']);
    expect(covered.status().role).toBe('leader');
  });

  it('a successor re-founds only once it covers the claim of one ranked before it, which may have re-founded and closed as a follower (safety)', () => {
    // L, a learner, holds the log to index 5 (term 1) of voters a and b. Leader a closes naming S
    // then L its successors; b has closed before. S re-founded the group alone, committed up to 9
    // in term 2, its tab crashed and was adopted, and it closed as a follower: its notice names no
    // list and claims 9/2. Re-founding on L's log would lose 6..9.
    const state: PersistedState = {
      hardState: { term: 1, vote: null, commit: 5 },
      snapshot: null,
      entries: [{ kind: 'config', index: 1, term: 1, membership: { voters: ['a', 'b'], learners: ['S', 'L'] } }, ...[2, 3, 4, 5].map((index): LogEntry => ({ kind: 'noop', index, term: 1 }))],
    };
    const start = (sClaim: { lastIndex: number; lastTerm: number }) => {
      const node = new RaftNode({ id: 'L', config: { ...defaultRaftConfig, ...config }, preference: 'normal', random: seededRandom(3), now: 0, state: structuredClone(state) });
      node.receive('b', { type: 'Departure', term: 1, lastIndex: 5, lastTerm: 1 }, 1);
      node.receive('a', { type: 'Departure', term: 1, lastIndex: 5, lastTerm: 1, led: true, successors: ['S', 'L'] }, 2);
      node.receive('S', { type: 'Departure', term: 2, ...sClaim }, 3);
      for (let t = 4; t < 3000; t += 10) node.tick(t);
      return node;
    };
    const short = start({ lastIndex: 9, lastTerm: 2 });
    expect(short.membership.voters()).toEqual(['a', 'b']);
    expect(short.status().role).not.toBe('leader');
    // The control: S closed with nothing past L's log (it never re-founded), and L re-founds.
    const covered = start({ lastIndex: 5, lastTerm: 1 });
    expect(covered.membership.voters()).toEqual(['L']);
    expect(covered.status().role).toBe('leader');
  });

  it("a successor passed over that re-founded the group and named nobody: its configuration's slot decides, not the older list (safety)", () => {
    // Voters a and b, learners S and L. Leader a closes naming S then L; b has closed before. S
    // re-founded the group alone in term 2 (its configuration at 6, its no-op at 7), named nobody
    // (L never joined it) and closed. L holds S's log. The tab taking S's slot over on S's device
    // may re-found S's configuration: L re-founding it too by a's list would fork the group.
    const term1 = (voters: PeerId[], learners: PeerId[]): LogEntry[] => [{ kind: 'config', index: 1, term: 1, membership: { voters, learners } }, ...[2, 3, 4, 5].map((index): LogEntry => ({ kind: 'noop', index, term: 1 }))];
    // L starts on `entries` (all committed), hears b, then a naming S and L, then S as a leader
    // that named nobody and claims the end of `entries`.
    const start = (entries: LogEntry[], bugs?: InjectedBugs) => {
      const last = entries[entries.length - 1];
      const state: PersistedState = { hardState: { term: 2, vote: null, commit: last.index }, snapshot: null, entries };
      const node = new RaftNode(withInjectedBugs({ id: 'L', config: { ...defaultRaftConfig, ...config }, preference: 'normal', random: seededRandom(3), now: 0, state }, bugs));
      node.receive('b', { type: 'Departure', term: 1, lastIndex: 5, lastTerm: 1 }, 1);
      node.receive('a', { type: 'Departure', term: 1, lastIndex: 5, lastTerm: 1, led: true, successors: ['S', 'L'] }, 2);
      node.receive('S', { type: 'Departure', term: 2, lastIndex: last.index, lastTerm: last.term, led: true }, 3);
      for (let t = 4; t < 3000; t += 10) node.tick(t);
      return node;
    };
    const refounded: LogEntry[] = [...term1(['a', 'b'], ['S', 'L']), { kind: 'config', index: 6, term: 2, membership: { voters: ['S'], learners: [] } }, { kind: 'noop', index: 7, term: 2 }];
    const short = start(refounded);
    expect(short.status().frozen).toBe(true);
    expect(short.membership.voters()).toEqual(['S']);
    expect(short.status().role).not.toBe('leader');
    // With the rule switched off, L re-founds: the fork this guards against.
    const bug = start(refounded, { succeedPastLaterConfiguration: true });
    expect(bug.membership.voters()).toEqual(['L']);
    // The control: S was only a leader of a moment (a voter of a's configuration that wrote its
    // no-op and closed knowing every other voter gone). Its list is empty, the configuration is
    // still a's, so a's list decides and L re-founds.
    const control = start([...term1(['a', 'b', 'S'], ['L']), { kind: 'noop', index: 6, term: 2 }]);
    expect(control.membership.voters()).toEqual(['L']);
    expect(control.status().role).toBe('leader');
  });

  it('a successor whose configuration may not have replaced the one before waits for the voter it removed (safety: that voter may lead there)', () => {
    // E, a learner: voters a, b, c, d committed up to 9 (term 3). Leader b of term 4 appended a
    // configuration removing a at 10, which reached E only, and departed naming E. a may have been
    // elected since by the configuration before, with c's and d's votes (they departed in term 5),
    // and lead it alone now that they are gone: E re-founding b's configuration would fork the group.
    const all = { voters: ['a', 'b', 'c', 'd'], learners: ['E'] };
    const state: PersistedState = {
      hardState: { term: 4, vote: null, commit: 9 },
      snapshot: null,
      entries: [
        { kind: 'config', index: 1, term: 1, membership: all },
        ...[2, 3, 4, 5, 6, 7, 8, 9].map((index): LogEntry => ({ kind: 'noop', index, term: 3 })),
        { kind: 'config', index: 10, term: 4, membership: { voters: ['b', 'c', 'd'], learners: ['E'] } },
      ],
    };
    const start = (aDeparted: Departure | null, commit = 9) => {
      const node = new RaftNode({ id: 'E', config: { ...defaultRaftConfig, ...config }, preference: 'normal', random: seededRandom(5), now: 0, state: { ...structuredClone(state), hardState: { term: 4, vote: null, commit } } });
      node.receive('b', { type: 'Departure', term: 4, lastIndex: 10, lastTerm: 4, led: true, successors: ['E'] }, 1);
      node.receive('c', { type: 'Departure', term: 5, lastIndex: 9, lastTerm: 3 }, 2);
      node.receive('d', { type: 'Departure', term: 5, lastIndex: 9, lastTerm: 3 }, 3);
      if (aDeparted) node.receive('a', aDeparted, 4);
      for (let t = 5; t < 3000; t += 10) node.tick(t);
      return node;
    };
    const waiting = start(null);
    expect(waiting.status().priorVoters).toEqual(['a']);
    expect(waiting.status().frozen).toBe(true);
    expect(waiting.departureHandler.refounds).toBe(0);
    // a departed having written past E's log (elected in term 5): never.
    expect(start({ type: 'Departure', term: 5, lastIndex: 11, lastTerm: 5, led: true }).departureHandler.refounds).toBe(0);
    // a departed within E's log: E holds every committed entry and re-founds.
    const covered = start({ type: 'Departure', term: 5, lastIndex: 9, lastTerm: 3 });
    expect(covered.departureHandler.refounds).toBe(1);
    expect(covered.membership.voters()).toEqual(['E']);
    // The control: a commit index that shows b's change committed needs no word of a.
    expect(start(null, 10).departureHandler.refounds).toBe(1);
  });

  /**
   * Five voters; the leader closes, and its handoff target takes its TimeoutNow and stands (its
   * vote requests are lost), then closes too. `deliverNotices` hands the three left both notices,
   * in the order a test wants; then the first successor left must stand at its next tick, well
   * before any election timeout could fire, and be elected.
   */
  function leaderAndHandoffClose(deliverNotices: (c: { h: EngineHarness; leader: PeerId; handoff: PeerId; rest: PeerId[]; handoffCloses: () => void }) => void): void {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const h = group(ids);
    write(h, h.leader(), 'base');
    const leader = h.leader();
    const handoff = h.node(leader).departurePlan().handoffTo!;
    h.depart(leader);
    const rest = ids.filter((id) => id !== leader && id !== handoff);
    const handoffCloses = () => {
      h.deliverOne((m) => m.to === handoff && m.message.type === 'TimeoutNow');
      expect(h.node(handoff).status().role).toBe('candidate');
      h.dropWhere((m) => m.from === handoff);
      h.depart(handoff);
    };
    deliverNotices({ h, leader, handoff, rest, handoffCloses });
    h.advance(config.heartbeatMs / 5, 1);
    expect(rest.filter((id) => h.node(id).status().role !== 'follower')).toHaveLength(1);
    h.runUntil(() => h.leaders().length === 1, config.electionTimeoutMs);
    write(h, h.leader(), 'after both left');
  }

  it("the leader's ranking counts when its handoff candidate's notice (a later term) arrives first", () => {
    leaderAndHandoffClose(({ h, leader, handoff, rest, handoffCloses }) => {
      handoffCloses();
      // Every peer that stays hears the candidate's notice (term + 1) before the leader's: the term
      // change makes it forget the leader before it learns that the leader left.
      h.deliverAll((m) => m.from === handoff && m.message.type === 'Departure');
      for (const id of rest) expect(h.node(id).status().leader).toBeNull();
      h.deliverAll((m) => m.from === leader && m.message.type === 'Departure');
    });
  });

  it("a departed candidate's later term does not cancel the turns of peers that never voted for it", () => {
    leaderAndHandoffClose(({ h, leader, handoff, rest, handoffCloses }) => {
      // The others hear the leader leave first: each waits for its turn behind the handoff target.
      h.deliverAll((m) => m.from === leader && m.message.type === 'Departure' && rest.includes(m.to));
      // The target stands and closes before anyone's turn came; its notice (of its later term)
      // moves everyone to that term.
      handoffCloses();
      h.deliverAll((m) => m.from === handoff && m.message.type === 'Departure');
      for (const id of rest) expect(h.node(id).term).toBe(h.node(rest[0]).term);
    });
  });

  it('a successor turn yields to a candidate that is still here, and comes back when that candidate departs', () => {
    const h = group(['a', 'b', 'c']);
    write(h, h.leader(), 'base');
    const leader = h.leader();
    const [first, behind] = h.followers();
    // `behind` misses the newest entry, so the departing leader ranks `first` before it.
    h.cut(leader, behind);
    h.propose(leader, 1, ['newest']);
    h.runUntil(() => h.appliedCommands(first).includes('newest'), 2000);
    const plan = h.node(leader).departurePlan();
    expect(plan.notice.successors?.[0]).toBe(first);
    h.depart(leader, () => false); // its notices and last appends are late
    h.dropWhere((m) => m.from === leader);
    // `behind` stands first (its timer ran out); `first` denies it (its log is behind) but sees it campaign.
    h.node(behind).receive(leader, { type: 'TimeoutNow', term: h.node(behind).term }, h.now);
    h.drain(behind);
    h.deliverAll((m) => m.from === behind && m.to === first && m.message.type === 'RequestVote');
    h.dropWhere((m) => m.from === first);
    h.node(first).receive(leader, plan.notice, h.now);
    h.drain(first);
    h.dropWhere((m) => m.to === behind || m.from === behind);
    const node = h.node(first);
    for (let i = 0; i < 4; i++) {
      h.now += config.heartbeatMs / 2;
      node.tick(h.now);
      h.drain(first);
      expect(node.status().role).toBe('follower');
    }
    // The candidate closes: `first` stands at its next tick and, covering both, leads alone.
    h.depart(behind);
    h.deliverAll((m) => m.from === behind && m.to === first);
    h.now += 1;
    node.tick(h.now);
    h.drain(first);
    expect(node.status().role).not.toBe('follower');
    h.runUntil(() => h.leaders().includes(first), config.electionTimeoutMs);
  });

  it('a successor that granted a pre-vote to one ranked before it gives up its own turn (no split vote)', () => {
    const h = group(['a', 'b', 'c']);
    write(h, h.leader(), 'base');
    const leader = h.leader();
    const plan = h.node(leader).departurePlan();
    const [ahead, next] = plan.notice.successors!;
    h.depart(leader, () => false);
    h.dropWhere((m) => m.from === leader);
    for (const id of [ahead, next]) {
      h.node(id).receive(leader, plan.notice, h.now);
      h.drain(id);
    }
    // `ahead` takes its turn at once; its pre-vote reaches `next`, whose grant is lost on the way back.
    h.now += 1;
    h.node(ahead).tick(h.now);
    h.drain(ahead);
    expect(h.node(ahead).status().role).toBe('pre-candidate');
    h.deliverAll((m) => m.from === ahead && m.to === next && m.message.type === 'PreVote');
    expect(h.sentOf('PreVoteResponse', { from: next, to: ahead }).at(-1)?.message.vote).toBe('granted');
    h.dropWhere((m) => m.from === next || m.from === ahead);
    // A heartbeat later was `next`'s turn: campaigning now would split the vote with `ahead`.
    for (let i = 0; i < 4; i++) {
      h.now += config.heartbeatMs / 2;
      h.node(next).tick(h.now);
      h.drain(next);
      expect(h.node(next).status().role).toBe('follower');
    }
    // Should `ahead` not go on, a whole election timeout later `next` stands after all.
    h.now += config.electionTimeoutMs + config.electionJitterMs;
    h.node(next).tick(h.now);
    expect(h.node(next).status().role).not.toBe('follower');
  });

  it('a learner whose last request went to a peer before it was elected asks it again once it leads', () => {
    const h = group(['a', 'b', 'c', 'd'], { learners: ['d'], maxVoters: 3 });
    const old = h.leader();
    const [x, y] = ['a', 'b', 'c'].filter((id) => id !== old);
    // No leader can be elected: the old one is cut off, the other two cannot reach each other.
    h.isolate(old);
    h.cut(x, y);
    h.cut(y, x);
    // Without a leader, d asks the peers in turn; wait for a request to one of the two.
    const before = h.sentOf('JoinRequest', { from: 'd' }).length;
    let asked: PeerId | undefined;
    h.runUntil(() => {
      asked = [x, y].find((p) => h.sentOf('JoinRequest', { from: 'd' }).slice(before).some((m) => m.to === p));
      return asked !== undefined;
    }, 5000, 5);
    const target = asked!;
    expect(h.node(target).status().role).not.toBe('leader');
    // That peer wins at once (a transfer is not held back by the lease), well within d's retry interval.
    h.heal();
    h.isolate(old);
    h.node(target).receive(old, { type: 'TimeoutNow', term: h.node(target).term }, h.now);
    h.drain(target);
    const elected = h.now;
    h.runUntil(() => h.node(target).status().role === 'leader' && h.node(target).leader!.changes.wantsToVote('d'), 200, 1);
    expect(h.now - elected).toBeLessThan(config.electionTimeoutMs);
  });
});

describe('notices reach peers that were not there', () => {
  it('a member passes the notices it holds to a peer that connects later', () => {
    const h = group(['a', 'b', 'c']);
    const [f1, f2] = h.followers();
    h.node(f1).receive(f2, { type: 'Departure', term: h.node(f1).term, lastIndex: 1, lastTerm: 1 }, h.now);
    h.drain(f1);
    h.network = [];
    h.node(f1).peerUp('newcomer', h.now);
    h.drain(f1);
    expect(h.network.find((m) => m.to === 'newcomer' && m.message.type === 'Departure')?.message).toMatchObject({ peer: f2, lastIndex: 1 });
  });

  it('a peer with no leader passes its notices on again once per election timeout (the copy sent as a link came up is lost when the other side was not running yet)', () => {
    const h = group(['a', 'b', 'c']);
    // A tab that knows the configuration and no leader (it reaches nobody), and heard c depart.
    const n = h.addPeer('n', { voters: ['a', 'b', 'c'], learners: [] });
    n.receive('c', { type: 'Departure', term: 1, lastIndex: 1, lastTerm: 1 }, h.now);
    n.receive('stranger', { type: 'Departure', term: 1, lastIndex: 1, lastTerm: 1 }, h.now);
    n.peerUp('late', h.now);
    h.drain('n');
    const copies = (peer: PeerId) => h.sent.filter((m) => m.from === 'n' && m.to === 'late' && m.message.type === 'Departure' && m.message.peer === peer).length;
    expect(copies('c')).toBe(1);
    h.advance(3 * config.electionTimeoutMs);
    expect(copies('c')).toBeGreaterThanOrEqual(3);
    expect(copies('c')).toBeLessThanOrEqual(5);
    // Only notices about members go again: a peer that stays no member would otherwise send every notice it ever saw.
    expect(copies('stranger')).toBe(1);
  });

  it('a notice passed on by a peer not known as a member is held until it is one; a stranger never counts', () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    const member = h.followers()[0];
    const n = h.addPeer('n', null); // a new tab: empty configuration
    const term = h.node(leader).term;
    const notice = (peer: PeerId): Departure => ({ type: 'Departure', term, lastIndex: 1, lastTerm: 1, peer });
    n.receive(member, notice('ghost'), h.now);
    n.receive('mallory', notice(member), h.now);
    h.drain('n');
    expect(n.departures.everDeparted('ghost')).toBe(false);
    expect(n.departures.everDeparted(member)).toBe(false);
    h.connectAll();
    h.runUntil(() => n.membership.isMember(member), 3000);
    h.advance(20);
    expect(n.departures.everDeparted('ghost')).toBe(true);
    expect(n.departures.everDeparted(member)).toBe(false);
    expect(n.membership.voters()).toContain(member);
  });

  it('a held notice is taken once the host sees the peer it names running nowhere; one about a peer it sees stays held', () => {
    const h = group(['a', 'b', 'c']);
    const member = h.followers()[0];
    const n = h.addPeer('n', null);
    const term = h.node(h.leader()).term;
    const notice = (peer: PeerId): Departure => ({ type: 'Departure', term, lastIndex: 1, lastTerm: 1, peer });
    n.receive('stranger', notice('ghost'), h.now);
    n.receive('stranger', notice(member), h.now);
    n.peersPresent(['a', 'b', 'c', 'n', 'stranger', 'ghost'], h.now);
    h.drain('n');
    expect(n.departures.everDeparted('ghost')).toBe(false);
    n.peersPresent(['a', 'b', 'c', 'n', 'stranger'], h.now);
    h.drain('n');
    expect(n.departures.everDeparted('ghost')).toBe(true);
    expect(n.departures.everDeparted(member)).toBe(false);
    expect(n.departureHandler.relays.takenOnAbsence).toBe(1);
  });

  it("a successor that learns its leader's departure only from a stranger re-founds once the host sees that leader running nowhere", () => {
    // Two devices: 'a' leads alone with learner 'l'; its notice names 'l' but reaches only a tab of
    // the other device that is no member of l's configuration, which passes it on to 'l'.
    const h = group(['a', 'l'], { learners: ['l'] });
    write(h, 'a', 'kept');
    const plan = h.node('a').depart(h.now);
    h.removePeer('a');
    expect(plan.notice.successors).toContain('l');
    const l = h.node('l');
    l.receive('other-device', { ...plan.notice, peer: 'a' }, h.now);
    h.advance(3 * config.electionTimeoutMs);
    expect(l.status().role).not.toBe('leader');
    expect(l.departures.everDeparted('a')).toBe(false);
    l.peersPresent(['l', 'other-device'], h.now);
    h.runUntil(() => l.status().role === 'leader', 3000);
    expect(l.departureHandler.refounds).toBe(1);
    expect(l.status().members.voters).toEqual(['l']);
    write(h, 'l', 'after');
    expect(h.appliedCommands('l')).toEqual(expect.arrayContaining(['kept', 'after']));
  });

  it('Ready.departures lists each notice once, the first time it is seen, naming its peer', () => {
    const h = group(['a', 'b', 'c']);
    const follower = h.followers()[0];
    const node = h.node(follower);
    const seen: Departure[] = [];
    const notice: Departure = { type: 'Departure', term: node.term, lastIndex: 3, lastTerm: 1 };
    node.receive('x', notice, h.now);
    node.receive('y', { ...notice, peer: 'x' }, h.now);
    while (node.hasReady()) seen.push(...(node.ready().departures ?? []));
    expect(seen).toEqual([{ ...notice, peer: 'x' }]);
  });
});

describe('claims of departed leaders', () => {
  const led = (term: number, lastIndex: number, lastTerm: number): Departure => ({ type: 'Departure', term, lastIndex, lastTerm, led: true });

  it("a leader of a moment reports the log it inherited; entries there of a departed leader's term beyond that leader's final position never counted", () => {
    const book = new DepartureBook();
    book.record('l2', led(2, 150, 2)); // led term 2, committed up to 150
    book.record('l3', led(3, 151, 2)); // elected in term 3, left before committing anything: inherited 151/2
    expect(book.claim('l3')).toMatchObject({ lastIndex: 150, lastTerm: 2 });
  });

  it("a leader that committed in its own term is not capped by an earlier leader's position", () => {
    const book = new DepartureBook();
    book.record('l2', led(2, 150, 2));
    book.record('l3', led(3, 153, 3));
    expect(book.claim('l3')).toMatchObject({ lastIndex: 153, lastTerm: 3 });
    expect(book.claim('l2')).toMatchObject({ lastIndex: 150, lastTerm: 2 });
  });
});

describe('liveness details', () => {
  it('membership reviews keep their schedule under a steady stream of reads (each starts a heartbeat round)', () => {
    const h = group(['a', 'b', 'c', 'd', 'e']);
    const leader = h.leader();
    const [g1, g2] = h.followers();
    const node = h.node(leader);
    // Two notices at once: the first removal starts at once, the second must wait for a review.
    node.receive(g1, { type: 'Departure', term: node.term, lastIndex: 0, lastTerm: 0 }, h.now);
    node.receive(g2, { type: 'Departure', term: node.term, lastIndex: 0, lastTerm: 0 }, h.now);
    h.drain(leader);
    expect(node.membership.voters()).toContain(g2);
    const start = h.now;
    let reads = 0;
    h.runUntil(() => {
      h.read(leader, 10_000 + reads++);
      const voters = node.membership.voters();
      return !voters.includes(g1) && !voters.includes(g2) && node.commit >= node.membership.currentIndex();
    }, 2000, 5);
    expect(reads).toBeGreaterThan(3);
    expect(h.now - start).toBeLessThan(10 * config.heartbeatMs);
  });

  it('a candidate asks again, every heartbeat, the voters that did not answer', () => {
    const h = group(['a', 'b', 'c']);
    const candidate = h.followers()[0];
    const node = h.node(candidate);
    node.receive(h.leader(), { type: 'TimeoutNow', term: node.term }, h.now);
    h.drain(candidate);
    const first = h.dropWhere((m) => m.from === candidate && m.message.type === 'RequestVote');
    expect(first.length).toBe(2);
    h.now += config.heartbeatMs;
    node.tick(h.now);
    h.drain(candidate);
    const again = h.network.filter((m) => m.from === candidate && m.message.type === 'RequestVote');
    expect(again.map((m) => m.to).sort()).toEqual(first.map((m) => m.to).sort());
    expect(again.every((m) => m.message.type === 'RequestVote' && m.message.term === node.term)).toBe(true);
    h.deliverAll(isMessage('RequestVote'));
    h.deliverAll();
    expect(node.status().role).toBe('leader');
  });
});

describe('two frozen logs that end in different configurations', () => {
  it("the one whose latest configuration only it holds fetches what the voter that change removed committed as leader, and ends in that voter's configuration", () => {
    // Voters a, b, c, d committed up to 9 (term 3). Leader b of term 4 appended a change removing a
    // at 10 that reached nobody, and departed. a was elected in term 5 with c's and d's votes, and
    // once they departed committed 10 and 11 alone, then departed too. x continues b's log, y a's
    // (each a tab that took the departed slot over and joined): both frozen. x fetches toward the
    // latest departed leader's claim, a's (it is no voter), and the entries replace b's change: its
    // log then ends in the configuration a's profile judges, so the two profiles decide on the same
    // voters (lifecycle/founding.ts) instead of x's profile waiting on a claim it can never cover.
    const all = { voters: ['a', 'b', 'c', 'd'], learners: [] };
    const base: LogEntry[] = [{ kind: 'config', index: 1, term: 1, membership: all }, ...[2, 3, 4, 5, 6, 7, 8, 9].map((index): LogEntry => ({ kind: 'noop', index, term: 3 }))];
    const h = new EngineHarness({ ids: ['x', 'y'], config, bootstrapFor: () => undefined });
    h.disks.get('x')!.state = { hardState: { term: 4, vote: null, commit: 9 }, snapshot: null, entries: [...base, { kind: 'config', index: 10, term: 4, membership: { voters: ['b', 'c', 'd'], learners: [] } }] };
    h.disks.get('y')!.state = { hardState: { term: 5, vote: null, commit: 11 }, snapshot: null, entries: [...base, { kind: 'noop', index: 10, term: 5 }, { kind: 'command', index: 11, term: 5, data: new TextEncoder().encode('committed by a alone') }] };
    for (const id of ['x', 'y']) h.start(id);
    h.connectAll();
    const notices: Array<[PeerId, Departure]> = [
      ['b', { type: 'Departure', term: 4, lastIndex: 10, lastTerm: 4, led: true }],
      ['c', { type: 'Departure', term: 5, lastIndex: 9, lastTerm: 3 }],
      ['d', { type: 'Departure', term: 5, lastIndex: 9, lastTerm: 3 }],
      ['a', { type: 'Departure', term: 5, lastIndex: 11, lastTerm: 5, led: true }],
    ];
    for (const id of ['x', 'y']) for (const [peer, notice] of notices) h.node(id).receive(peer, notice, h.now);
    expect(h.node('x').status().priorVoters).toEqual(['a']);
    h.runUntil(() => h.node('x').log.lastIndex() === 11 && h.node('x').log.termAt(11) === 5, 5000);
    expect(h.node('x').status().members.voters).toEqual(['a', 'b', 'c', 'd']);
    expect(h.node('x').status().priorVoters).toBeUndefined();
    expect(h.node('x').status().frozen).toBe(true);
    expect(h.leaders()).toEqual([]);
  });
});

// A departed leader's claim can end in entries nobody holds as committed: the log it inherited when
// elected reaches past its commit index, and its last appends reached nobody who needed them. The
// voter left then asks the peers it reaches for their log after its own last entry (log-tails.ts).
import { describe, expect, it } from 'vitest';
import { LOG_TAIL_MAX_ENTRIES, LogTails, type LogTailHost } from '../src/engine/log-tails';
import { RaftLog } from '../src/engine/raft-log';
import { UnacknowledgedEntries } from '../src/engine/unacknowledged-entries';
import { resolveConfig } from '../src/config';
import { RaftNode } from '../src/engine/index';
import { seededRandom } from '../src/rng';
import type { LogTailResponse, Message } from '../src/messages';
import type { LogEntry, PeerId } from '../src/types';
import { elected, EngineHarness, fastTimings } from './support/engine-harness';

const config = { ...fastTimings, autoRemoveAfterMs: 60_000 };

describe('engine: a departed leader whose claim only a learner can cover', () => {
  it('the voter left of two fetches the tail from the learner that holds it, covers the claim and leads', () => {
    const h = elected(['a', 'b', 'n'], { config, seed: 4, connect: true, untilOnline: true, preferences: { n: 'observer' } });
    const leader = h.leader();
    const voter = leader === 'a' ? 'b' : 'a';
    // The voters cannot reach each other: the leader's next command reaches only the learner, and
    // check-quorum makes the leader step down.
    h.cut(leader, voter);
    h.cut(voter, leader);
    h.propose(leader, 1, ['x']);
    h.runUntil(() => h.node('n').log.lastIndex() === h.node(leader).log.lastIndex() && h.node(leader).role !== 'leader', 5000);
    const withX = h.node(leader).log.lastIndex();
    expect(h.node(voter).log.lastIndex()).toBeLessThan(withX);
    expect(h.node(leader).commit).toBeLessThan(withX);

    // They reconnect; the former leader's log is longer, so it wins the next term, with `voter`'s
    // vote. Its appends to `voter` never arrive: it inherited 'x' and departs before they do.
    h.heal();
    h.cut(leader, voter);
    const voteRequest = (m: { from: PeerId; to: PeerId; message: Message }) =>
      m.from === leader && m.to === voter && (m.message.type === 'PreVote' || m.message.type === 'RequestVote');
    // Time passes in 10 ms steps; from `leader` to `voter` only vote requests get through.
    for (let waited = 0; h.node(leader).role !== 'leader'; waited += 10) {
      expect(waited).toBeLessThan(5000);
      h.now += 10;
      for (const id of ['a', 'b', 'n']) {
        h.node(id).tick(h.now);
        h.drain(id);
      }
      for (let moved = true; moved; ) {
        moved = h.deliverOne((m) => !voteRequest(m));
        for (const m of h.dropWhere(voteRequest)) {
          moved = true;
          h.node(voter).receive(leader, m.message, h.now);
          h.drain(voter);
        }
      }
    }
    const plan = h.node(leader).departurePlan();
    expect(plan.notice.lastIndex).toBeGreaterThanOrEqual(withX); // the inherited log counts
    h.depart(leader);
    // The notice reaches `voter` through the learner (every peer passes a notice on once).
    h.runUntil(() => h.node(voter).departures.has(leader), 2000);
    expect(h.node(voter).log.lastIndex()).toBeLessThan(withX);

    // Nobody holds 'x' as committed, so no catch-up can bring it; the learner's log has it.
    h.runUntil(() => h.leaders().includes(voter), 3000);
    expect(h.sentOf('LogTailResponse', { from: 'n', to: voter }).length).toBeGreaterThan(0);
    h.propose(voter, 2, ['after']);
    h.runUntil(() => h.appliedCommands(voter).includes('after'), 2000);
    expect(h.appliedCommands(voter)).toEqual(expect.arrayContaining(['x', 'after']));
  });
});

describe('engine: a tail found in a departed leader\'s storage on the same device (RaftNodeOptions.logTail)', () => {
  // Voters a and b. a led term 2, inherited entry 4 when elected and departed before its appends
  // reached b, which had crashed; b restarts (a tab adopts its identity) with its log ending at 3.
  // a's storage, on the same device, still holds entry 4; no running peer does.
  const log: LogEntry[] = [
    { kind: 'config', index: 1, term: 1, membership: { voters: ['a', 'b'], learners: [] } },
    { kind: 'noop', index: 2, term: 2 },
    { kind: 'noop', index: 3, term: 2 },
  ];
  const notice = { type: 'Departure' as const, term: 2, lastIndex: 4, lastTerm: 2, led: true };
  const tail = { prevLogIndex: 3, prevLogTerm: 2, entries: [{ kind: 'noop' as const, index: 4, term: 2 }] };

  function restartB(logTail?: typeof tail): RaftNode {
    const state = { hardState: { term: 2, vote: 'a', commit: 2 }, snapshot: null, entries: log };
    const node = new RaftNode({ id: 'b', config: resolveConfig(config), preference: 'normal', random: seededRandom(3), now: 0, state, ...(logTail ? { logTail } : {}) });
    node.receive('a', notice, 0);
    return node;
  }

  /** Ticks for `ms`, persisting every Ready at once; whether `node` led at the end. */
  function leadsAfter(node: RaftNode, ms: number): boolean {
    for (let now = 10; now <= ms; now += 10) {
      node.tick(now);
      while (node.hasReady()) node.storageDone(node.ready().token);
    }
    return node.status().role === 'leader';
  }

  it('covers the departed leader\'s final position with it and leads; without it, it can never be elected', () => {
    const without = restartB();
    expect(leadsAfter(without, 10 * config.electionTimeoutMs)).toBe(false);
    const given = restartB(tail);
    expect(given.log.lastIndex()).toBe(4);
    expect(leadsAfter(given, 3 * config.electionTimeoutMs)).toBe(true);
    expect(given.commit).toBeGreaterThanOrEqual(4); // its no-op commits the inherited entry too
  });

  it('is ignored when it does not continue the log exactly (another term at its anchor)', () => {
    const node = restartB({ ...tail, prevLogTerm: 1 });
    expect(node.log.lastIndex()).toBe(3);
    expect(leadsAfter(node, 5 * config.electionTimeoutMs)).toBe(false);
  });
});

describe('engine: a frozen peer asks for the tail that makes it a voter', () => {
  it("a configuration that reached only the named successor (it made the frozen peer a voter) comes to the frozen peer, which then leads", () => {
    // a led b (voters) with learners c and d, appended the promotion of c at 4, sent it to d only,
    // and departed at 3/2 (its final position) naming b, d, c; b departed too. In d's log c is a
    // voter, live, so d (the successor) waits for it; in c's log c is a learner, frozen.
    const base: LogEntry[] = [
      { kind: 'config', index: 1, term: 1, membership: { voters: ['a', 'b'], learners: ['c', 'd'] } },
      { kind: 'noop', index: 2, term: 2 },
      { kind: 'noop', index: 3, term: 2 },
    ];
    const promotion: LogEntry = { kind: 'config', index: 4, term: 2, membership: { voters: ['a', 'b', 'c'], learners: ['d'] } };
    const h = new EngineHarness({ ids: ['c', 'd'], config, bootstrap: { voters: [], learners: [] } });
    h.disks.get('c')!.state = { hardState: { term: 2, vote: null, commit: 3 }, snapshot: null, entries: base };
    h.disks.get('d')!.state = { hardState: { term: 2, vote: null, commit: 3 }, snapshot: null, entries: [...base, promotion] };
    for (const id of ['c', 'd']) h.start(id);
    h.connectAll();
    for (const id of ['c', 'd']) {
      h.node(id).receive('a', { type: 'Departure', term: 2, lastIndex: 3, lastTerm: 2, led: true, successors: ['b', 'd', 'c'] }, h.now);
      h.node(id).receive('b', { type: 'Departure', term: 2, lastIndex: 3, lastTerm: 2 }, h.now);
    }
    expect(h.node('c').status().frozen).toBe(true);
    expect(h.node('d').status().frozen).toBeUndefined();
    h.runUntil(() => h.leaders().includes('c'), 3000);
    expect(h.sentOf('LogTailResponse', { from: 'd', to: 'c' }).length).toBeGreaterThan(0);
    expect(h.node('c').membership.voters()).toContain('c');
  });
});

describe('LogTails', () => {
  const entries = (from: number, to: number, term: number): LogEntry[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ kind: 'noop' as const, index: from + i, term }));

  function host(log: RaftLog, over: Partial<LogTailHost> = {}) {
    const sent: Array<{ to: PeerId; message: Message }> = [];
    const node = {
      log,
      term: 3,
      commit: 0,
      now: 1000,
      config: resolveConfig({ heartbeatMs: 50 }),
      role: 'follower',
      leaderId: null,
      vote: null,
      inLease: () => false,
      unacknowledged: new UnacknowledgedEntries(),
      membership: { needsLogging: () => false },
      connectedPeers: () => ['p', 'q'],
      droppedMessages: 0,
      send: (to: PeerId, message: Message) => void sent.push({ to, message }),
      appendToLog: (more: LogEntry[]) => log.append(more),
      advanceCommit: () => {},
      truncateLog: (from: number) => log.truncateFrom(from),
      ...over,
    } as unknown as LogTailHost;
    return { node, sent };
  }

  it('answers only an asker whose last entry it holds, with at most LOG_TAIL_MAX_ENTRIES after it', () => {
    const { node, sent } = host(new RaftLog(0, 0, [...entries(1, 5, 1), ...entries(6, 200, 2)]));
    const tails = new LogTails(node);
    tails.answer('p', { type: 'LogTailRequest', lastIndex: 5, lastTerm: 2, upTo: 100 }); // term differs at 5: another log
    tails.answer('p', { type: 'LogTailRequest', lastIndex: 200, lastTerm: 2, upTo: 300 }); // nothing after it here
    expect(sent).toEqual([]);
    tails.answer('p', { type: 'LogTailRequest', lastIndex: 5, lastTerm: 1, upTo: 10 });
    tails.answer('q', { type: 'LogTailRequest', lastIndex: 5, lastTerm: 1, upTo: 1000 });
    const [short, long] = sent.map((s) => s.message as LogTailResponse);
    expect(short).toMatchObject({ prevLogIndex: 5, prevLogTerm: 1 });
    expect(short.entries.map((e) => e.index)).toEqual([6, 7, 8, 9, 10]);
    expect(long.entries.length).toBe(LOG_TAIL_MAX_ENTRIES);
  });

  it('takes an answer only from a peer it asked, when it continues the log exactly and there is no leader; the entries stay unacknowledged', () => {
    const log = new RaftLog(0, 0, entries(1, 5, 1));
    const { node } = host(log);
    const tails = new LogTails(node);
    // Unasked: dropped and counted.
    tails.take('p', { type: 'LogTailResponse', prevLogIndex: 5, prevLogTerm: 1, entries: entries(6, 8, 2) });
    expect(log.lastIndex()).toBe(5);
    expect(node.droppedMessages).toBe(1);
    tails.ask(50); // asks p and q
    tails.take('mallory', { type: 'LogTailResponse', prevLogIndex: 5, prevLogTerm: 1, entries: entries(6, 8, 2) });
    expect(log.lastIndex()).toBe(5);
    expect(node.droppedMessages).toBe(2);
    tails.take('p', { type: 'LogTailResponse', prevLogIndex: 4, prevLogTerm: 1, entries: entries(5, 6, 2) }); // would cut entry 5
    tails.take('p', { type: 'LogTailResponse', prevLogIndex: 5, prevLogTerm: 2, entries: entries(6, 6, 2) }); // another log at 5
    expect(log.lastIndex()).toBe(5);
    tails.take('p', { type: 'LogTailResponse', prevLogIndex: 5, prevLogTerm: 1, entries: entries(6, 8, 2) });
    expect(log.lastIndex()).toBe(8);
    expect(tails.entriesTaken).toBe(3);
    expect(node.unacknowledged.acknowledgedEnd(8)).toBe(5);

    // Never an entry of a later term than ours (3 here): the answer is cut before it.
    tails.take('p', { type: 'LogTailResponse', prevLogIndex: 8, prevLogTerm: 2, entries: [...entries(9, 10, 3), ...entries(11, 12, 4)] });
    expect(log.lastIndex()).toBe(10);
    tails.take('p', { type: 'LogTailResponse', prevLogIndex: 10, prevLogTerm: 3, entries: entries(11, 12, 4) });
    expect(log.lastIndex()).toBe(10);

    const led = new RaftLog(0, 0, entries(1, 5, 1));
    const withLeader = new LogTails(host(led, { leaderId: 'p' } as Partial<LogTailHost>).node);
    withLeader.ask(50);
    withLeader.take('p', { type: 'LogTailResponse', prevLogIndex: 5, prevLogTerm: 1, entries: entries(6, 8, 2) });
    expect(led.lastIndex()).toBe(5);
  });

  it('asks every reachable peer, at most once per heartbeat interval, and only while short of the claim', () => {
    const { node, sent } = host(new RaftLog(0, 0, entries(1, 5, 1)));
    const tails = new LogTails(node);
    tails.ask(5);
    expect(sent).toEqual([]);
    tails.ask(9);
    tails.ask(9);
    expect(sent.map((s) => [s.to, s.message])).toEqual([
      ['p', { type: 'LogTailRequest', lastIndex: 5, lastTerm: 1, upTo: 9 }],
      ['q', { type: 'LogTailRequest', lastIndex: 5, lastTerm: 1, upTo: 9 }],
    ]);
    (node as { now: number }).now += 50;
    tails.ask(9);
    expect(sent.length).toBe(4);
  });
});

// Leader entries buffered during a catch-up join the output only through the AppendEntries
// consistency check (Raft §5.3): a deposed leader's entries never land on a newer term's
// snapshot or committed range. Scripted cases first, then a property over random logs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatchUpOutput } from '../src/catchup/api';
import { CatchUpSession } from '../src/catchup/catch-up-session';
import type { AvailabilityRequest, FetchEntriesRequest } from '../src/messages';
import type { LogEntry, Membership, Snapshot } from '../src/types';
import { fixed, indicesAre, PeerPool, poolPeer } from './catchup-pool';

const members: Membership = { voters: ['a', 'b'], learners: [] };
const entry = (index: number, term: number, tag = 'c'): LogEntry => ({ kind: 'command', index, term, data: new TextEncoder().encode(`${tag}${index}/${term}`) });
const run = (from: number, to: number, termOf: (i: number) => number, tag?: string) => Array.from({ length: to - from + 1 }, (_, k) => entry(from + k, termOf(from + k), tag));
const snapshotAt = (index: number, term: number): Snapshot => ({ meta: { index, term, membership: members }, data: new Uint8Array(300).fill(index % 251) });

describe('buffered leader entries and the consistency check', () => {
  it('an entry of a deposed term-1 leader does not join a term-2 snapshot (the simulator schedule)', () => {
    const snap = snapshotAt(40, 2);
    const peers = [poolPeer('a', [], { snapshot: snap, committed: 40 }), poolPeer('b', [], { snapshot: snap, committed: 40, delay: fixed(15) })];
    const pool = PeerPool.create({ peers, leader: 'p1', to: 39, batchSize: 10, snapshotChunkBytes: 100 });
    // p1's AE t1 prev=40/1 [41/t1]: buffered while the gap is fetched.
    pool.session.bufferFromLeader([entry(41, 1, 'stale')], 1);
    const result = pool.run();
    expect(result.snapshots.map((s) => s.meta)).toEqual([snap.meta]);
    expect(result.entries).toEqual([]);
    expect(pool.session.stats().leaderEntriesDropped).toBe(1);
    // The leader is asked again after the session: nothing of its buffer is held any more.
    pool.session.bufferFromLeader([entry(41, 2, 'real')], 2);
    const more = pool.session.takeOutput();
    expect(more).toHaveLength(1);
    expect(more[0].kind === 'entries' && more[0].entries.map((e) => `${e.index}/${e.term}`)).toEqual(['41/2']);
  });

  it('entries that follow a term the fetched range overwrote are dropped at the junction', () => {
    // Committed: 1..30 term 1, 31..40 term 2. A deposed term-1 leader holds 31..45 of term 1 and
    // sends 41..45 with prevLogTerm 1; the fetched range ends at 40 of term 2.
    const committed = run(1, 40, (i) => (i <= 30 ? 1 : 2));
    const pool = PeerPool.create({ peers: [poolPeer('a', committed), poolPeer('b', committed)], leader: 'old', to: 40, batchSize: 8 });
    pool.session.bufferFromLeader(run(41, 45, () => 1, 'stale'), 1);
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 40)).toBe(true);
    expect(result.entries.map((e) => e.term)).toEqual(committed.map((e) => e.term));
    expect(pool.session.stats().leaderEntriesDropped).toBe(5);
  });

  it('a buffered entry that contradicts a committed entry fetched for the same index is dropped, with all after it', () => {
    const committed = run(1, 60, (i) => (i <= 30 ? 1 : 3));
    const session = new CatchUpSession({ self: 'me', leader: 'old', peers: ['a', 'b'], from: 1, to: 60, localSnapshotIndex: 0, prevTerm: 0, batchSize: 30, requestTimeoutMs: 1000, snapshotChunkBytes: 64, firstRequestId: 1, now: 0 });
    session.start(0);
    for (const { to, message } of session.takeOutbox()) {
      session.receive(to, { type: 'AvailabilityResponse', requestId: (message as AvailabilityRequest).requestId, senderTerm: 3, firstIndex: 1, committed: 60, snapshot: null }, 1);
    }
    const fetches = session.takeOutbox().map((e) => ({ to: e.to, m: e.message as FetchEntriesRequest }));
    expect(fetches.map((f) => [f.m.from, f.m.to]).sort((x, y) => x[0] - y[0])).toEqual([
      [1, 30],
      [31, 60],
    ]);
    const answer = (f: (typeof fetches)[number]) =>
      session.receive(f.to, { type: 'FetchEntriesResponse', requestId: f.m.requestId, senderTerm: 3, entries: committed.slice(f.m.from - 1, f.m.to) }, 2);
    // 31..60 (term 3) is in, waiting for 1..30; then the deposed leader's 25..50 of term 1 arrive,
    // chaining correctly onto 24 (term 1) but contradicting the committed entry at 31.
    answer(fetches.find((f) => f.m.from === 31)!);
    session.bufferFromLeader(run(25, 50, () => 1, 'stale'), 1);
    answer(fetches.find((f) => f.m.from === 1)!);
    const out = session.takeOutput().flatMap((o) => (o.kind === 'entries' ? o.entries : []));
    expect(out.map((e) => `${e.index}/${e.term}`)).toEqual(committed.map((e) => `${e.index}/${e.term}`));
    expect(session.stats().leaderEntriesDropped).toBe(20);
    expect(session.done).toBe(true);
  });

  it('a leader run that overlaps fetched committed entries and agrees with them is used as is', () => {
    const committed = run(1, 60, (i) => (i <= 30 ? 1 : 2));
    const pool = PeerPool.create({ peers: [poolPeer('a', committed, { delay: fixed(50) })], leader: 'live', to: 60, batchSize: 20 });
    pool.session.bufferFromLeader(run(21, 70, (i) => (i <= 30 ? 1 : 2), 'live'), 1);
    const result = pool.run();
    expect(indicesAre(result.entries, 1, 70)).toBe(true);
    expect(result.entries.slice(20).every((e) => new TextDecoder().decode((e as { data: Uint8Array }).data).startsWith('live'))).toBe(true);
    expect(pool.session.stats().leaderEntriesDropped).toBe(0);
  });
});

/** The log a follower ends with after applying the session's output in order (as the engine does). */
function replay(outputs: CatchUpOutput[]): Map<number, number> {
  let terms = new Map<number, number>([[0, 0]]);
  let last = 0;
  for (const out of outputs) {
    if (out.kind === 'snapshot') {
      const { index, term } = out.snapshot.meta;
      // §7: what follows the snapshot's index is kept only when the log agrees with it there.
      const agrees = terms.get(index) === term;
      const kept = new Map<number, number>([[index, term]]);
      if (agrees) for (const [i, t] of terms) if (i > index) kept.set(i, t);
      terms = kept;
      last = agrees ? Math.max(last, index) : index;
      continue;
    }
    for (const e of out.entries) {
      if (e.index !== last + 1) throw new Error(`output not contiguous: ${e.index} after ${last}`);
      terms.set(e.index, e.term);
      last = e.index;
    }
  }
  return terms;
}

/** Log Matching between two logs given as index -> term: same (index, term) implies same terms below. */
function logMatchingProblem(ours: Map<number, number>, theirs: (i: number) => number | undefined, name: string): string | null {
  const indices = [...ours.keys()].sort((x, y) => x - y);
  for (const i of indices) {
    if (theirs(i) !== ours.get(i)) continue;
    for (const j of indices) {
      if (j >= i) break;
      if (theirs(j) !== undefined && theirs(j) !== ours.get(j)) return `entry ${i}/${ours.get(i)} matches ${name} but ${j} has term ${ours.get(j)} vs ${theirs(j)}`;
    }
  }
  return null;
}

describe('buffered leader entries (property)', () => {
  // A committed log C whose term jumps by >= 2 after a divergence point d, and a deposed leader's
  // log S = C[1..d] + entries of the skipped term: what a leader of that term held when it was cut
  // off (its entries after d never committed; a later term overwrote them). Peers serve C, possibly
  // compacted into a snapshot; the deposed leader's entries arrive at some point of the session.
  const scenario = fc
    .record({
      n: fc.integer({ min: 2, max: 300 }),
      staleExtra: fc.integer({ min: 1, max: 60 }),
      termSteps: fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 4 }),
      bufferAt: fc.integer({ min: 0, max: 400 }),
      batchSize: fc.integer({ min: 1, max: 50 }),
      delays: fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 3 }),
    })
    .chain((base) =>
      fc.integer({ min: 0, max: base.n - 1 }).chain((d) =>
        fc.record({
          base: fc.constant(base),
          d: fc.constant(d),
          // Where the peers compacted (0: not at all), from where the deposed leader's entries
          // are buffered, and the deposed leader's commit (at most d: nothing after d committed).
          k: fc.integer({ min: 0, max: base.n }),
          bufferFrom: fc.integer({ min: 1, max: d + base.staleExtra }),
          target: fc.integer({ min: 0, max: d }),
        }),
      ),
    );

  it('never produces a log that breaks Log Matching with the committed log or the deposed leader', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { n, staleExtra, termSteps, bufferAt, batchSize, delays } = s.base;
        const { d, k, bufferFrom, target } = s;
        const baseTerm = 1 + termSteps.length;
        // Committed terms: a random staircase up to d, then terms above the deposed leader's.
        const cTerm = (i: number) => (i === 0 ? 0 : i <= d ? 1 + termSteps.filter((step) => step < i).length : baseTerm + 2 + Math.floor(i / 97));
        const staleTerm = baseTerm + 1;
        const C = run(1, n, cTerm);
        const sLast = d + staleExtra;
        const S = run(1, sLast, (i) => (i <= d ? cTerm(i) : staleTerm), 'stale');
        const sTermAt = (i: number) => (i === 0 ? 0 : i <= sLast ? S[i - 1].term : undefined);
        const snap = k > 0 ? snapshotAt(k, cTerm(k)) : null;
        const peers = delays.map((delay, i) => poolPeer(`p${i}`, C.slice(k), { committed: n, snapshot: snap, delay: fixed(delay) }));
        const pool = PeerPool.create({ peers, leader: 'stale', to: target, batchSize, snapshotChunkBytes: 64, prevTerm: 0 });
        pool.at(bufferAt, () => pool.session.bufferFromLeader(S.slice(bufferFrom - 1), sTermAt(bufferFrom - 1)!));
        const result = pool.run({ maxTimeMs: 200_000, until: () => pool.now >= bufferAt });
        const log = replay(result.outputs);
        const problem =
          logMatchingProblem(log, (i) => (i === 0 ? 0 : i <= n ? cTerm(i) : undefined), 'the committed log') ??
          logMatchingProblem(log, sTermAt, "the deposed leader's log");
        expect(problem).toBeNull();
        // Terms never decrease along the log (a consequence of Log Matching for real logs).
        const terms = [...log.entries()].sort((x, y) => x[0] - y[0]).map(([, t]) => t);
        expect(terms).toEqual([...terms].sort((x, y) => x - y));
        // The session finished with the log output up to the target (replay checked it is
        // contiguous from the start or a snapshot), and everything up to the target (committed) is
        // the committed log.
        expect(pool.session.done).toBe(true);
        expect(Math.max(...log.keys())).toBeGreaterThanOrEqual(target);
        for (const [i, t] of log) if (i <= target && i > 0) expect(t).toBe(cTerm(i));
      }),
      { numRuns: Number(process.env.CATCHUP_RUNS ?? 200), seed: process.env.CATCHUP_SEED ? Number(process.env.CATCHUP_SEED) : 20261130 },
    );
  });
});

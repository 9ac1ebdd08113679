// Property: whatever the network does (random delays that reorder replies, drops, duplicates,
// replies late past the timeout, departures and returns, peers advancing their commit meanwhile,
// leader entries arriving mid-way), a catch-up session outputs exactly the right contiguous log.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatchUpReply } from '../src/catchup/responder';
import type { Message } from '../src/messages';
import { seededRandom } from '../src/rng';
import type { LogEntry, Snapshot } from '../src/types';
import { makeEntries, PeerPool, type PoolPeer, poolPeer } from './catchup-pool';

const peerFaults = fc.record({
  baseDelay: fc.integer({ min: 1, max: 80 }),
  jitter: fc.integer({ min: 0, max: 300 }),
  drop: fc.double({ min: 0, max: 0.3, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  late: fc.double({ min: 0, max: 0.1, noNaN: true }),
  /** Fraction of the log it has committed at first (it catches up with the leader later). */
  committedShare: fc.double({ min: 0.3, max: 1, noNaN: true }),
  departAt: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }),
});

const scenario = fc.record({
  seed: fc.integer(),
  entries: fc.integer({ min: 1, max: 500 }),
  batchSize: fc.integer({ min: 1, max: 120 }),
  requestTimeoutMs: fc.integer({ min: 300, max: 2000 }),
  others: fc.array(peerFaults, { minLength: 1, maxLength: 4 }),
  leaderFaults: peerFaults,
  advanceAt: fc.integer({ min: 0, max: 5000 }),
  leaderRun: fc.option(fc.record({ at: fc.integer({ min: 0, max: 3000 }), from: fc.integer({ min: 1, max: 500 }), extra: fc.integer({ min: 0, max: 50 }) }), { nil: undefined }),
});

describe('catch-up under random network faults (property)', () => {
  it('outputs every entry exactly once, in order', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const rnd = seededRandom(s.seed);
        const n = s.entries;
        const full = makeEntries(1, n + 50);
        const log = full.slice(0, n);
        const peers: PoolPeer[] = [];
        const faulty = (id: string, f: typeof s.leaderFaults, isLeader: boolean): PoolPeer => {
          const committed = isLeader ? n : Math.max(0, Math.floor(n * f.committedShare));
          return poolPeer(id, log.slice(0, committed), {
            committed,
            delay: () => f.baseDelay + Math.floor(rnd() * f.jitter),
            faults: (_req: Message, reply: CatchUpReply) => {
              if (rnd() < f.drop) return [];
              const out: Array<{ reply: CatchUpReply; extraDelay?: number }> = [{ reply, extraDelay: rnd() < f.late ? 3 * s.requestTimeoutMs : 0 }];
              if (rnd() < f.duplicate) out.push({ reply, extraDelay: Math.floor(rnd() * 500) });
              return out;
            },
          });
        };
        peers.push(faulty('leader', s.leaderFaults, true));
        s.others.forEach((f, i) => peers.push(faulty(`p${i}`, f, false)));
        const pool = PeerPool.create({ peers, leader: 'leader', to: n, batchSize: s.batchSize, requestTimeoutMs: s.requestTimeoutMs });

        // Lagging peers catch up with the leader's commit later.
        pool.at(s.advanceAt, () => {
          for (const p of peers) {
            p.entries = log;
            p.committed = n;
          }
        });
        // Departures, each followed by a return.
        [s.leaderFaults, ...s.others].forEach((f, i) => {
          if (f.departAt === undefined) return;
          const id = peers[i].id;
          pool.at(f.departAt, () => pool.depart(id));
          pool.at(f.departAt + 2000, () => pool.arrive(id));
        });
        // The leader's AppendEntries while catching up: a run that may start inside the gap.
        let last = n;
        if (s.leaderRun) {
          const from = Math.min(s.leaderRun.from, n);
          last = n + s.leaderRun.extra;
          pool.at(s.leaderRun.at, () => pool.session.bufferFromLeader(full.slice(from - 1, last), full[from - 2]?.term ?? 0));
        }

        const result = pool.run({ maxTimeMs: 600_000, until: () => pool.session.nextIndex > last });
        const expected: LogEntry[] = full.slice(0, last);
        expect(pool.session.done).toBe(true);
        expect(result.entries.map((e) => `${e.index}:${e.term}`)).toEqual(expected.map((e) => `${e.index}:${e.term}`));
      }),
      { numRuns: Number(process.env.CATCHUP_RUNS ?? 80), seed: process.env.CATCHUP_SEED ? Number(process.env.CATCHUP_SEED) : 20240601 },
    );
  });

  it('through snapshots: every output is a valid snapshot or the entries right after it, up to the target', () => {
    const snapshotOf = (index: number, size: number): Snapshot => {
      const data = new Uint8Array(size);
      for (let i = 0; i < size; i++) data[i] = (index * 7 + i) & 0xff;
      return { meta: { index, term: 1 + Math.floor(index / 150), membership: { voters: ['leader'], learners: [] } }, data };
    };
    const compactedPeer = fc.record({
      share: fc.double({ min: 0, max: 1, noNaN: true }),
      size: fc.integer({ min: 0, max: 6000 }),
      faults: peerFaults,
    });
    const snapScenario = fc.record({
      seed: fc.integer(),
      entries: fc.integer({ min: 1, max: 400 }),
      batchSize: fc.integer({ min: 1, max: 80 }),
      chunkBytes: fc.integer({ min: 100, max: 3000 }),
      requestTimeoutMs: fc.integer({ min: 300, max: 2000 }),
      peers: fc.array(compactedPeer, { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(snapScenario, (s) => {
        const rnd = seededRandom(s.seed);
        const n = s.entries;
        const log = makeEntries(1, n);
        const peers: PoolPeer[] = s.peers.map((p, i) => {
          const at = Math.max(1, Math.floor(n * p.share));
          const f = p.faults;
          return poolPeer(i === 0 ? 'leader' : `p${i}`, log.slice(at), {
            committed: n,
            snapshot: snapshotOf(at, p.size),
            delay: () => f.baseDelay + Math.floor(rnd() * f.jitter),
            faults: (_req: Message, reply: CatchUpReply) => {
              if (rnd() < f.drop) return [];
              const out: Array<{ reply: CatchUpReply; extraDelay?: number }> = [{ reply, extraDelay: rnd() < f.late ? 3 * s.requestTimeoutMs : 0 }];
              if (rnd() < f.duplicate) out.push({ reply, extraDelay: Math.floor(rnd() * 500) });
              return out;
            },
          });
        });
        const pool = PeerPool.create({ peers, leader: 'leader', to: n, batchSize: s.batchSize, snapshotChunkBytes: s.chunkBytes, requestTimeoutMs: s.requestTimeoutMs });
        s.peers.forEach((p, i) => {
          if (p.faults.departAt === undefined) return;
          pool.at(p.faults.departAt, () => pool.depart(peers[i].id));
          pool.at(p.faults.departAt + 2000, () => pool.arrive(peers[i].id));
        });
        const result = pool.run({ maxTimeMs: 600_000 });
        expect(pool.session.done).toBe(true);
        let next = 1;
        for (const out of result.outputs) {
          if (out.kind === 'snapshot') {
            const expected = snapshotOf(out.snapshot.meta.index, out.snapshot.data.length);
            expect(out.snapshot.meta.index).toBeGreaterThanOrEqual(next);
            expect(out.snapshot).toEqual(expected);
            expect(peers.some((p) => p.snapshot?.meta.index === out.snapshot.meta.index && p.snapshot.data.length === out.snapshot.data.length)).toBe(true);
            next = out.snapshot.meta.index + 1;
          } else {
            for (const e of out.entries) {
              expect(`${e.index}:${e.term}`).toBe(`${next}:${log[next - 1].term}`);
              next++;
            }
          }
        }
        expect(next).toBe(n + 1);
      }),
      { numRuns: Number(process.env.CATCHUP_RUNS ?? 60), seed: process.env.CATCHUP_SEED ? Number(process.env.CATCHUP_SEED) : 20240602 },
    );
  });
});

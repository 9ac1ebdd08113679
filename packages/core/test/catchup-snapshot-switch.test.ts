// A timeout makes a catch-up session forget what the peer advertised, and a snapshot with no holder
// left makes it look at another one. When two flaky peers hold different snapshots of the same index
// (the same state serialized differently), the session must resume a part-fetched snapshot when its
// holder answers again, not start it over: restarting on every switch never finished. (Found by the
// property in catchup-property.test.ts, CATCHUP_SEED=88569730; this is its shrunk counterexample.)
import { describe, expect, it } from 'vitest';
import type { CatchUpReply } from '../src/catchup/responder';
import type { Message } from '../src/messages';
import { seededRandom } from '../src/rng';
import type { Snapshot } from '../src/types';
import { makeEntries, PeerPool, poolPeer } from './catchup-pool';

const snapshotOf = (index: number, size: number): Snapshot => {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (index * 7 + i) & 0xff;
  return { meta: { index, term: 1, membership: { voters: ['leader'], learners: [] } }, data };
};

describe('catch-up: snapshots of the same index from flaky holders', () => {
  it('resumes a part-fetched snapshot after switching away and back, and finishes', () => {
    const rnd = seededRandom(0);
    const requestTimeoutMs = 300;
    const log = makeEntries(1, 1);
    // The property's fault model (one generator shared by both peers, drawn in the same order): the
    // leader answers 9% of requests too late (each a timeout), p1 drops 30% of them.
    const flaky = (jitter: number, drop: number, late: number) => ({
      delay: () => 1 + Math.floor(rnd() * jitter),
      faults: (_req: Message, reply: CatchUpReply) => {
        if (rnd() < drop) return [];
        const out = [{ reply, extraDelay: rnd() < late ? 3 * requestTimeoutMs : 0 }];
        rnd(); // the property's draw for a duplicate (never, here)
        return out;
      },
    });
    const leader = poolPeer('leader', log.slice(1), { committed: 1, snapshot: snapshotOf(1, 4401), ...flaky(93, 0, 0.09108007466420533) });
    const p1 = poolPeer('p1', log.slice(1), { committed: 1, snapshot: snapshotOf(1, 2001), ...flaky(111, 0.29967175587080425, 0) });
    const pool = PeerPool.create({ peers: [leader, p1], leader: 'leader', to: 1, batchSize: 1, snapshotChunkBytes: 100, requestTimeoutMs });
    pool.at(0, () => pool.depart('leader'));
    pool.at(2000, () => pool.arrive('leader'));
    const result = pool.run({ maxTimeMs: 600_000 });
    expect(pool.session.done).toBe(true);
    const installed = result.outputs.filter((o) => o.kind === 'snapshot').map((o) => (o.kind === 'snapshot' ? o.snapshot : null));
    expect(installed).toHaveLength(1);
    expect([snapshotOf(1, 4401), snapshotOf(1, 2001)]).toContainEqual(installed[0]);
    // Resumed, not restarted: well under three times both snapshots' bytes (it fetched 566 kB and
    // had not finished after 600 s when every switch started over).
    expect(pool.session.stats().bytesReceived).toBeLessThan(3 * (4401 + 2001));
  });
});

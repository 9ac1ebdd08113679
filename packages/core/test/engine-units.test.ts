// Pure parts of the engine: quorum arithmetic (property-based), the in-memory log, election timeouts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig } from '../src/config';
import { randomizedElectionTimeout } from '../src/engine/election';
import { quorumSize, quorumValue, RaftLog, tallyVotes } from '../src/engine/index';
import type { VoteAnswer } from '../src/messages';
import { PeerConnectivity } from '../src/engine/connectivity';
import { ReadyTracker } from '../src/engine/ready-tracker';
import { seededRandom } from '../src/rng';
import type { LogEntry, RaftStatus } from '../src/types';

const answers = fc.constantFrom<VoteAnswer>('granted', 'denied', 'abstained');

describe('quorum arithmetic', () => {
  it('a quorum is a strict majority: two quorums always intersect', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (n) => {
        const q = quorumSize(n);
        expect(q * 2).toBeGreaterThan(n);
        expect((q - 1) * 2).toBeLessThanOrEqual(n);
      }),
    );
  });

  it('abstentions never shrink the denominator: a win needs a majority of all voters granting', () => {
    fc.assert(
      fc.property(fc.array(answers, { minLength: 1, maxLength: 9 }), (votes) => {
        const voters = votes.map((_, i) => `p${i}`);
        const outcome = tallyVotes(voters, new Map(votes.map((v, i) => [`p${i}`, v])));
        const granted = votes.filter((v) => v === 'granted').length;
        const denied = votes.filter((v) => v === 'denied').length;
        expect(outcome === 'won').toBe(granted * 2 > votes.length);
        if (outcome === 'lost') expect(denied * 2).toBeGreaterThan(votes.length);
      }),
    );
  });

  it('answers from non-voters are not counted', () => {
    expect(tallyVotes(['a', 'b', 'c'], new Map([['a', 'granted'], ['x', 'granted'], ['y', 'granted']]))).toBe('pending');
  });

  it('quorumValue is the highest value reached by a majority', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { minLength: 1, maxLength: 9 }), (values) => {
        const voters = values.map((_, i) => `p${i}`);
        const v = quorumValue(voters, (id) => values[Number(id.slice(1))]);
        expect(values.filter((x) => x >= v).length).toBeGreaterThanOrEqual(quorumSize(values.length));
        expect(values.filter((x) => x >= v + 1).length).toBeLessThan(quorumSize(values.length));
      }),
    );
  });
});

describe('RaftLog', () => {
  const entries = (terms: number[], from = 1): LogEntry[] => terms.map((term, i) => ({ kind: 'noop', index: from + i, term }));

  it('answers termAt/slice/matches around a snapshot boundary', () => {
    const log = new RaftLog(10, 3, entries([3, 4, 4, 5], 11));
    expect(log.firstIndex()).toBe(11);
    expect(log.lastIndex()).toBe(14);
    expect(log.termAt(10)).toBe(3);
    expect(log.termAt(9)).toBeUndefined();
    expect(log.termAt(15)).toBeUndefined();
    expect(log.matches(12, 4)).toBe(true);
    expect(log.slice(5, 12).map((e) => e.index)).toEqual([11, 12]);
    expect(log.firstIndexOfTermAt(13)).toBe(12);
    expect(log.lastIndexOfTerm(4)).toBe(13);
    expect(log.lastIndexOfTerm(2)).toBe(0);
    expect(log.isUpToDate(14, 5)).toBe(true);
    expect(log.isUpToDate(13, 5)).toBe(false);
    expect(log.isUpToDate(1, 6)).toBe(true);
  });

  it('truncates and appends contiguously, refusing gaps and the snapshot', () => {
    const log = new RaftLog(0, 0, entries([1, 1, 2]));
    log.truncateFrom(2);
    expect(log.lastIndex()).toBe(1);
    expect(() => log.append(entries([3], 5))).toThrow();
    log.append(entries([3, 3], 2));
    expect(log.lastTerm()).toBe(3);
    const snap = new RaftLog(5, 1, []);
    expect(() => snap.truncateFrom(3)).toThrow();
  });

  it('ignores a non-contiguous tail in loaded entries', () => {
    const log = new RaftLog(0, 0, [...entries([1, 1]), { kind: 'noop', index: 5, term: 2 }]);
    expect(log.lastIndex()).toBe(2);
  });
});

describe('election timeout', () => {
  it('is in [timeout, timeout + jitter) x factor, plus the bootstrap delay the first time', () => {
    const random = seededRandom(9);
    const c = defaultRaftConfig;
    for (let i = 0; i < 200; i++) {
      const t = randomizedElectionTimeout(c, 'normal', random, false);
      expect(t).toBeGreaterThanOrEqual(c.electionTimeoutMs);
      expect(t).toBeLessThan(c.electionTimeoutMs + c.electionJitterMs);
      const r = randomizedElectionTimeout(c, { reluctant: 3 }, random, false);
      expect(r).toBeGreaterThanOrEqual(3 * c.electionTimeoutMs);
      expect(r).toBeLessThan(3 * (c.electionTimeoutMs + c.electionJitterMs));
      const first = randomizedElectionTimeout(c, 'normal', random, true);
      expect(first).toBeGreaterThanOrEqual(c.electionTimeoutMs + c.bootstrapDelayMs);
      expect(first).toBeLessThan(c.electionTimeoutMs + c.electionJitterMs + c.bootstrapDelayMs);
    }
  });
});

describe('ReadyTracker', () => {
  const status = (term: number): RaftStatus => ({
    peerId: 'a', role: 'follower', term, leader: null, committed: 0, applied: 0, lastIndex: 0, online: false,
    members: { voters: ['a'], learners: [] }, catchUp: null,
  });

  it('hands out a hard state when term or vote moved; one that only moves the commit index with other writes once per interval, alone after two', () => {
    const tracker = new ReadyTracker({ term: 2, vote: 'b', commit: 5 }, 100);
    expect(tracker.takeHardState({ term: 2, vote: 'b', commit: 5 }, 0, true)).toBeUndefined();
    // After a quiet spell, a new commit index goes out at once, alone...
    expect(tracker.hardStateDue({ term: 2, vote: 'b', commit: 6 }, 1_000)).toBe(true);
    expect(tracker.takeHardState({ term: 2, vote: 'b', commit: 6 }, 1_000, false)).toEqual({ term: 2, vote: 'b', commit: 6 });
    // ...then it is held: not within the interval, even with other writes...
    expect(tracker.takeHardState({ term: 2, vote: 'b', commit: 7 }, 1_050, true)).toBeUndefined();
    // ...with other writes once the interval has passed...
    expect(tracker.takeHardState({ term: 2, vote: 'b', commit: 7 }, 1_100, false)).toBeUndefined();
    expect(tracker.hardStateDue({ term: 2, vote: 'b', commit: 7 }, 1_100)).toBe(false);
    expect(tracker.takeHardState({ term: 2, vote: 'b', commit: 7 }, 1_100, true)).toEqual({ term: 2, vote: 'b', commit: 7 });
    // ...and alone once it has waited two intervals (writes stopped).
    expect(tracker.hardStateDue({ term: 2, vote: 'b', commit: 8 }, 1_299)).toBe(false);
    expect(tracker.hardStateDue({ term: 2, vote: 'b', commit: 8 }, 1_300)).toBe(true);
    expect(tracker.takeHardState({ term: 2, vote: 'b', commit: 8 }, 1_300, false)).toEqual({ term: 2, vote: 'b', commit: 8 });
    // A new term or vote is never held back, and carries the commit index with it.
    expect(tracker.hardStateDue({ term: 3, vote: null, commit: 9 }, 1_301)).toBe(true);
    expect(tracker.hardStateDue({ term: 2, vote: 'c', commit: 8 }, 1_301)).toBe(true);
    expect(tracker.takeHardState({ term: 3, vote: null, commit: 9 }, 1_301, false)).toEqual({ term: 3, vote: null, commit: 9 });
    expect(tracker.hardStateDue({ term: 3, vote: null, commit: 9 }, 5_000)).toBe(false);
    // An idle or closing host takes a held commit index, however recent, but never a new term or vote.
    expect(tracker.takeHeldCommit({ term: 3, vote: null, commit: 9 }, 1_302)).toBeUndefined();
    expect(tracker.takeHeldCommit({ term: 3, vote: null, commit: 10 }, 1_302)).toEqual({ term: 3, vote: null, commit: 10 });
    expect(tracker.takeHeldCommit({ term: 4, vote: null, commit: 11 }, 1_303)).toBeUndefined();
    expect(tracker.hardStateDue({ term: 4, vote: null, commit: 11 }, 1_303)).toBe(true);
  });

  it('hands out the first status, then only changed ones, and a new token each time', () => {
    const tracker = new ReadyTracker({ term: 0, vote: null, commit: 0 }, 100);
    expect(tracker.takeStatus(status(1))).toEqual(status(1));
    expect(tracker.takeStatus(status(1))).toBeNull();
    expect(tracker.statusChanged(status(2))).toBe(true);
    expect(tracker.takeStatus(status(2))).toEqual(status(2));
    expect([tracker.token(), tracker.token()]).toEqual([1, 2]);
  });
});

describe('PeerConnectivity', () => {
  it('counts unknown peers as up, and lists reported and reachable peers without self or those down', () => {
    const links = new PeerConnectivity();
    expect(links.isUp('x')).toBe(true);
    links.reportUp('c');
    links.reportUp('b');
    links.reportUp('a');
    links.reportDown('c');
    expect(links.isUp('c')).toBe(false);
    expect(links.reported('a')).toEqual(['b']);
    expect(links.reachable('a', ['d', 'c', 'a'])).toEqual(['b', 'd']);
    links.reportUp('c');
    expect(links.reported('a')).toEqual(['b', 'c']);
  });
});

// A voter restarted from its own log (a tab that adopted a crashed identity) campaigns soon after
// it sees a quorum of its voters connected with no leader in sight, instead of after a whole first
// election timeout plus the bootstrap delay: what a browser that crashed and restored every tab of
// the group waits for. Where a leader runs, its AppendEntries reach the restarted peer first and
// nothing changes; and a reluctant peer keeps its longer timeouts.
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig } from '../src/config';
import { RaftNode } from '../src/engine/index';
import { seededRandom } from '../src/rng';
import type { LeadershipPreference, LogEntry, Membership } from '../src/types';

const members: Membership = { voters: ['a', 'b', 'c'], learners: [] };
const log: LogEntry[] = [
  { kind: 'config', index: 1, term: 1, membership: members },
  { kind: 'noop', index: 2, term: 2 },
];
const { heartbeatMs, electionTimeoutMs, bootstrapDelayMs } = defaultRaftConfig;

function restarted(preference: LeadershipPreference = 'normal'): RaftNode {
  return new RaftNode({ id: 'b', config: defaultRaftConfig, preference, random: seededRandom(7), now: 0, state: { hardState: { term: 2, vote: 'a', commit: 2 }, snapshot: null, entries: log } });
}

/** Ticks every 10 ms up to `until`; the time of the first PreVote request sent, or null. */
function firstPreVote(n: RaftNode, from: number, until: number): number | null {
  for (let now = from; now <= until; now += 10) {
    n.tick(now);
    const asked = n.ready().messages.some((e) => e.message.type === 'PreVote');
    if (asked) return now;
  }
  return null;
}

describe('engine: a restarted voter with no leader in sight', () => {
  it('alone, it waits a whole first election timeout plus the bootstrap delay', () => {
    const n = restarted();
    expect(firstPreVote(n, 0, electionTimeoutMs + bootstrapDelayMs - 10)).toBeNull();
  });

  it('once a quorum of its voters is connected and no leader has spoken, it asks for pre-votes within three heartbeats', () => {
    const n = restarted();
    n.tick(0);
    n.ready();
    n.peerUp('a', 50);
    const at = firstPreVote(n, 50, electionTimeoutMs);
    expect(at).not.toBeNull();
    expect(at!).toBeGreaterThanOrEqual(50 + 2 * heartbeatMs);
    expect(at!).toBeLessThanOrEqual(50 + 3 * heartbeatMs + 10);
  });

  it('a leader heard first keeps it following: no early campaign', () => {
    const n = restarted();
    n.peerUp('a', 0);
    n.peerUp('c', 0);
    n.tick(0); // a quorum is connected: the early campaign is due within three heartbeats
    n.receive('a', { type: 'AppendEntries', term: 3, prevLogIndex: 2, prevLogTerm: 2, entries: [], leaderCommit: 2 }, heartbeatMs);
    n.ready();
    expect(firstPreVote(n, heartbeatMs, heartbeatMs + electionTimeoutMs - 10)).toBeNull();
    expect(n.status()).toMatchObject({ role: 'follower', leader: 'a' });
  });

  it('a reluctant voter keeps its longer timeouts', () => {
    const n = restarted({ reluctant: 3 });
    n.peerUp('a', 0);
    expect(firstPreVote(n, 0, electionTimeoutMs + bootstrapDelayMs - 10)).toBeNull();
  });
});

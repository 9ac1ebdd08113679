// A leader that was paused (a throttled tab) reads, when it resumes, replies that waited in its
// inbox. A heartbeat echo from a voter that has since died proves it was alive when the round was
// sent, not now: membership changes that need a live quorum must not count it (a resumed leader
// removed a silent voter on such evidence, leaving two voters with one dead: found by the
// simulator's churn scenario).
import { describe, expect, it } from 'vitest';
import { elected, fastTimings } from './support/engine-harness';

describe('engine: a late heartbeat echo', () => {
  it('refreshes when the peer was last heard from, but not when it was last known alive', () => {
    const h = elected(['a', 'b', 'c'], { config: fastTimings, seed: 4 });
    const leader = h.leader();
    const [late] = h.followers();
    h.advance(200);
    // An echo the follower sent (the leader processed it then); a copy of it will arrive late.
    const echo = h.sentOf('HeartbeatResponse', { from: late, to: leader }).at(-1)!;
    const sentAround = echo.at;
    // The follower goes silent (dies); the leader keeps its quorum with the other follower.
    h.isolate(late);
    h.advance(4 * fastTimings.electionTimeoutMs);
    expect(h.leader()).toBe(leader);
    // The held echo arrives now.
    h.node(leader).receive(late, echo.message, h.now);
    h.drain(leader);
    const progress = h.node(leader).leader!.progress.get(late)!;
    expect(progress.lastHeard).toBe(h.now);
    expect(progress.aliveAt).toBeLessThanOrEqual(sentAround);
    expect(h.now - progress.aliveAt).toBeGreaterThan(fastTimings.electionTimeoutMs);
  });
});

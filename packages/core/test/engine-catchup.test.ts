// Multi-peer catch-up integrated in the engine: a joining peer far behind goes offline, fetches
// committed chunks from several peers (the leader last), buffers the leader's appends, and comes
// back online with the same state as everyone else.
import { describe, expect, it } from 'vitest';
import type { Message } from '../src/messages';
import type { PeerId } from '../src/types';
import { elected, type EngineHarness, fastTimings, type InFlight } from './support/engine-harness';

const base = { ...fastTimings, catchUpThreshold: 5, catchUpRequestTimeoutMs: 400 };
const cluster = (ids: PeerId[], config = {}, seed = 1): EngineHarness => elected(ids, { config: { ...base, ...config }, seed });

const commands = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const stats = (h: EngineHarness, id: PeerId) => h.node(id).catchUp.stats()!;
const sameState = (h: EngineHarness, a: PeerId, b: PeerId) => JSON.stringify(h.sm.get(a)) === JSON.stringify(h.sm.get(b));

/** Join `id` as a fresh peer and connect everyone; with `deliver`, the exchange runs to quiet at once. */
function join(h: EngineHarness, id: PeerId, deliver = true): void {
  h.addPeer(id, null);
  h.connectAll();
  if (deliver) h.deliverAll();
}

/** One 10 ms step delivering only what `filter` lets through (the rest stays queued). */
function stepWith(h: EngineHarness, filter: (m: InFlight) => boolean): void {
  h.now += 10;
  for (const [id, node] of h.nodes) {
    node.tick(h.now);
    h.drain(id);
  }
  h.deliverAll(filter);
}

/**
 * One 10 ms step with a one-hop network latency: every engine ticks, then each message queued before
 * the delivery starts is delivered once (replies wait for the next step). Unlike deliverAll, a
 * catch-up of many round trips therefore spans virtual time, so checks can run while it is going on.
 */
function hop(h: EngineHarness, onDeliver: (m: InFlight) => void = () => {}): void {
  h.now += 10;
  for (const [id, node] of h.nodes) {
    node.tick(h.now);
    h.drain(id);
  }
  for (const m of [...h.network]) {
    if (!h.network.includes(m)) continue;
    onDeliver(m);
    h.deliverOne((queued) => queued === m);
  }
}

const wentOffline = (h: EngineHarness, id: PeerId) =>
  h.readies.some((r) => r.id === id && r.ready.status !== null && r.ready.status.catchUp !== null && !r.ready.status.online);

describe('engine: multi-peer catch-up', () => {
  for (const batch of [7, 20, 100, 1000]) {
    it(`at batch size ${batch}: 200 + 200 forwarded commands, a joiner catches up from >= 2 peers, the leader serving the fewest`, () => {
      const h = cluster(['a', 'b'], { catchUpBatchSize: batch });
      const leader = h.leader();
      const follower = h.followers()[0];
      h.propose(leader, 1, commands('L', 200));
      h.advance(300);
      h.propose(follower, 2, commands('F', 200));
      h.advance(500);
      expect(h.sm.get(follower)).toHaveLength(400);
      // A few more writes whose commit the follower has not heard yet: only the leader can serve them.
      h.propose(leader, 3, commands('T', 3));
      h.deliverAll((m) => !(m.from === leader && m.to === follower && m.message.type === 'AppendEntries' && m.message.entries.length === 0));
      h.dropWhere((m) => m.from === leader && m.to === follower);
      // ...and does not hear while the joiner asks around (a blip far shorter than an election timeout).
      h.cut(leader, follower);
      join(h, 'c');
      h.heal();
      h.runUntil(() => h.node('c').status().online && sameState(h, 'c', leader), 20_000);
      expect(h.sm.get('c')!.slice(0, 400)).toEqual([...commands('L', 200), ...commands('F', 200)]);
      const served = stats(h, 'c').chunksByPeer;
      expect(Object.keys(served).length).toBeGreaterThanOrEqual(2);
      for (const peer of Object.keys(served)) expect(served[leader] ?? 0).toBeLessThanOrEqual(served[peer]);
      expect(h.node('c').catchUp.sessions).toBe(1);
      expect(wentOffline(h, 'c')).toBe(true);
    });
  }

  it('catches up while writes continue at full speed, then replicates normally', () => {
    const h = cluster(['a', 'b', 'd'], { catchUpBatchSize: 50 });
    const leader = h.leader();
    h.propose(leader, 1, commands('x', 1000));
    h.advance(500);
    join(h, 'c', false);
    // Writes go on every step from the moment `c` appears; count those committed by the others
    // while `c` is inside its catch-up session.
    let seq = 10;
    let committedWhileCatchingUp = 0;
    for (let step = 0; step < 100; step++) {
      const before = h.node(leader).status().committed;
      h.propose(leader, seq++, [`w${step}a`, `w${step}b`]);
      const active = h.node('c').catchUp.active;
      hop(h);
      if (active && h.node('c').catchUp.active) committedWhileCatchingUp += h.node(leader).status().committed - before;
    }
    expect(committedWhileCatchingUp).toBeGreaterThanOrEqual(20);
    h.runUntil(() => h.node('c').status().online && h.node('c').status().committed === h.node(leader).status().committed, 20_000);
    h.advance(500);
    expect(sameState(h, 'c', leader)).toBe(true);
    expect(h.sm.get('c')).toHaveLength(1200);
    expect(h.node('c').catchUp.sessions).toBe(1);
    expect(wentOffline(h, 'c')).toBe(true);
    expect(Object.keys(stats(h, 'c').chunksByPeer).length).toBeGreaterThanOrEqual(2);
  });

  it('a source that departs mid-chunk: its chunk is fetched elsewhere', () => {
    const h = cluster(['a', 'b', 'd'], { catchUpBatchSize: 100 });
    const leader = h.leader();
    h.propose(leader, 1, commands('x', 2000));
    h.advance(800);
    const source = ['b', 'd'].find((id) => id !== leader)!;
    join(h, 'c', false);
    // Let availability answers arrive, then the source vanishes with a fetch in flight.
    h.deliverAll((m) => m.message.type !== 'FetchEntriesResponse');
    expect(h.network.some((m) => m.from === source && m.to === 'c' && m.message.type === 'FetchEntriesResponse')).toBe(true);
    h.dropWhere((m) => m.from === source || m.to === source);
    h.removePeer(source);
    for (const node of h.nodes.values()) node.peerDown(source, h.now);
    h.drainAll();
    h.runUntil(() => h.node('c').status().online && sameState(h, 'c', leader), 20_000);
    expect(h.sm.get('c')).toHaveLength(2000);
  });

  it('replies delayed past the request timeout: re-asked elsewhere, the late replies ignored safely', () => {
    const h = cluster(['a', 'b', 'd'], { catchUpBatchSize: 100 });
    const leader = h.leader();
    h.propose(leader, 1, commands('x', 1500));
    h.advance(800);
    const slow = ['a', 'b', 'd'].find((id) => id !== leader)!;
    join(h, 'c', false);
    const isSlowReply = (m: InFlight) => m.from === slow && m.to === 'c' && m.message.type === 'FetchEntriesResponse';
    h.deliverAll((m) => !isSlowReply(m));
    for (let t = 0; t < 1000; t += 10) stepWith(h, (m) => !isSlowReply(m));
    const held = h.dropWhere(isSlowReply);
    // Deliver the stale replies now, long after their timeout.
    for (const m of held) h.node('c').receive(m.from, m.message as Message, h.now);
    h.drain('c');
    h.runUntil(() => h.node('c').status().online && sameState(h, 'c', leader), 20_000);
    expect(h.sm.get('c')).toHaveLength(1500);
    expect(held.length).toBeGreaterThan(0);
    expect(stats(h, 'c').timeouts).toBeGreaterThan(0);
  });

  it('a peer 100,000 entries behind catches up with about entries / batchSize fetch requests', () => {
    const h = cluster(['a', 'b', 'd'], { catchUpBatchSize: 2000, maxBatchEntries: 5000, maxInflightAppends: 16, compactAfterEntries: 1_000_000 });
    const leader = h.leader();
    for (let i = 0; i < 10; i++) {
      h.propose(leader, i + 1, commands(`k${i}-`, 10_000));
      h.advance(100);
    }
    h.runUntil(() => ['a', 'b', 'd'].every((id) => h.node(id).status().committed >= 100_000), 60_000);
    h.advance(200);
    join(h, 'c');
    h.runUntil(() => h.node('c').status().online && h.node('c').status().committed === h.node(leader).status().committed, 60_000);
    const s = stats(h, 'c');
    const fetches = s.requestsSent;
    expect(h.sm.get('c')).toHaveLength(100_000);
    expect(fetches).toBeGreaterThanOrEqual(50);
    expect(fetches).toBeLessThanOrEqual(56);
    expect(s.timeouts).toBe(0);
  });

  it('the leader sees catchingUp and sends only heartbeats until the follower is done', () => {
    const h = cluster(['a', 'b'], { catchUpBatchSize: 50 });
    const leader = h.leader();
    h.propose(leader, 1, commands('x', 2000));
    h.advance(500);
    const term = h.node(leader).term;
    join(h, 'c', false);
    // Sort what the leader delivers to `c` by whether `c` is inside its catch-up session right then.
    const whileCatchingUp = { heartbeats: 0, appends: 0, steps: 0 };
    const count = (m: InFlight) => {
      if (m.from !== leader || m.to !== 'c' || !h.node('c').catchUp.active) return;
      if (m.message.type === 'Heartbeat') whileCatchingUp.heartbeats++;
      if (m.message.type === 'AppendEntries') whileCatchingUp.appends++;
    };
    for (let t = 0; t < 20_000 && !(h.node('c').status().online && sameState(h, 'c', leader)); t += 10) {
      hop(h, count);
      if (h.node('c').catchUp.active) whileCatchingUp.steps++;
    }
    expect(h.sm.get('c')).toHaveLength(2000);
    expect(h.node('c').catchUp.sessions).toBe(1);
    // The session lasted several heartbeat intervals, and the leader kept sending heartbeats...
    expect(whileCatchingUp.steps * 10).toBeGreaterThanOrEqual(4 * base.heartbeatMs);
    expect(whileCatchingUp.heartbeats).toBeGreaterThanOrEqual(3);
    // ...but appends only as a probe once per election timeout, not one per heartbeat or chunk.
    expect(whileCatchingUp.appends).toBeLessThanOrEqual(1 + Math.ceil((whileCatchingUp.steps * 10) / base.electionTimeoutMs));
    // While catching up the follower did not campaign: the term never moved.
    expect(h.node('c').term).toBe(term);
    expect(h.node(leader).term).toBe(term);
  });

  it('a voter that is catching up abstains instead of voting', () => {
    const h = cluster(['a', 'b', 'c'], { catchUpBatchSize: 20 });
    const leader = h.leader();
    const [lagger, other] = h.followers();
    h.propose(leader, 1, commands('x', 200));
    h.advance(500);
    const node = h.node(lagger);
    // The leader's view arrives with a gap far beyond catchUpThreshold: the follower starts catching up.
    const last = node.log.lastIndex();
    node.receive(leader, { type: 'AppendEntries', term: node.term, prevLogIndex: last + 100, prevLogTerm: node.term, entries: [], leaderCommit: last + 100 }, h.now);
    expect(node.catchUp.active).toBe(true);
    h.drain(lagger);
    // A transfer vote bypasses the leader lease, so the answer shows the voter's own judgement.
    node.receive(other, { type: 'RequestVote', term: node.term + 1, lastLogIndex: 10_000, lastLogTerm: node.term, transfer: true }, h.now);
    const answers = node.ready().messages.filter((e) => e.to === other && e.message.type === 'RequestVoteResponse');
    expect(answers.map((e) => e.message)).toEqual([expect.objectContaining({ vote: 'abstained' })]);
  });
});

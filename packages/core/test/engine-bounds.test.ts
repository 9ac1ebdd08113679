// The engine's side of the wire limits (engine/bounds.ts): it never creates a term, index or client
// sequence number past CODEC_LIMITS (it refuses and counts instead), one message cannot push a
// group's term toward the end of the term space, and a rejected AppendEntries is not resent at once
// unless it moved nextIndex down.
import { describe, expect, it } from 'vitest';
import { CODEC_LIMITS } from '../src/codec/limits';
import { UPPER_TERM_STEP } from '../src/engine/bounds';
import type { Message } from '../src/messages';
import type { PeerId } from '../src/types';
import { elected, EngineHarness, encodeImage, fastTimings as config } from './support/engine-harness';

const { maxTerm, maxIndex, maxSeq } = CODEC_LIMITS;
const group = (ids: PeerId[], seed = 1): EngineHarness => elected(ids, { config, seed, connect: true, untilOnline: true });

/** A single-voter peer restarted from a disk whose hard state or snapshot sits near the limits. */
function singleton(setup: { term?: number; snapshotIndex?: number }): EngineHarness {
  const h = new EngineHarness({ ids: ['a'], config });
  const disk = h.disks.get('a')!;
  if (setup.term !== undefined) disk.state.hardState = { term: setup.term, vote: null, commit: 0 };
  if (setup.snapshotIndex !== undefined) {
    disk.state.snapshot = { meta: { index: setup.snapshotIndex, term: 1, membership: { voters: ['a'], learners: [] } }, data: encodeImage([]) };
    disk.state.hardState = { term: setup.term ?? 1, vote: null, commit: setup.snapshotIndex };
  }
  h.start('a');
  return h;
}

let nextRequest = 1;
function write(h: EngineHarness, id: PeerId, value: string, maxMs = 3000): void {
  h.propose(id, nextRequest++, [value]);
  h.runUntil(() => [...h.nodes.keys()].every((p) => h.appliedCommands(p).includes(value)), maxMs);
}

describe('engine bounds: nothing past the wire limits', () => {
  it('never campaigns when term + 1 would pass maxTerm; counts every refusal', () => {
    const h = singleton({ term: maxTerm });
    const node = h.node('a');
    h.runUntil(() => node.refusals.campaigns >= 3, 10_000);
    expect(node.status().role).toBe('follower');
    expect(node.term).toBe(maxTerm);
    // TimeoutNow (a leader handing over) is refused the same way.
    const before = node.refusals.campaigns;
    node.receive('b', { type: 'TimeoutNow', term: maxTerm }, h.now);
    expect(node.refusals.campaigns).toBe(before + 1);
    expect(node.term).toBe(maxTerm);
  });

  it('campaigns up to exactly maxTerm: one below the limit still elects', () => {
    const h = singleton({ term: maxTerm - 1 });
    h.runUntil(() => h.leaders().length === 1, 5000);
    expect(h.node('a').term).toBe(maxTerm);
    expect(h.node('a').refusals.campaigns).toBe(0);
  });

  it("refuses a proposal whose client seq + n - 1 would pass maxSeq ('too-large'), and takes the one that ends at maxSeq", () => {
    const h = group(['a', 'b', 'c']);
    const leader = h.leader();
    h.propose(leader, 501, ['x', 'y', 'z'], 'edge', maxSeq - 1);
    expect(h.proposals.get(leader)!.find((p) => p.requestId === 501)).toEqual({ requestId: 501, ok: false, error: 'too-large' });
    expect(h.node(leader).refusals.proposals).toBe(1);
    h.propose(leader, 502, ['x', 'y', 'z'], 'edge', maxSeq - 2);
    h.runUntil(() => h.appliedCommands(leader).includes('z'), 2000);
    // A follower refuses it before forwarding (its answer never depends on the leader).
    const follower = h.followers()[0];
    h.propose(follower, 503, ['p', 'q'], 'edge-f', maxSeq);
    expect(h.proposals.get(follower)!.find((p) => p.requestId === 503)).toEqual({ requestId: 503, ok: false, error: 'too-large' });
    expect(h.node(follower).refusals.proposals).toBe(1);
  });

  it('never appends past maxIndex: proposals that would are refused, those that end at maxIndex are taken', () => {
    // The log starts right after a snapshot 5 below the limit; the leader's no-op takes one index.
    const h = singleton({ snapshotIndex: maxIndex - 5 });
    h.runUntil(() => h.leaders().length === 1, 5000);
    const node = h.node('a');
    expect(node.log.lastIndex()).toBe(maxIndex - 4);
    h.propose('a', 601, ['1', '2', '3', '4', '5']);
    expect(h.proposals.get('a')!.find((p) => p.requestId === 601)).toEqual({ requestId: 601, ok: false, error: 'too-large' });
    expect(node.refusals.proposals).toBe(1);
    h.propose('a', 602, ['1', '2', '3', '4']);
    h.advance(50);
    expect(h.proposals.get('a')!.find((p) => p.requestId === 602)).toMatchObject({ ok: true, end: maxIndex });
    expect(node.log.lastIndex()).toBe(maxIndex);
    h.propose('a', 603, ['one more']);
    expect(h.proposals.get('a')!.find((p) => p.requestId === 603)).toEqual({ requestId: 603, ok: false, error: 'too-large' });
    // A configuration change has no room either: a joiner is answered 'busy' and nothing is appended.
    node.receive('newcomer', { type: 'JoinRequest', requestId: 1, observer: false }, h.now);
    h.drain('a');
    expect(node.log.lastIndex()).toBe(maxIndex);
    expect(node.refusals.appends).toBeGreaterThan(0);
    expect(h.network.find((m) => m.to === 'newcomer' && m.message.type === 'MembershipResponse')?.message).toMatchObject({ ok: false, error: 'busy' });
  });

  it('never campaigns when a leader could not append its first entries (log ends one below maxIndex)', () => {
    const h = singleton({ snapshotIndex: maxIndex - 1 });
    const node = h.node('a');
    h.runUntil(() => node.refusals.campaigns >= 3, 10_000);
    expect(node.status().role).toBe('follower');
    expect(node.log.lastIndex()).toBe(maxIndex - 1);
  });
});

describe('engine bounds: term poisoning', () => {
  const vote = (term: number, lastLogIndex = 0, lastLogTerm = 0): Message => ({ type: 'RequestVote', term, lastLogIndex, lastLogTerm });
  /** A term message every peer adopts the term of (no lease applies to answers). */
  const answer = (term: number): Message => ({ type: 'RequestVoteResponse', term, vote: 'denied' });

  it('a frame from outside the voters with a term in the upper half, far above ours, is dropped and counted; the group goes on', () => {
    const h = group(['a', 'b', 'c']);
    const target = h.followers()[0];
    const node = h.node(target);
    const term = node.term;
    const dropped = node.droppedMessages;
    for (const poison of [maxTerm, maxTerm - 1, maxTerm / 2 + UPPER_TERM_STEP + 1]) {
      node.receive('mallory', answer(poison), h.now);
      node.receive('mallory', { type: 'FetchEntriesResponse', requestId: 1, senderTerm: poison, entries: [] }, h.now);
    }
    h.drain(target);
    expect(node.term).toBe(term);
    expect(node.refusals.termJumps).toBe(6);
    expect(node.droppedMessages).toBe(dropped + 6);
    write(h, h.leader(), 'still here');
  });

  it('below the upper half any jump is adopted (an honest peer may lag by many elections)', () => {
    const h = group(['a', 'b', 'c']);
    const target = h.followers()[0];
    const node = h.node(target);
    node.receive('mallory', answer(2 ** 40), h.now);
    expect(node.term).toBe(2 ** 40);
    expect(node.refusals.termJumps).toBe(0);
  });

  it('in the upper half: a small step from anyone is adopted, a big jump only from a voter of our configuration', () => {
    const h = group(['a', 'b', 'c']);
    const [x, y] = h.followers();
    const node = h.node(x);
    // A voter may take us into the upper half in one message (voters are trusted, as Raft trusts members).
    const high = maxTerm / 2 + 1000;
    node.receive(y, answer(high), h.now);
    expect(node.term).toBe(high);
    node.receive('mallory', answer(high + UPPER_TERM_STEP), h.now);
    expect(node.term).toBe(high + UPPER_TERM_STEP);
    node.receive('mallory', answer(high + 3 * UPPER_TERM_STEP), h.now);
    expect(node.term).toBe(high + UPPER_TERM_STEP);
    expect(node.refusals.termJumps).toBe(1);
    node.receive(y, answer(high + 1000), h.now);
    expect(node.term).toBe(high + 1000);
  });

  it('a flood of maximal terms from outside leaves every voter able to elect and commit', () => {
    const h = group(['a', 'b', 'c']);
    for (let i = 0; i < 200; i++) {
      for (const id of ['a', 'b', 'c']) h.node(id).receive('mallory', vote(maxTerm - (i % 7), 10 ** 9, maxTerm), h.now);
      h.advance(10);
    }
    for (const id of ['a', 'b', 'c']) expect(h.node(id).term).toBeLessThan(1000);
    // Elections keep working after the flood: depose the leader and write through the next one.
    const old = h.leader();
    h.isolate(old);
    h.runUntil(() => h.leaders().some((id) => id !== old), 5000);
    h.heal();
    write(h, h.leaders().find((id) => id !== old)!, 'after the flood');
  });
});

describe('engine: a rejected AppendEntries is resent at once only when nextIndex went down', () => {
  function setup() {
    const h = group(['a', 'b', 'c']);
    write(h, h.leader(), 'base');
    const leader = h.leader();
    const follower = h.followers()[0];
    const node = h.node(leader);
    return { h, leader, follower, node, pr: () => node.leader!.progress.get(follower)! };
  }
  const appendsTo = (h: EngineHarness, from: PeerId, to: PeerId) => h.network.filter((m) => m.from === from && m.to === to && m.message.type === 'AppendEntries').length;

  it('a rejection that does not lower nextIndex waits for the next heartbeat response (no ping-pong)', () => {
    const { h, leader, follower, node, pr } = setup();
    h.deliverAll();
    const next = pr().next;
    // A rejection whose hint is at or above nextIndex (e.g. the follower claims a longer log).
    node.receive(follower, { type: 'AppendEntriesResponse', term: node.term, success: false, matchIndex: 0, conflictIndex: next, lastIndex: next + 10 }, h.now);
    h.drain(leader);
    expect(appendsTo(h, leader, follower)).toBe(0);
    expect(pr().next).toBe(next);
    // The next heartbeat round resumes the probe.
    h.now += config.heartbeatMs;
    node.tick(h.now);
    h.drain(leader);
    expect(h.network.some((m) => m.from === leader && m.to === follower && m.message.type === 'Heartbeat')).toBe(true);
    expect(appendsTo(h, leader, follower)).toBe(0);
    h.deliverAll((m) => m.message.type === 'Heartbeat' || m.message.type === 'HeartbeatResponse');
    expect(appendsTo(h, leader, follower)).toBe(1);
  });

  it('a rejection that lowers nextIndex is answered at once with the earlier entries', () => {
    const { h, leader, follower, node, pr } = setup();
    h.deliverAll();
    // The follower stops answering; the leader pipelines new entries past what it acknowledged.
    h.cut(leader, follower);
    h.propose(leader, 701, ['p', 'q', 'r']);
    h.drain(leader);
    const { next, match } = pr();
    expect(next).toBeGreaterThan(match + 1);
    h.dropWhere((m) => m.from === leader && m.to === follower);
    node.receive(follower, { type: 'AppendEntriesResponse', term: node.term, success: false, matchIndex: 0, conflictIndex: match + 1, lastIndex: match }, h.now);
    h.drain(leader);
    expect(pr().next).toBe(match + 1);
    expect(appendsTo(h, leader, follower)).toBe(1);
  });
});

// During an election a follower forwards its requests to the candidate it voted for instead of
// waiting to learn the winner; the candidate holds them and serves them once it wins, with its first
// entry of the term (one replication round after a leader change instead of two). A candidate that
// does not win answers them 'no-leader', as any non-leader does. Times are the harness's virtual clock.
import { describe, expect, it } from 'vitest';
import { MAX_HELD_BY_CANDIDATE, MAX_HELD_BYTES_BY_CANDIDATE } from '../src/engine/requests';
import type { ForwardCommands } from '../src/messages';
import { elected, type EngineHarness } from './support/engine-harness';

// A forward timeout far above an election, so nothing here is answered by a timeout.
const config = { forwardTimeoutMs: 60_000 };
const bytes = (text: string) => new TextEncoder().encode(text);

/** The leader departs (a closing tab); returns its handoff target and the other follower, before any frame is delivered. */
function leaderDeparts(seed: number): { h: EngineHarness; target: string; follower: string } {
  const h = elected(['a', 'b', 'c'], { config, seed, connect: true, settleMs: 200 });
  const old = h.leader();
  h.depart(old);
  const target = h.network.find((m) => m.message.type === 'TimeoutNow')!.to;
  const follower = [...h.nodes.keys()].find((id) => id !== target)!;
  // The follower hears of the departure first, then a write and a read come in while no leader is known.
  h.deliverAll((m) => m.to === follower && m.message.type === 'Departure');
  expect(h.node(follower).status().leader).toBeNull();
  return { h, target, follower };
}

/** A follower campaigns (as told by a TimeoutNow) but no vote ever reaches it. */
function lonelyCandidate(seed: number) {
  const h = elected(['a', 'b', 'c'], { config, seed, connect: true, settleMs: 200 });
  const leader = h.leader();
  const [candidate, other] = h.followers();
  h.isolate(candidate);
  h.node(candidate).receive(leader, { type: 'TimeoutNow', term: h.node(leader).term }, h.now);
  h.drain(candidate);
  expect(h.node(candidate).status().role).toBe('candidate');
  const answers = () => h.sentOf('ForwardCommandsResponse', { from: candidate, to: other }).map((m) => m.message);
  return { h, candidate, other, answers };
}
const forward = (requestId: number, command = bytes('c')): ForwardCommands => ({
  type: 'ForwardCommands',
  requestId,
  client: { clientId: 'x', seq: requestId },
  commands: [command],
});

describe('engine: forwarding during an election', () => {
  it("a follower's command goes to the candidate it voted for before the winner's first append reaches it", () => {
    const { h, target, follower } = leaderDeparts(11);
    const forwardsBefore = h.sentOf('ForwardCommands', { from: follower }).length;
    h.propose(follower, 1, ['during-election']);
    // No leader, no vote yet: nowhere to send it.
    expect(h.sentOf('ForwardCommands', { from: follower })).toHaveLength(forwardsBefore);
    const mark = h.sent.length;
    h.runUntil(() => (h.proposals.get(follower) ?? []).length > 0, 5_000);
    const after = h.sent.slice(mark);
    const forwardAt = after.findIndex((m) => m.from === follower && m.message.type === 'ForwardCommands');
    const firstAppend = after.findIndex((m) => m.from === target && m.to === follower && m.message.type === 'AppendEntries');
    expect(after[forwardAt]?.to).toBe(target);
    expect(forwardAt).toBeLessThan(firstAppend);
    // Sent once, answered once, applied once.
    expect(h.sentOf('ForwardCommands', { from: follower })).toHaveLength(forwardsBefore + 1);
    expect(h.proposals.get(follower)).toEqual([expect.objectContaining({ requestId: 1, ok: true })]);
    h.advance(300);
    for (const id of [target, follower]) expect(h.appliedCommands(id)).toEqual(['during-election']);
  });

  it('a candidate holds a command and a read it received and serves them once it wins, the command with its first entry', () => {
    const { h, target, follower } = leaderDeparts(12);
    h.propose(follower, 1, ['held']);
    h.read(follower, 7);
    // Everything but the follower's frames to the target: the target campaigns, the follower votes
    // and forwards; its vote, command and read wait on the wire.
    h.deliverAll((m) => !(m.from === follower && m.to === target));
    expect(h.node(target).status().role).toBe('candidate');
    const requests = (m: { from: string; to: string; message: { type: string } }) =>
      m.from === follower && m.to === target && (m.message.type === 'ForwardCommands' || m.message.type === 'ReadIndexRequest');
    expect(h.deliverAll(requests)).toBe(2);
    // Held: no answer yet, not even a refusal.
    expect(h.sentOf(['ForwardCommandsResponse', 'ReadIndexResponse'], { from: target })).toHaveLength(0);
    const mark = h.sent.length;
    expect(h.deliverAll((m) => m.from === follower && m.to === target && m.message.type === 'RequestVoteResponse')).toBe(1);
    expect(h.node(target).status().role).toBe('leader');
    const firstAppend = h.sent.slice(mark).find((m) => m.from === target && m.to === follower && m.message.type === 'AppendEntries');
    expect(firstAppend?.message.type === 'AppendEntries' && firstAppend.message.entries.map((e) => e.kind)).toEqual(['noop', 'command']);
    h.runUntil(() => (h.proposals.get(follower) ?? []).length > 0 && (h.reads.get(follower) ?? []).length > 0, 5_000);
    expect(h.proposals.get(follower)).toEqual([expect.objectContaining({ requestId: 1, ok: true })]);
    expect(h.reads.get(follower)).toEqual([expect.objectContaining({ requestId: 7, ok: true })]);
    h.advance(300);
    for (const id of [target, follower]) expect(h.appliedCommands(id)).toEqual(['held']);
  });

  it('a follower sends its queued requests to the candidate ahead of its vote, so in order they ride the first append', () => {
    const { h, target, follower } = leaderDeparts(13);
    h.propose(follower, 1, ['ahead-of-vote']);
    h.deliverAll((m) => !(m.from === follower && m.to === target));
    expect(h.node(target).status().role).toBe('candidate');
    const toTarget = h.network.filter((m) => m.from === follower && m.to === target).map((m) => m.message.type);
    expect(toTarget.indexOf('ForwardCommands')).toBeGreaterThanOrEqual(0);
    expect(toTarget.indexOf('ForwardCommands')).toBeLessThan(toTarget.indexOf('RequestVoteResponse'));
    const mark = h.sent.length;
    // Delivered in the order sent (as over one ordered link): the vote elects a candidate that already holds the command.
    h.deliverAll((m) => m.from === follower && m.to === target);
    expect(h.node(target).status().role).toBe('leader');
    const firstAppend = h.sent.slice(mark).find((m) => m.from === target && m.to === follower && m.message.type === 'AppendEntries');
    expect(firstAppend?.message.type === 'AppendEntries' && firstAppend.message.entries.map((e) => e.kind)).toEqual(['noop', 'command']);
    h.runUntil(() => (h.proposals.get(follower) ?? []).length > 0, 5_000);
    expect(h.proposals.get(follower)).toEqual([expect.objectContaining({ requestId: 1, ok: true })]);
    h.advance(300);
    for (const id of [target, follower]) expect(h.appliedCommands(id)).toEqual(['ahead-of-vote']);
  });

  it("a candidate that does not win answers what it held with 'no-leader', and refuses at once past its bound", () => {
    const { h, candidate, other, answers } = lonelyCandidate(13);
    for (let i = 1; i <= MAX_HELD_BY_CANDIDATE + 1; i++) h.node(candidate).receive(other, forward(i), h.now);
    h.drain(candidate);
    // Past the bound: refused at once; the rest held.
    expect(answers()).toEqual([{ type: 'ForwardCommandsResponse', requestId: MAX_HELD_BY_CANDIDATE + 1, ok: false, error: 'no-leader' }]);
    // Its campaign fails and it campaigns again (a new term): everything held is refused.
    h.runUntil(() => answers().length === MAX_HELD_BY_CANDIDATE + 1, 10_000);
    expect(answers().every((a) => !a.ok && a.error === 'no-leader')).toBe(true);
    expect(new Set(answers().map((a) => a.requestId)).size).toBe(MAX_HELD_BY_CANDIDATE + 1);
    expect(h.node(candidate).status().role).not.toBe('leader');
  });

  it('a candidate holds at most its byte bound of commands; past it, it refuses at once', () => {
    const { h, candidate, other, answers } = lonelyCandidate(14);
    const half = new Uint8Array(MAX_HELD_BYTES_BY_CANDIDATE / 2);
    for (const requestId of [1, 2, 3]) h.node(candidate).receive(other, forward(requestId, half), h.now);
    h.drain(candidate);
    expect(answers()).toEqual([{ type: 'ForwardCommandsResponse', requestId: 3, ok: false, error: 'no-leader' }]);
  });

  it('a vote loaded from storage is no forward target: a restarted follower waits to hear from the leader', () => {
    const h = elected(['a', 'b', 'c'], { config, seed: 15, connect: true, settleMs: 200 });
    const leader = h.leader();
    const follower = h.followers().find((id) => h.node(id).vote === leader);
    if (follower === undefined) throw new Error('no follower voted for the leader');
    // The follower's process restarts (a tab adopting a crashed tab's identity) with its vote for
    // the leader on disk, before its link to the leader is up again.
    h.cut(follower, leader);
    h.cut(leader, follower);
    h.start(follower);
    const mark = h.sent.length;
    h.propose(follower, 1, ['after-restart']);
    h.advance(50);
    expect(h.sent.slice(mark).filter((m) => m.from === follower && m.message.type === 'ForwardCommands')).toEqual([]);
    // The link comes up: the first heartbeat names the leader, and the command goes to it then.
    h.heal();
    const healed = h.now;
    h.runUntil(() => (h.proposals.get(follower) ?? []).length > 0, 5_000);
    expect(h.now - healed).toBeLessThan(1_000);
    expect(h.proposals.get(follower)).toEqual([expect.objectContaining({ requestId: 1, ok: true })]);
  });
});

// A follower's forwarded commands and reads must not wait out forwardTimeoutMs when the leader they
// went to is gone (its tab closed, crashed, or lost the lead): they go to the next leader as soon as
// one is known, and a command the old leader already appended is still applied exactly once.
// Times here are the harness's virtual clock, not wall-clock.
import { describe, expect, it } from 'vitest';
import { elected as electedWith, type EngineHarness } from './support/engine-harness';

// A forward timeout far above an election, so "answered before the timeout" means "re-sent".
const config = { forwardTimeoutMs: 60_000 };
const elected = (seed: number): EngineHarness => electedWith(['a', 'b', 'c'], { config, seed, connect: true, settleMs: 200 });

const forwardsFrom = (h: EngineHarness, from: string) => h.sentOf('ForwardCommands', { from });

describe('engine: forwards survive the loss of their leader', () => {
  it('a forward lost with a departing leader goes to the successor at once', () => {
    const h = elected(1);
    const old = h.leader();
    const [follower] = h.followers();
    h.propose(follower, 1, ['while-closing']);
    // The closing tab never reads it: the frame is lost with the tab.
    expect(h.dropWhere((m) => m.message.type === 'ForwardCommands')).toHaveLength(1);
    h.depart(old);
    const start = h.now;
    h.runUntil(() => (h.proposals.get(follower) ?? []).length > 0, 10_000);
    expect(h.now - start).toBeLessThan(config.forwardTimeoutMs);
    expect(h.proposals.get(follower)).toEqual([expect.objectContaining({ requestId: 1, ok: true })]);
    h.advance(300);
    for (const id of h.nodes.keys()) expect(h.appliedCommands(id)).toEqual(['while-closing']);
  });

  it('a forward out at a leader whose link went down goes to the leader elected next', () => {
    const h = elected(2);
    const old = h.leader();
    const [follower] = h.followers();
    h.read(follower, 7);
    h.propose(follower, 1, ['while-crashing']);
    h.dropWhere((m) => m.message.type === 'ForwardCommands' || m.message.type === 'ReadIndexRequest');
    h.disconnect(old); // a crash: no notice, the transport reports the link down
    h.removePeer(old);
    const start = h.now;
    h.runUntil(() => (h.proposals.get(follower) ?? []).length > 0 && (h.reads.get(follower) ?? []).length > 0, 20_000);
    expect(h.now - start).toBeLessThan(config.forwardTimeoutMs);
    expect(h.proposals.get(follower)).toEqual([expect.objectContaining({ requestId: 1, ok: true })]);
    expect(h.reads.get(follower)).toEqual([expect.objectContaining({ requestId: 7, ok: true })]);
    h.advance(300);
    for (const id of h.nodes.keys()) expect(h.appliedCommands(id)).toEqual(['while-crashing']);
  });

  it('a command the old leader appended and replicated, its answer lost, is applied once after failover', () => {
    const h = elected(3);
    const old = h.leader();
    const [follower] = h.followers();
    h.propose(follower, 1, ['once']);
    // The old leader appends it and replicates it, but its answer never reaches the follower.
    h.deliverAll((m) => m.message.type === 'ForwardCommands');
    h.dropWhere((m) => m.message.type === 'ForwardCommandsResponse');
    h.deliverAll((m) => m.message.type === 'AppendEntries' || m.message.type === 'AppendEntriesResponse');
    h.dropWhere((m) => m.message.type === 'ForwardCommandsResponse');
    h.isolate(old);
    for (const id of h.followers()) if (id !== old) h.node(id).peerDown(old, h.now);
    const start = h.now;
    h.runUntil(() => (h.proposals.get(follower) ?? []).length > 0, 20_000);
    expect(h.now - start).toBeLessThan(config.forwardTimeoutMs);
    expect(h.proposals.get(follower)).toEqual([expect.objectContaining({ requestId: 1, ok: true })]);
    // Sent again to the new leader (or served by the follower itself, if it won): applied once.
    expect(forwardsFrom(h, follower)).toHaveLength(h.leader() === follower ? 1 : 2);
    h.advance(300);
    const survivors = [...h.nodes.keys()].filter((id) => id !== old);
    for (const id of survivors) expect(h.appliedCommands(id)).toEqual(['once']);
  });
});

// The stored commit index (volatile state, Raft Fig. 2) rides along with an append at most once per
// heartbeat interval, and is written alone only when writes stop (or a new term or vote carries it):
// one storage write per command while writes flow, instead of one for the entries and one more for
// the commit index.
import { describe, expect, it } from 'vitest';
import type { PeerId } from '../src/types';
import { elected } from './support/engine-harness';

describe('engine: storing the commit index', () => {
  it('writes each peer once per command while commands follow one another, and stores the last commit within two heartbeat intervals once they stop', () => {
    const h = elected(['a', 'b', 'c'], { seed: 7, connect: true, untilOnline: true, settleMs: 500 });
    const ids: PeerId[] = ['a', 'b', 'c'];
    const leader = h.leader();
    const writesOf = (id: PeerId) => h.readies.filter((r) => r.id === id && (r.ready.persist.entries.length > 0 || r.ready.persist.hardState !== undefined)).length;
    const before = new Map(ids.map((id) => [id, writesOf(id)]));
    const commands = 20;
    for (let i = 1; i <= commands; i++) {
      // One command at a time, as a caller awaiting each execute(): 2 ms apart, all within a heartbeat interval.
      h.propose(leader, i, [`v${i}`]);
      h.deliverAll();
      expect(h.node(leader).commit).toBe(h.node(leader).log.lastIndex());
      h.now += 2;
    }
    for (const id of ids) {
      expect(h.appliedCommands(id).slice(-commands)).toEqual(Array.from({ length: commands }, (_, i) => `v${i + 1}`));
      // One write per command (its entries; one of them may carry the commit index), plus at most one
      // that stores a commit index alone (after the quiet spell before). Storing each commit index
      // made it 2 per command.
      const writes = writesOf(id) - before.get(id)!;
      expect(writes).toBeGreaterThanOrEqual(commands);
      expect(writes).toBeLessThanOrEqual(commands + 1);
    }
    // The last command's commit index waits for no further write: two heartbeat intervals (and a
    // tick) later it is stored everywhere.
    const commit = h.node(leader).commit;
    expect(ids.some((id) => h.disks.get(id)!.state.hardState.commit < commit)).toBe(true);
    h.advance(210);
    for (const id of ids) expect(h.disks.get(id)!.state.hardState.commit).toBe(commit);
  });

  it('never holds back a new term or vote, and stores the held commit index with it', () => {
    const h = elected(['a', 'b', 'c'], { seed: 11, connect: true, untilOnline: true, settleMs: 500 });
    const leader = h.leader();
    h.propose(leader, 1, ['x']);
    h.deliverAll();
    h.now += 1;
    h.propose(leader, 2, ['y']);
    h.deliverAll();
    const follower = h.followers()[0];
    const commit = h.node(follower).commit;
    expect(h.disks.get(follower)!.state.hardState.commit).toBeLessThan(commit);
    // The follower campaigns (a transfer to it): its first Ready stores the new term and vote at once, with the commit index.
    h.node(leader).transferLeadership(follower, h.now);
    h.drain(leader);
    h.deliverAll((m) => m.to === follower && m.message.type === 'TimeoutNow');
    const stored = h.disks.get(follower)!.state.hardState;
    expect(stored.term).toBe(h.node(follower).term);
    expect(stored.vote).toBe(follower);
    expect(stored.commit).toBe(commit);
  });
});

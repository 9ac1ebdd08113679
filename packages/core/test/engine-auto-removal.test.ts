// When the leader takes a silent voter out of the configuration by itself. A silent voter may be
// partitioned rather than dead: removing the third voter of three leaves {leader, one other}, which
// any single failure wedges, and the removed voter could no longer rescue it once back. So silent
// voters go only when the voters left still tolerate a failure, or when removing them makes the
// group tolerate more failures than now (an even number of voters, several dead, or no live quorum
// left); otherwise a learner is promoted first, or the voter stays.
import { describe, expect, it } from 'vitest';
import type { Membership, PeerId } from '../src/types';
import { EngineHarness, fastTimings } from './support/engine-harness';

const base = { ...fastTimings, autoRemoveAfterMs: 3000 };
const solo = (id: PeerId): Membership => ({ voters: [id], learners: [] });

function group(voters: number, config = {}): { h: EngineHarness; ids: PeerId[] } {
  const ids = ['a', 'b', 'c', 'd', 'e'].slice(0, voters);
  const h = new EngineHarness({ ids: ['a'], config: { ...base, ...config }, bootstrapFor: solo });
  h.runUntil(() => h.leaders().length === 1, 5000);
  for (const id of ids.slice(1)) h.addPeer(id, null);
  h.connectAll();
  h.runUntil(() => ids.every((id) => h.node(id).status().members.voters.length === voters && h.node(id).status().online), 20_000);
  return { h, ids };
}

const voters = (h: EngineHarness) => [...h.node(h.leader()).status().members.voters].sort();

describe('auto-removal of silent voters', () => {
  it('keeps the third voter of three while two are alive; back from its partition, it rescues the group when another voter dies', () => {
    const { h } = group(3);
    const leader = h.leader();
    const [silent, other] = h.followers();
    h.disconnect(silent);
    h.advance(base.autoRemoveAfterMs * 3);
    expect(voters(h)).toEqual(['a', 'b', 'c']);
    h.propose(leader, 1, ['while one is away']);
    h.runUntil(() => h.appliedCommands(other).includes('while one is away'), 2000);
    // The other voter dies for good; the partition heals: the two left are a quorum of three.
    h.removePeer(other);
    h.heal();
    h.connectAll();
    h.runUntil(() => h.leaders().length === 1 && h.node(silent).status().online, 10_000);
    h.propose(h.leader(), 2, ['after the heal']);
    h.runUntil(() => h.appliedCommands(silent).includes('after the heal'), 5000);
  });

  it('promotes a learner first (one voter over maxVoters for the moment), then removes the silent voter', () => {
    const { h } = group(3, { maxVoters: 3 });
    h.addPeer('d', null);
    h.connectAll();
    h.runUntil(() => h.node('d').status().online, 10_000);
    expect(h.node(h.leader()).status().members.learners).toEqual(['d']);
    const silent = h.followers().find((id) => id !== 'd')!;
    h.disconnect(silent);
    let most = 0;
    h.runUntil(() => {
      most = Math.max(most, voters(h).length);
      return !voters(h).includes(silent);
    }, base.autoRemoveAfterMs * 3);
    expect(most).toBe(4);
    expect(voters(h)).toEqual(['a', 'b', 'c', 'd'].filter((id) => id !== silent));
  });

  for (const { of, why } of [
    { of: 4, why: 'the three left tolerate one more failure, the four did not' },
    { of: 5, why: 'the four left still tolerate one more failure' },
  ]) {
    it(`removes one silent voter of ${of} (${why})`, () => {
      const { h } = group(of);
      const silent = h.followers()[0];
      h.disconnect(silent);
      h.runUntil(() => !voters(h).includes(silent), base.autoRemoveAfterMs * 3);
      expect(voters(h)).toHaveLength(of - 1);
    });
  }

  it('removes two dead voters of five one after the other (no single step helps, both together do)', () => {
    const { h } = group(5);
    const [x, y] = h.followers();
    h.disconnect(x);
    h.disconnect(y);
    // Every voter count the configuration passes through: one removal per configuration change.
    const counts = [voters(h).length];
    h.runUntil(() => {
      const n = voters(h).length;
      if (n !== counts[counts.length - 1]) counts.push(n);
      return n === 3;
    }, base.autoRemoveAfterMs * 4);
    expect(counts).toEqual([5, 4, 3]);
    expect(voters(h).includes(x) || voters(h).includes(y)).toBe(false);
  });
});

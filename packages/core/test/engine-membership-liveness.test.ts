// Membership liveness regressions found by the simulator's churn scenario: a voter
// that does not know yet it was promoted must still vote, and a learner whose leader died must
// find the new leader even when that leader's configuration lacks it.
import { describe, expect, it } from 'vitest';
import type { PersistedState } from '../src/storage';
import type { LogEntry, Membership, PeerId } from '../src/types';
import { EngineHarness, fastTimings } from './support/engine-harness';

const base = { ...fastTimings, autoRemoveAfterMs: 30_000 };
const config = (index: number, voters: PeerId[], learners: PeerId[] = []): LogEntry => ({ kind: 'config', index, term: 1, membership: { voters, learners } });
const disk = (entries: LogEntry[], commit: number): PersistedState => ({ hardState: { term: 1, vote: null, commit }, snapshot: null, entries });

/** Restart every peer of `h` from the given disk (as after a power cut). */
function restartFrom(h: EngineHarness, disks: Record<PeerId, PersistedState>): void {
  for (const [id, state] of Object.entries(disks)) {
    h.disks.get(id)!.state = state;
    h.removePeer(id);
    h.start(id);
  }
  h.connectAll();
}

describe('engine: membership liveness', () => {
  it('a learner promoted by a config entry it has not received yet still grants its vote (thesis §4.1)', () => {
    // a leads {a} with learner b; it appended the promotion {a, b} (effective at once, so it needs
    // b to commit) and lost leadership before b received it. b still sees itself as a learner.
    const h = new EngineHarness({ ids: ['a', 'b'], config: base, bootstrapFor: () => undefined });
    const shared = [config(1, ['a']), { kind: 'noop', index: 2, term: 1 } as LogEntry, config(3, ['a'], ['b'])];
    restartFrom(h, { a: disk([...shared, config(4, ['a', 'b'])], 3), b: disk(shared, 3) });
    expect(h.node('b').status().members).toEqual<Membership>({ voters: ['a'], learners: ['b'] });
    // a needs b's vote: if b abstained because it is no voter in its own view, no one could ever lead.
    h.runUntil(() => h.leaders().includes('a') && h.node('b').status().members.voters.includes('b'), 10_000);
    expect(h.node('a').status().committed).toBeGreaterThanOrEqual(4);
    h.propose('a', 1, ['after']);
    h.advance(500);
    expect(h.appliedCommands('b')).toEqual(['after']);
  });

  for (const preference of ['normal', 'observer'] as const) it(`a learner (${preference}) whose leader died rejoins a new leader whose configuration lacks it`, () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: { ...base, maxVoters: 3 }, preferences: { l: preference } });
    h.runUntil(() => h.leaders().length === 1 && h.node(h.leader()).status().committed >= 2, 10_000);
    const old = h.leader();
    const voters = ['a', 'b', 'c'].filter((id) => id !== old);
    // The old leader is cut off from the other voters, adds the newcomer l as a learner (l hears
    // it, the others never do), then dies. l keeps seeing it as its leader.
    for (const v of voters) {
      h.cut(old, v);
      h.cut(v, old);
    }
    h.addPeer('l', null);
    h.connectAll();
    h.runUntil(() => h.node('l').status().members.learners.includes('l') && h.node('l').status().leader === old, 5_000);
    // The configuration adding l never reached the other voters.
    for (const v of voters) expect(h.node(v).status().members.learners).not.toContain('l');
    h.removePeer(old);
    h.runUntil(() => h.leaders().some((id) => voters.includes(id)), 10_000);
    const fresh = h.leader();
    // l never campaigns (a learner) and the new leader does not replicate to non-members: l must
    // stop believing in its dead leader and ask a live peer, which points it at the new one.
    h.runUntil(() => h.node(fresh).status().members.learners.includes('l') && h.node('l').status().leader === fresh, 10_000);
    h.propose(fresh, 1, ['hello']);
    h.advance(500);
    expect(h.appliedCommands('l')).toContain('hello');
  });
});

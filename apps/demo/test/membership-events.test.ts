// The cluster panel's event feed: joins, promotions, departures and leader changes from two views
// of this tab; no events before the first configuration or across this tab's own new identity.
import { describe, expect, it } from 'vitest';
import { clusterEvents, describeClusterEvent, type ClusterView } from '../src/components/membership-events';

const view = (over: Partial<ClusterView>): ClusterView => ({ peerId: 'me', voters: ['me', 'a'], learners: [], leader: 'a', term: 2, ...over });

describe('clusterEvents', () => {
  it('a first view, or one before any configuration, is a baseline', () => {
    expect(clusterEvents(null, view({}), 1)).toEqual([]);
    expect(clusterEvents(view({ voters: [], leader: null }), view({}), 1)).toEqual([]);
  });

  it('reports a learner joining, its promotion, a departure and a new leader', () => {
    const joined = clusterEvents(view({}), view({ learners: ['late'] }), 5);
    expect(joined).toEqual([{ kind: 'joined', peer: 'late', at: 5 }]);
    const promoted = clusterEvents(view({ learners: ['late'] }), view({ voters: ['me', 'a', 'late'] }), 6);
    expect(promoted.map((e) => [e.kind, e.peer])).toEqual([['promoted', 'late']]);
    const left = clusterEvents(view({ voters: ['me', 'a', 'late'] }), view({ voters: ['me', 'late'], leader: 'late', term: 3 }), 7);
    expect(left.map(describeClusterEvent)).toEqual(['a left the group', 'late leads (term 3)']);
  });

  it('a peer added straight as a voter joined and became a voter', () => {
    const events = clusterEvents(view({}), view({ voters: ['me', 'a', 'b'] }), 1);
    expect(events.map((e) => e.kind)).toEqual(['joined', 'promoted']);
  });

  it("nothing across a change of this tab's own peer id", () => {
    expect(clusterEvents(view({}), view({ peerId: 'me2', voters: ['me2', 'a'] }), 1)).toEqual([]);
  });
});

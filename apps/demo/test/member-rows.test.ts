// The cluster panel's rows: own values from status, others from gossip or "unknown", leader marked
// from status.leader, stale reports of unreachable peers not shown as online.
import { describe, expect, it } from 'vitest';
import type { GroupStatus } from 'meshraft';
import { memberRows } from '../src/components/member-rows';

const base: GroupStatus = {
  peerId: 'me',
  role: 'follower',
  term: 4,
  leader: 'lead',
  committed: 10,
  applied: 9,
  online: true,
  members: { voters: ['lead', 'me', 'other'], learners: ['late'] },
  catchUp: null,
  closed: false,
};

describe('memberRows', () => {
  it('lists voters then learners; only this tab has values when nothing is gossiped', () => {
    const rows = memberRows(base, null);
    expect(rows.map((r) => [r.id, r.kind])).toEqual([['lead', 'voter'], ['me', 'voter'], ['other', 'voter'], ['late', 'learner']]);
    expect(rows.filter((r) => r.leader).map((r) => r.id)).toEqual(['lead']);
    expect(rows[1]).toMatchObject({ self: true, role: 'follower', term: 4, committed: 10, applied: 9, online: 'online' });
    expect(rows[0]).toMatchObject({ role: 'leader', term: 4, committed: null, online: 'unknown' });
    expect(rows[2]).toMatchObject({ role: null, term: null, applied: null, online: 'unknown' });
  });

  it('uses gossiped views and the mesh connections when present', () => {
    const status: GroupStatus = {
      ...base,
      peers: {
        other: { role: 'follower', term: 4, committed: 10, applied: 10, online: true, catchUp: null },
        late: { role: 'follower', term: 4, committed: 10, applied: 3, online: true, catchUp: null },
      },
    };
    const rows = memberRows(status, ['lead', 'other']);
    expect(rows[0].online).toBe('connected');
    expect(rows[2]).toMatchObject({ role: 'follower', applied: 10, online: 'online' });
    // "late" reported itself online, but this tab lost its connection: the report is stale.
    expect(rows[3]).toMatchObject({ applied: 3, online: 'unreachable' });
  });
});

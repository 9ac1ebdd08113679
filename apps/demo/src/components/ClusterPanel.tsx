// The live cluster panel: every member of the configuration (voters and learners) with role, term,
// committed and applied index and online state. This tab's row comes from its own status; other
// rows from what peers gossip (status.peers) when the runtime provides it, else "—" with the
// leader marked from status.leader and "connected" from this tab's WebRTC mesh. Below the table, a
// feed of joins, departures and leader changes (ClusterEvents).
import { useEffect, useState } from 'react';
import { useGroupStatus } from '@meshraft/react';
import type { GroupStatus, PeerId } from 'meshraft';
import { ClusterEvents } from './ClusterEvents';
import { memberRows, type MemberRow } from './member-rows';

export interface ClusterPanelProps {
  /** Peers this tab is connected to right now (polled); omit to show "—". */
  connections?: () => Promise<PeerId[]>;
}

const POLL_CONNECTIONS_MS = 1000;

function useConnections(connections: ClusterPanelProps['connections']): PeerId[] | null {
  const [peers, setPeers] = useState<PeerId[] | null>(null);
  useEffect(() => {
    if (!connections) return;
    let live = true;
    const poll = () =>
      connections().then(
        (ids) => {
          if (!live) return;
          const sorted = [...ids].sort();
          // Keep the old array while unchanged: no re-render every second for nothing.
          setPeers((old) => (old && old.length === sorted.length && old.every((id, i) => id === sorted[i]) ? old : sorted));
        },
        () => {},
      );
    void poll();
    const timer = setInterval(poll, POLL_CONNECTIONS_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [connections]);
  return peers;
}

export function ClusterPanel({ connections }: ClusterPanelProps) {
  const status: GroupStatus = useGroupStatus();
  const connected = useConnections(connections);
  const rows = memberRows(status, connected);
  const selfRole = status.role === 'leader' ? 'leader' : status.online ? status.role : 'offline';
  return (
    <aside className="cluster-panel" data-testid="cluster-panel">
      <div className="panel-header">
        <h2>Cluster</h2>
        <span className={`role-badge role-${status.role}`} data-testid="self-role" title="this tab's role">
          this tab: {selfRole}
        </span>
      </div>
      <dl className="cluster-summary">
        <dt>peer id</dt>
        <dd data-testid="self-peer-id">{status.peerId || '…'}</dd>
        <dt>leader</dt>
        <dd data-testid="leader-id">{status.leader ?? 'none'}</dd>
        <dt>term</dt>
        <dd>{status.term}</dd>
      </dl>
      {rows.length === 0 ? (
        <p className="muted">Waiting for the group configuration…</p>
      ) : (
        <table className="members">
          <thead>
            <tr>
              <th>peer</th>
              <th>role</th>
              <th title="Raft term">term</th>
              <th title="committed index">commit</th>
              <th title="applied index">applied</th>
              <th>online</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <MemberRowView key={row.id} row={row} />
            ))}
          </tbody>
        </table>
      )}
      {rows.some((row) => row.term === null) && (
        <p className="legend muted">"—": not reported by that peer (yet). The leader is the one this tab follows.</p>
      )}
      <ClusterEvents />
    </aside>
  );
}

function MemberRowView({ row }: { row: MemberRow }) {
  const cell = (value: string | number | null) => (value === null ? '—' : String(value));
  return (
    <tr
      data-testid="member"
      data-peer={row.id}
      data-role={row.role ?? 'unknown'}
      data-leader={row.leader ? 'true' : 'false'}
      data-self={row.self ? 'true' : 'false'}
      className={[row.self ? 'self' : '', row.leader ? 'leader' : ''].join(' ').trim()}
    >
      <td>
        <span className="peer-id" title={row.id}>
          {row.id}
        </span>
        {row.self && <span className="tag">this tab</span>}
        <span className="tag tag-kind">{row.kind}</span>
      </td>
      <td>
        <span className={`role role-${row.role ?? 'unknown'}`}>{cell(row.role)}</span>
      </td>
      <td>{cell(row.term)}</td>
      <td>{cell(row.committed)}</td>
      <td>{cell(row.applied)}</td>
      <td>
        <span className={`online online-${row.online}`}>{row.online === 'unknown' ? '—' : row.online}</span>
      </td>
    </tr>
  );
}

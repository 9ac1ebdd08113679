// What "converged" means once the faults heal: one leader known to every current member, every
// member's log fully committed and applied, identical state machines. Current members are those
// of the leader's configuration; all of them must be running. Peers that were removed (retired, or
// running but out of every later configuration) no longer count; a running peer that never was a
// member must have joined by then.
import type { PeerId } from '@meshraft/core';
import type { Cluster } from './cluster';
import type { SimPeer } from './sim-peer';

export function findLeader(peers: readonly SimPeer[]): SimPeer | null {
  let best: SimPeer | null = null;
  for (const p of peers) {
    const s = p.lastStatus;
    if (p.isUp && !p.paused && s?.role === 'leader' && (best === null || s.term > best.lastStatus!.term)) best = p;
  }
  return best;
}

export function isConverged(cluster: Cluster, everMember: (id: PeerId) => boolean): boolean {
  const running = cluster.active();
  for (const p of running) if (!p.isUp || p.paused || !p.lastStatus) return false;
  const leader = findLeader(running);
  if (leader === null) return false;
  const { committed, term, members } = leader.lastStatus!;
  const memberIds = [...members.voters, ...members.learners];
  for (const id of memberIds) {
    const p = cluster.get(id);
    if (!p || p.retired) return false; // a member that is gone for good must be removed first
  }
  const state = leader.kv.fingerprint();
  for (const p of running) {
    const s = p.lastStatus!;
    if (!memberIds.includes(p.id)) {
      if (everMember(p.id)) continue; // removed: no longer part of the group
      return false; // still joining
    }
    const knows = s.role === 'leader' ? p === leader : s.leader === leader.id;
    if (!knows || s.term !== term || s.committed !== committed || s.lastIndex !== committed) return false;
    if (p.kv.appliedIndex !== committed || p.kv.fingerprint() !== state) return false;
  }
  return true;
}

export function describePeers(cluster: Cluster): string {
  return cluster.peers
    .map((p) => {
      const s = p.lastStatus;
      if (p.retired) return `  ${p.id}: retired${p.leaving ? ' (left)' : ''}`;
      if (!p.joined) return `  ${p.id}: not started`;
      if (!p.isUp || !s) return `  ${p.id}: down`;
      const m = `${s.members.voters.join(',')}/${s.members.learners.join(',')}`;
      return `  ${p.id}: ${s.role} term=${s.term} leader=${s.leader} commit=${s.committed} last=${s.lastIndex} applied=${p.kv.appliedIndex} members=${m}${s.removed ? ' removed' : ''}${s.catchUp ? ' catching-up' : ''}${p.paused ? ' paused' : ''}`;
    })
    .join('\n');
}

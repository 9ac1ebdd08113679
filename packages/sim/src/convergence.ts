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
  const gone = (id: PeerId) => {
    const p = cluster.get(id);
    return !p || p.retired;
  };
  // A member gone for good must be removed first, except a voter the engine keeps on purpose: one
  // whose removal would leave voters that no further failure may hit, with nothing gained
  // (membership-changes.ts, autoRemove).
  if (members.learners.some(gone)) return false;
  if (members.voters.some(gone) && removesGoneVoter(members.voters, gone)) return false;
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

/** Whether the engine's auto-removal takes a dead voter out of `voters` (the rule of membership-changes.ts). */
function removesGoneVoter(voters: readonly PeerId[], gone: (id: PeerId) => boolean): boolean {
  const live = voters.filter((id) => !gone(id)).length;
  const tolerated = (count: number) => live - (Math.floor(count / 2) + 1);
  return tolerated(voters.length - 1) >= 1 || tolerated(live) > tolerated(voters.length);
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

// What an engine reports of itself (RaftStatus): its role and term, the leader it follows, how far
// its log is stored, committed and applied, the configuration, catch-up progress, and the lifecycle
// facts a host shows (removed, departed members, prior voters, frozen). Ready.status carries it
// whenever it changed (ready-tracker.ts).
import type { RaftStatus } from '../types';
import type { CatchUpDriver } from './catchup-driver';
import type { DepartureHandler } from './departure-handler';
import { copyMembership } from './membership';
import type { MembershipClient } from './membership-client';
import type { EngineCore, RoleView } from './node-context';

export interface StatusSource extends Pick<EngineCore, 'id' | 'term' | 'commit' | 'log' | 'membership' | 'departures'>, Pick<RoleView, 'role' | 'leaderId'> {
  readonly members: Pick<MembershipClient, 'removed'>;
  readonly catchUp: Pick<CatchUpDriver, 'active' | 'progress'>;
  readonly departureHandler: Pick<DepartureHandler, 'isFrozen'>;
}

/** The status of `node`, whose host has been handed committed entries up to `applied`. */
export function describeEngine(node: StatusSource, applied: number): RaftStatus {
  const removed = node.members.removed;
  const status: RaftStatus = {
    peerId: node.id,
    role: node.role,
    term: node.term,
    leader: node.leaderId,
    committed: node.commit,
    applied,
    lastIndex: node.log.lastIndex(),
    online: !removed && !node.catchUp.active && (node.role === 'leader' || node.leaderId !== null),
    members: copyMembership(node.membership.current()),
    catchUp: node.catchUp.progress(),
  };
  if (removed) status.removed = true;
  const departed = node.departures.all().filter((id) => node.membership.isMember(id));
  if (departed.length > 0) status.departed = departed;
  const priorVoters = node.membership.priorVoters(node.commit);
  if (priorVoters.length > 0) status.priorVoters = priorVoters;
  if (node.departureHandler.isFrozen()) status.frozen = true;
  return status;
}

// The work an engine defers from its inputs to the next ready(): a burst of inputs (a batch of
// messages, many proposals) is followed by one pass, so what it sends and decides is batched. The
// pass re-runs the rules that depend on everything that arrived: catch-up output, forwarded
// requests, compaction, the leader's commit rule after durable appends (thesis §10.2.1), its read
// rounds and broadcast, and stepping down once outside the configuration (thesis §4.2.2).
import type { CatchUpDriver } from './catchup-driver';
import type { DepartureHandler } from './departure-handler';
import type { MembershipClient } from './membership-client';
import type { EngineCore, RoleTransitions } from './node-context';
import type { RequestHandler } from './requests';
import type { SnapshotKeeper, SnapshotView } from './snapshots';

export interface DeferredWorkHost extends SnapshotView, Pick<EngineCore, 'id' | 'term' | 'departures'>, Pick<RoleTransitions, 'becomeFollower'> {
  readonly snapshots: Pick<SnapshotKeeper, 'compact'>;
  readonly departureHandler: Pick<DepartureHandler, 'retryRelays'>;
  readonly catchUp: Pick<CatchUpDriver, 'pump'>;
  readonly requests: Pick<RequestHandler, 'flush' | 'resolveReads' | 'failAll'>;
  readonly members: Pick<MembershipClient, 'removed' | 'refresh'>;
}

/** Work that is due whenever the host looks: catch-up output, commit after durable appends, sends. */
export function runDeferredWork(node: DeferredWorkHost): void {
  node.departureHandler.retryRelays();
  node.catchUp.pump();
  node.requests.flush();
  node.snapshots.compact(node);
  const leader = node.leader;
  if (leader) {
    leader.maybeCommit();
    if (leader.readRoundWanted()) node.requests.resolveReads(leader.heartbeat(node.now));
    // Sending here (not on every propose) batches everything proposed since the last Ready.
    leader.broadcast();
    // Thesis §4.2.2: a leader outside the configuration steps down once that configuration, and an
    // entry of its own term (a stranded learner's no-op, see CampaignTimer), are committed.
    if (!node.membership.isVoter(node.id) && node.commit >= node.membership.currentIndex() && leader.committedInTerm()) {
      node.becomeFollower(node.term, null);
    }
  }
  // Departed peers outside a committed configuration can never count again. Only once this peer
  // is a member itself: a peer still replaying older configurations (a new tab fetching the log)
  // would otherwise forget the notices it was given at connect time before reaching the
  // configuration that still lists those peers.
  if (node.commit >= node.membership.currentIndex() && !node.membership.needsLogging() && node.membership.isMember(node.id)) {
    node.departures.forgetExcept(new Set(node.membership.others(node.id)));
  }
  const wasRemoved = node.members.removed;
  node.members.refresh();
  if (node.members.removed && !wasRemoved) node.requests.failAll('removed');
}

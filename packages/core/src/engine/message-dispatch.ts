// Where a peer's message goes once RaftNode.receive() took it in: the admission checks every
// message passes first (no frame from ourselves, none after we or its sender departed, no term the
// wire limits refuse), then one handler per message type. The handlers live in their helpers
// (candidacy.ts, replication-messages.ts, requests.ts, catchup-driver.ts, membership-*.ts,
// departure-handler.ts); this file only routes.
import type { Message } from '../messages';
import type { PeerId } from '../types';
import { admitsTerm, messageTerm } from './bounds';
import { onVoteRequest, onVoteResponse, type CandidacyHost } from './candidacy';
import type { CatchUpDriver } from './catchup-driver';
import type { DepartureHandler } from './departure-handler';
import type { LeaderState } from './leader';
import type { MembershipClient } from './membership-client';
import type { EngineCore } from './node-context';
import { onReplicationMessage, type ReplicationHost } from './replication-messages';
import type { RequestHandler } from './requests';

export interface DispatchHost extends CandidacyHost, ReplicationHost, Pick<EngineCore, 'membership' | 'departures' | 'refusals' | 'term' | 'send'> {
  /** This peer departed (depart()): it takes no input any more. */
  readonly departed: boolean;
  readonly leader: LeaderState | null;
  readonly departureHandler: Pick<DepartureHandler, 'onDeparture' | 'onLastAppend' | 'tails'>;
  readonly requests: Pick<RequestHandler, 'onMessage' | 'notLeader' | 'resolveReads'>;
  readonly catchUp: Pick<CatchUpDriver, 'active' | 'leaderlessActive' | 'onAppend' | 'serve' | 'receive' | 'abort'>;
  readonly members: Pick<MembershipClient, 'onLeaderContact' | 'onResponse'>;
}

/** Admits `message` from `from` (or drops and counts it) and hands it to its handler. */
export function dispatchMessage(node: DispatchHost, from: PeerId, message: Message): void {
  // Nothing from ourselves, nothing once we departed, nothing from a peer after its Departure (it
  // promised silence; a stray frame must not count as a vote or an acknowledgement). Except its
  // last frames (DeparturePlan): sent just before its notice, they may arrive after a copy of the
  // notice another peer passed on. TimeoutNow counts for nothing (it only makes us campaign; votes
  // decide); a last AppendEntries is taken for its entries only (DepartureHandler.onLastAppend).
  const lastFrame = message.type === 'Departure' || message.type === 'TimeoutNow' || message.type === 'AppendEntries';
  const silenced = node.departures.everDeparted(from) && !lastFrame;
  if (from === node.id || node.departed || silenced) {
    node.droppedMessages++;
    return;
  }
  if (!admitsTerm(messageTerm(message), node.term, from, node.membership)) {
    node.refusals.termJumps++;
    node.droppedMessages++;
    return;
  }
  switch (message.type) {
    case 'Departure':
      return node.departureHandler.onDeparture(from, message);
    case 'PreVote':
    case 'RequestVote':
      return onVoteRequest(node, from, message);
    case 'PreVoteResponse':
    case 'RequestVoteResponse':
      return onVoteResponse(node, from, message);
    case 'AppendEntries':
      if (node.departures.everDeparted(from)) return node.departureHandler.onLastAppend(message);
      return onReplicationMessage(node, from, message);
    case 'Heartbeat':
    case 'TimeoutNow':
    case 'AppendEntriesResponse':
    case 'HeartbeatResponse':
      return onReplicationMessage(node, from, message);
    case 'ForwardCommands':
    case 'ForwardCommandsResponse':
    case 'ReadIndexRequest':
    case 'ReadIndexResponse':
      return node.requests.onMessage(from, message);
    case 'AvailabilityRequest':
    case 'FetchEntriesRequest':
    case 'FetchSnapshotRequest':
      return node.catchUp.serve(from, message);
    case 'AvailabilityResponse':
    case 'FetchEntriesResponse':
    case 'FetchSnapshotResponse':
      // Fig. 2: a newer term from any peer means whoever we follow is deposed. Without this a
      // peer catching up under a stale leader could trust that leader's entries (and its commit
      // index) while fetching the newer term's committed log from everyone else.
      node.adoptTerm(message.senderTerm, null);
      return node.catchUp.receive(from, message);
    case 'JoinRequest':
    case 'LeaveRequest': {
      const changes = node.leader?.changes;
      if (changes) node.send(from, message.type === 'JoinRequest' ? changes.onJoin(from, message) : changes.onLeave(from, message));
      else if (message.type === 'JoinRequest' && unconfigured(node)) node.send(from, { type: 'MembershipResponse', requestId: message.requestId, ok: false, error: 'unconfigured' });
      else node.send(from, { type: 'MembershipResponse', requestId: message.requestId, ...node.requests.notLeader() });
      return;
    }
    case 'MembershipResponse':
      return node.members.onResponse(from, message, node.now);
    case 'LogTailRequest':
      return node.departureHandler.tails.answer(from, message);
    case 'LogTailResponse':
      return node.departureHandler.tails.take(from, message);
    default:
      node.droppedMessages++;
  }
}

/**
 * No configuration at all (not even a bootstrap one) and no log: this engine waits to be added and
 * will never found a group (an engine bootstraps only when it starts), so it is nobody's rival.
 */
function unconfigured(node: DispatchHost): boolean {
  const { voters, learners } = node.membership.current();
  return voters.length === 0 && learners.length === 0 && node.log.lastIndex() === 0;
}

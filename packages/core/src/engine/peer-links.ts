// What the transport tells the engine about its peers: a link came up, went down, a peer's process
// stopped, or the full list of peers the host sees running. Raft itself needs none of it (a message
// to an unreachable peer is simply lost); the engine uses it to stop pipelining to and waiting on
// peers it cannot reach, to pass departure notices to peers that missed them, and to hand a dead
// leader's followers their turn to campaign.
import type { PeerId } from '../types';
import type { CatchUpDriver } from './catchup-driver';
import { PeerConnectivity } from './connectivity';
import type { DepartureHandler } from './departure-handler';
import type { ForwardQueue } from './forwarding';
import type { LeaderState } from './leader';
import type { MembershipClient } from './membership-client';
import type { EngineCore, PeerDirectory, RoleView } from './node-context';

export interface PeerLinksHost extends Pick<EngineCore, 'id' | 'now' | 'membership' | 'departures'>, Pick<RoleView, 'role' | 'leaderId' | 'vote'> {
  readonly leader: Pick<LeaderState, 'onPeerUp' | 'onPeerDown'> | null;
  readonly forwards: Pick<ForwardQueue, 'requeueWhere'>;
  readonly catchUp: Pick<CatchUpDriver, 'peerUp' | 'peerDown'>;
  readonly members: Pick<MembershipClient, 'onPeerUp'>;
  readonly departureHandler: Pick<DepartureHandler, 'turns' | 'passOnTo' | 'relays' | 'takeRelaysAboutAbsent'>;
}

export class PeerLinks implements PeerDirectory {
  /** Which peers the transport reported up, and down since. */
  private readonly connectivity = new PeerConnectivity();

  constructor(private readonly node: PeerLinksHost) {}

  /** The transport connected `id`: pass on departure notices, resume replication and catch-up, ask it about membership. */
  up(id: PeerId): void {
    const node = this.node;
    if (id === node.id) return;
    this.connectivity.reportUp(id);
    node.departureHandler.turns.notePeerBack(id);
    // A peer that was not connected when a member departed (a new tab, a restart) never got the
    // notice; without it a departed voter would count for its quorums forever.
    node.departureHandler.passOnTo(id);
    node.leader?.onPeerUp(id, node.now);
    node.catchUp.peerUp(id);
    node.members.onPeerUp(id, node.now);
  }

  /** The transport lost `id`: requeue what was forwarded to it, stop pipelining to it. */
  down(id: PeerId): void {
    this.connectivity.reportDown(id);
    this.stopCountingOn(id);
  }

  /**
   * `id`'s process stopped (see RaftEngine.peerGone): a follower of it campaigns in turn, and so
   * does one that voted for it in this term and knows no leader yet (it may have stopped mid-election,
   * as the first in turn after a crashed leader can).
   */
  gone(id: PeerId): void {
    const node = this.node;
    if (id === node.id) return;
    // Not marked down: the transport reports links, and one that still looks up to it would never be
    // reported up again. Frames to a stopped process are simply lost.
    const ledUs = id === node.leaderId;
    const votedFor = node.leaderId === null && node.vote === id;
    this.stopCountingOn(id);
    node.departureHandler.turns.notePeerGone(id);
    if ((ledUs || votedFor) && node.role === 'follower' && !node.departures.has(id)) node.departureHandler.turns.onLeaderGone(id);
  }

  /** Whether a list of the peers running (see present()) could change anything: relays are held. */
  presenceMatters(): boolean {
    return this.node.departureHandler.relays.size > 0;
  }

  /** The host's complete list of peers it sees running (see RaftEngine.peersPresent). */
  present(present: readonly PeerId[]): void {
    this.node.departureHandler.takeRelaysAboutAbsent(new Set(present));
  }

  /** `id` will not answer for now: what we forwarded to it goes out again, nothing more is pipelined to it. */
  private stopCountingOn(id: PeerId): void {
    // What we forwarded to it (our leader, or the candidate we voted for) is lost with it: send it
    // again once a leader is reachable.
    this.node.forwards.requeueWhere((sentTo) => sentTo === id);
    this.node.leader?.onPeerDown(id);
    this.node.catchUp.peerDown(id);
  }

  /** Connectivity as last reported by the transport (unknown peers count as up). */
  isPeerUp(id: PeerId): boolean {
    return this.connectivity.isUp(id);
  }

  /** Peers the transport reported up (and not down since). */
  reportedPeers(): PeerId[] {
    return this.connectivity.reported(this.node.id);
  }

  /** Peers believed reachable: members and peers the transport reported, minus those reported down. */
  connectedPeers(): PeerId[] {
    const node = this.node;
    const members = node.membership.others(node.id);
    return this.connectivity.reachable(node.id, node.leaderId === null ? members : [...members, node.leaderId]);
  }
}

// Client requests through the engine: proposals and linearizable reads, served locally on the
// leader and forwarded to it from followers (queued while no leader is known, failed on timeout).
// Exactly-once: the leader answers a retried ForwardCommands whose tags are already in its log with
// the existing index range instead of appending the commands again.
//
// During an election a follower does not wait to learn the winner: it forwards to the candidate it
// voted for, which holds what it receives while it campaigns and serves it as soon as it wins, in
// the same batch as its first entry of the term (one replication round instead of two after every
// leader change). A candidate that loses answers 'no-leader', as any non-leader does.
import type { ForwardCommands, ForwardCommandsResponse, Message, ReadIndexRequest, ReadIndexResponse } from '../messages';
import type { ClientTag, PeerId } from '../types';
import type { ProposalError } from './api';
import { roomInLog, seqFits } from './bounds';
import type { LeaderState } from './leader';
import type { ForwardQueue, PendingForward } from './forwarding';
import type { EngineCore, PeerDirectory, RoleView } from './node-context';
import type { ConfirmedRead } from './read-index';

type RequestMessage = Extract<Message, { type: 'ForwardCommands' | 'ForwardCommandsResponse' | 'ReadIndexRequest' | 'ReadIndexResponse' }>;

type LeaderAppendResult = { ok: true; start: number; end: number } | { ok: false; error: ProposalError };

/** What client requests use of RaftNode: the leader's state or the leader to forward to, and the output. */
export interface RequestHost
  extends Pick<EngineCore, 'id' | 'config' | 'bugs' | 'log' | 'outbox' | 'refusals' | 'departures' | 'term' | 'commit' | 'now' | 'send'>,
    Pick<PeerDirectory, 'isPeerUp'>,
    Pick<RoleView, 'role' | 'leaderId'> {
  /** Leader-only state while this peer leads, else null. */
  readonly leader: LeaderState | null;
  /** Requests queued for, or out at, the leader. */
  readonly forwards: ForwardQueue;
}

/** A request that reached a candidate, answered once its election is decided. */
type HeldRequest = { from: PeerId; message: ForwardCommands | ReadIndexRequest };

/**
 * At most this many requests, and this many command bytes, held by a candidate; more are answered
 * 'no-leader' at once (and sent again by their senders once a leader is known). A bound on what
 * peers can make a candidate keep.
 */
export const MAX_HELD_BY_CANDIDATE = 1024;
export const MAX_HELD_BYTES_BY_CANDIDATE = 16 * 1024 * 1024;

const commandBytes = (message: ForwardCommands | ReadIndexRequest): number =>
  message.type === 'ForwardCommands' ? message.commands.reduce((sum, command) => sum + command.byteLength, 0) : 0;

export class RequestHandler {
  /**
   * The candidate this engine granted its vote to, and in which term: a vote cast by this
   * incarnation, after a RequestVote that just arrived over a live link. A vote loaded from storage
   * (a restart, a tab adopting a crashed tab's identity) is not one: its peer may not even be
   * connected yet, and a request sent to it there would wait out forwardTimeoutMs.
   */
  private granted: { term: number; candidate: PeerId } | null = null;
  /** Requests received while campaigning in `term` (the term of the first one held). */
  private campaignHeld: { term: number; requests: HeldRequest[]; bytes: number } = { term: 0, requests: [], bytes: 0 };

  constructor(private readonly node: RequestHost) {}

  private deadline(): number {
    return this.node.now + this.node.config.forwardTimeoutMs;
  }

  /** The leader, when it may take proposals now (not while handing leadership over). */
  private activeLeader(): LeaderState | null {
    const leader = this.node.leader;
    return leader && !leader.transfer ? leader : null;
  }

  propose(requestId: number, commands: Uint8Array[], client: ClientTag): void {
    const { outbox } = this.node;
    const leader = this.activeLeader();
    if (this.tooLarge(commands, client)) {
      outbox.proposals.push({ requestId, ok: false, error: 'too-large' });
    } else if (leader) {
      outbox.proposals.push({ requestId, ...this.leaderAppend(leader, commands, client) });
    } else {
      this.node.forwards.add('propose', requestId, commands, client, this.deadline());
      this.flush();
    }
  }

  read(requestId: number): void {
    const { node } = this;
    if (node.leader) {
      if (node.bugs.readWithoutQuorum) node.outbox.reads.push({ requestId, ok: true, index: node.commit });
      else node.leader.addRead({ kind: 'local', requestId }, this.deadline());
    } else {
      node.forwards.add('read', requestId, [], null, this.deadline());
      this.flush();
    }
  }

  /**
   * Empty or oversized proposals are refused (the host validates earlier; this is the backstop), and
   * so is one whose sequence numbers seq .. seq + n - 1 would pass the wire limit (counted).
   */
  private tooLarge(commands: Uint8Array[], client: ClientTag | null): boolean {
    const { config } = this.node;
    if (commands.length === 0 || commands.length > config.maxProposalCommands) return true;
    if (client && !seqFits(client.seq, commands.length)) {
      this.node.refusals.proposals++;
      return true;
    }
    let bytes = 0;
    for (const command of commands) bytes += command.length;
    return bytes > config.maxProposalBytes;
  }

  private leaderAppend(leader: LeaderState, commands: Uint8Array[], client: ClientTag | null): LeaderAppendResult {
    if (this.tooLarge(commands, client)) return { ok: false, error: 'too-large' };
    const existing = client ? leader.tags.lookup(client, commands.length) : null;
    if (existing) return { ok: true, ...existing };
    if (!roomInLog(this.node.log.lastIndex(), commands.length)) {
      // The log would pass the wire's index limit: no entry may ever be created there (bounds.ts).
      this.node.refusals.proposals++;
      return { ok: false, error: 'too-large' };
    }
    return { ok: true, ...leader.appendCommands(commands, client) };
  }

  /**
   * Send queued requests to the known leader (else to the candidate this peer voted for in this
   * term), or serve them locally when this peer leads.
   */
  flush(): void {
    const { node } = this;
    this.releaseCampaignHeld();
    const leader = this.activeLeader();
    if (leader) {
      for (const item of node.forwards.takeUnsent()) {
        if (item.kind === 'read') this.read(item.requestId);
        else node.outbox.proposals.push({ requestId: item.requestId, ...this.leaderAppend(leader, item.commands, item.client) });
      }
      const held = leader.held;
      leader.held = [];
      for (const { from, message } of held) this.onForwardCommands(from, message);
      return;
    }
    const target = this.forwardTarget();
    // A leader the transport reports down would lose them: wait until it is back or replaced.
    if (node.leader || target === null || !node.isPeerUp(target)) return;
    for (const item of node.forwards.sendable(target)) {
      node.forwards.markSent(item, target);
      if (item.kind === 'read') node.send(target, { type: 'ReadIndexRequest', requestId: item.wireId });
      else node.send(target, { type: 'ForwardCommands', requestId: item.wireId, client: item.client!, commands: item.commands });
    }
  }

  onMessage(from: PeerId, m: RequestMessage): void {
    switch (m.type) {
      case 'ForwardCommands':
        return this.onForwardCommands(from, m);
      case 'ReadIndexRequest':
        return this.onReadIndexRequest(from, m);
      case 'ForwardCommandsResponse':
      case 'ReadIndexResponse':
        return this.onResponse(from, m);
    }
  }

  /** This engine granted `candidate` its vote in the current term (RaftNode.grantVote). */
  onVoteGranted(candidate: PeerId): void {
    this.granted = { term: this.node.term, candidate };
  }

  /**
   * Where forwarded requests go: the known leader; with none known, the candidate this engine voted
   * for in this term (the likely winner: it holds them until the election is decided), unless that
   * peer departed since (the vote may be for a leader of this term that has since closed its tab).
   */
  private forwardTarget(): PeerId | null {
    const { node, granted } = this;
    if (node.leaderId !== null) return node.leaderId;
    // A vote is cast once per term, so one granted in this term is still this peer's vote.
    if (node.role !== 'follower' || granted === null || granted.term !== node.term) return null;
    return node.departures.everDeparted(granted.candidate) ? null : granted.candidate;
  }

  /** A candidate keeps requests for the leader it may become this term (false: answer them now). */
  private holdWhileCampaigning(from: PeerId, message: ForwardCommands | ReadIndexRequest): boolean {
    const { node } = this;
    if (node.role !== 'candidate') return false;
    this.releaseCampaignHeld(); // what an earlier campaign held is refused now
    const held = this.campaignHeld;
    const bytes = commandBytes(message);
    if (held.requests.length >= MAX_HELD_BY_CANDIDATE || held.bytes + bytes > MAX_HELD_BYTES_BY_CANDIDATE) return false;
    if (held.requests.length === 0) held.term = node.term;
    held.requests.push({ from, message });
    held.bytes += bytes;
    return true;
  }

  /** Serve what was held while campaigning once this peer leads in that term; refuse it once it cannot. */
  private releaseCampaignHeld(): void {
    const { node } = this;
    const { term, requests } = this.campaignHeld;
    if (requests.length === 0 || (node.role === 'candidate' && node.term === term)) return;
    this.campaignHeld = { term: 0, requests: [], bytes: 0 };
    const won = node.leader !== null && node.term === term;
    for (const { from, message } of requests) {
      if (!won) this.refuse(from, message);
      else if (message.type === 'ForwardCommands') this.onForwardCommands(from, message);
      else this.onReadIndexRequest(from, message);
    }
  }

  /** Answer a request this peer cannot serve: it is not the leader (with a hint when it knows one). */
  private refuse(from: PeerId, message: ForwardCommands | ReadIndexRequest): void {
    const type = message.type === 'ForwardCommands' ? 'ForwardCommandsResponse' : 'ReadIndexResponse';
    this.node.send(from, { type, requestId: message.requestId, ...this.notLeader() });
  }

  notLeader(): { ok: false; error: 'not-leader' | 'no-leader'; leader?: PeerId } {
    const hint = this.node.leaderId;
    return hint !== null && hint !== this.node.id ? { ok: false, error: 'not-leader', leader: hint } : { ok: false, error: 'no-leader' };
  }

  private onForwardCommands(from: PeerId, m: ForwardCommands): void {
    const { node } = this;
    const leader = node.leader;
    if (leader?.transfer) {
      leader.held.push({ from, message: m });
      return;
    }
    if (!leader) {
      if (!this.holdWhileCampaigning(from, m)) this.refuse(from, m);
      return;
    }
    const response = { type: 'ForwardCommandsResponse', requestId: m.requestId, ...this.leaderAppend(leader, m.commands, m.client) } as ForwardCommandsResponse;
    node.send(from, response);
  }

  private onReadIndexRequest(from: PeerId, m: ReadIndexRequest): void {
    const { node } = this;
    if (!node.leader) {
      if (!this.holdWhileCampaigning(from, m)) this.refuse(from, m);
    } else if (node.bugs.readWithoutQuorum) {
      node.send(from, { type: 'ReadIndexResponse', requestId: m.requestId, ok: true, index: node.commit });
    } else {
      node.leader.addRead({ kind: 'remote', peer: from, requestId: m.requestId }, this.deadline());
    }
  }

  private onResponse(from: PeerId, m: ForwardCommandsResponse | ReadIndexResponse): void {
    const { node } = this;
    const kind = m.type === 'ForwardCommandsResponse' ? 'propose' : 'read';
    const item = node.forwards.take(kind, m.requestId, from);
    if (!item) return; // late answer to a request that timed out or was re-sent
    if (m.ok) {
      if (m.type === 'ForwardCommandsResponse') node.outbox.proposals.push({ requestId: item.requestId, ok: true, start: m.start, end: m.end });
      else node.outbox.reads.push({ requestId: item.requestId, ok: true, index: m.index });
    } else if (m.error === 'not-leader' || m.error === 'no-leader') {
      // Nothing was appended there: wait for the real leader (never the same peer again this term).
      node.forwards.requeue(item, from);
      if (m.leader !== undefined && m.leader !== from && node.leaderId === from) this.redirect(item, m.leader);
    } else {
      this.fail(item, m.error);
    }
  }

  /** Follow a leader hint at once instead of waiting to learn the leader ourselves. */
  private redirect(item: PendingForward, to: PeerId): void {
    if (to === this.node.id) return;
    this.node.forwards.markSent(item, to);
    if (item.kind === 'read') this.node.send(to, { type: 'ReadIndexRequest', requestId: item.wireId });
    else this.node.send(to, { type: 'ForwardCommands', requestId: item.wireId, client: item.client!, commands: item.commands });
  }

  private fail(item: PendingForward, error: ProposalError): void {
    if (item.kind === 'read') this.node.outbox.reads.push({ requestId: item.requestId, ok: false, error });
    else this.node.outbox.proposals.push({ requestId: item.requestId, ok: false, error });
  }

  /** Leader: answer reads a heartbeat round has confirmed. */
  resolveReads(confirmed: ConfirmedRead[]): void {
    for (const { origin, index } of confirmed) {
      if (origin.kind === 'local') this.node.outbox.reads.push({ requestId: origin.requestId, ok: true, index });
      else this.node.send(origin.peer, { type: 'ReadIndexResponse', requestId: origin.requestId, ok: true, index });
    }
  }

  /** Fail what timed out: forwarded requests ('timeout' once sent, else 'no-leader') and leader reads. */
  expire(now: number): void {
    for (const item of this.node.forwards.expire(now)) this.fail(item, item.sentTo !== null ? 'timeout' : 'no-leader');
    const leader = this.node.leader;
    if (!leader) return;
    for (const origin of leader.reads.expire(now)) {
      // Remote readers time out on their own side.
      if (origin.kind === 'local') this.node.outbox.reads.push({ requestId: origin.requestId, ok: false, error: 'timeout' });
    }
  }

  /**
   * Fail every queued or forwarded request (this peer was removed from the group). One already sent
   * may have been appended by the leader (it does not ask who forwarded it): its outcome is
   * unknown, as for a forward that timed out, not refused.
   */
  failAll(error: ProposalError): void {
    for (const item of this.node.forwards.expire(Number.POSITIVE_INFINITY)) this.fail(item, item.sentTo !== null ? 'timeout' : error);
  }

  /** The leader stepped down: its unanswered reads and held forwards go elsewhere. */
  onLeadershipLost(former: LeaderState): void {
    const { node } = this;
    for (const origin of former.reads.drain()) {
      // A local read is retried through the next leader; a remote reader is told to look elsewhere.
      if (origin.kind === 'local') node.forwards.add('read', origin.requestId, [], null, this.deadline());
      else node.send(origin.peer, { type: 'ReadIndexResponse', requestId: origin.requestId, ok: false, error: 'no-leader' });
    }
    for (const { from, message } of former.held) {
      node.send(from, { type: 'ForwardCommandsResponse', requestId: message.requestId, ok: false, error: 'no-leader' });
    }
    former.held = [];
  }
}

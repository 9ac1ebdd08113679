// Log tails: the entries a departed voter's claim needs that no peer holds as committed.
//
// A peer with no leader leaves a departed voter out of its quorums only once its log is at least as
// up to date as that voter's claim (departures.ts). It fetches the missing entries as committed ones
// first (CatchUpDriver.startTowardClaims). But a claim may end in entries nobody committed: a
// departed leader's final position covers the log it inherited when elected, and the entries past
// its commit index may live only in that leader's own storage, now taken over by another tab (its
// slot's successor), or on a learner it replicated to, when its last appends reached nobody else
// (the voter that needed them had crashed, and came back through a reload that adopted its
// identity). Then no catch-up can ever cover the claim, and a group of two voters stalls for good.
//
// So the peer also asks the peers it reaches for their log right after its own last entry
// (LogTailRequest), and appends an answer (LogTailResponse) only when it starts exactly there: same
// index and term as our last entry means the same log up to it (Log Matching, §5.3), so our log
// becomes a longer prefix of the answering peer's log, a log real leaders made. Nothing is cut, no
// commit index moves, and the entries count toward no commit and stay out of this peer's own
// departure position (unacknowledged-entries.ts): they are kept as a stale leader's late appends
// are (replication-messages.ts keepEarlierLeaderEntries). Covering a claim with them is safe for the
// reason covering it with any log is: a log at least as up to date as the claim holds every entry
// the claim proves committed (§5.4.1); a longer log only refuses more votes.
import type { LogTailRequest, LogTailResponse } from '../messages';
import type { LogTail } from './api';
import type { PeerId } from '../types';
import type { FollowerLog } from './follower';
import type { EngineCore, PeerDirectory, RoleView } from './node-context';
import type { MembershipTracker } from './membership';

/** Entries at most in one answer (the asker asks again from its new end). */
export const LOG_TAIL_MAX_ENTRIES = 64;

export interface LogTailHost
  extends FollowerLog,
    Pick<EngineCore, 'now' | 'send' | 'unacknowledged' | 'config'>,
    Pick<PeerDirectory, 'connectedPeers'>,
    RoleView {
  readonly membership: Pick<MembershipTracker, 'needsLogging'>;
  /** Messages dropped because they made no sense here (counted). */
  droppedMessages: number;
}

export class LogTails {
  /** Entries appended from answers (tests and counters). */
  entriesTaken = 0;
  private lastAsked = -Infinity;
  /** The peers the latest request went to: only their answers are taken (log data comes from peers this one reaches, as catch-up's does). */
  private asked = new Set<PeerId>();

  constructor(private readonly node: LogTailHost) {}

  /** Our log falls short of a claim ending at `upTo`: ask the peers we reach, at most once per heartbeat interval. */
  ask(upTo: number): void {
    const { node } = this;
    const lastIndex = node.log.lastIndex();
    if (upTo <= lastIndex || node.now - this.lastAsked < node.config.heartbeatMs) return;
    const peers = node.connectedPeers();
    if (peers.length === 0) return;
    this.lastAsked = node.now;
    this.asked = new Set(peers);
    const request: LogTailRequest = { type: 'LogTailRequest', lastIndex, lastTerm: node.log.lastTerm(), upTo };
    for (const peer of peers) node.send(peer, request);
  }

  /** Answer with what follows the asker's last entry in our log, when we hold that entry and more. */
  answer(from: PeerId, m: LogTailRequest): void {
    const { log, config } = this.node;
    if (m.lastIndex >= log.lastIndex() || !log.matches(m.lastIndex, m.lastTerm)) return;
    const count = Math.min(LOG_TAIL_MAX_ENTRIES, m.upTo - m.lastIndex);
    const entries = log.batch(m.lastIndex + 1, count, config.maxBatchBytes);
    if (entries.length === 0 || entries[0].index !== m.lastIndex + 1) return;
    const response: LogTailResponse = { type: 'LogTailResponse', prevLogIndex: m.lastIndex, prevLogTerm: m.lastTerm, entries };
    this.node.send(from, response);
  }

  /**
   * An answer: appended, unacknowledged, when it continues our log exactly and we still have no
   * leader (a leader's appends decide the log then). Anything else is stale (another peer's answer
   * to the same request came first, say) and ignored. A catch-up session toward the claims may go
   * on: it skips entries we hold and replaces any that differ from the committed ones it fetches
   * (CatchUpDriver.apply; these are never committed here, so a cut through them is allowed).
   */
  take(from: PeerId, m: LogTailResponse): void {
    if (!this.asked.has(from)) {
      this.node.droppedMessages++; // nobody asked it: an answer to no request of ours
      return;
    }
    this.append(m);
  }

  /** A tail the host found in another copy of the log on this device (RaftNodeOptions.logTail): taken as an answer is. */
  takeLocal(tail: LogTail): void {
    this.append(tail);
  }

  private append(m: LogTail): void {
    const { node } = this;
    const continues = m.prevLogIndex === node.log.lastIndex() && m.prevLogTerm === node.log.lastTerm();
    if (!continues || node.leaderId !== null || node.role === 'leader' || node.membership.needsLogging()) return;
    // Only entries of our term or earlier: a log never holds an entry of a term its peer has not
    // reached (a leader of a later term we never heard of made those; the claims we must cover are
    // of terms we adopted with their notices).
    const within = m.entries.findIndex((e) => e.term > node.term);
    const entries = within < 0 ? m.entries : m.entries.slice(0, within);
    if (entries.length === 0) return;
    node.unacknowledged.kept(entries[0].index);
    node.appendToLog(entries);
    this.entriesTaken += entries.length;
  }
}

// Follower side of replication (§5.3): the AppendEntries consistency check, conflict truncation
// and the commit rule for followers. Pure with respect to roles: RaftNode has already adopted the
// sender as leader of the current term.
import type { AppendEntries, AppendEntriesResponse, Heartbeat, HeartbeatResponse } from '../messages';
import type { LogEntry } from '../types';
import type { EngineCore, LogRepair } from './node-context';

/** What the follower rules use of RaftNode: the log, the term and the commit index. */
export interface FollowerLog extends Pick<EngineCore, 'log' | 'term' | 'commit' | 'appendToLog' | 'advanceCommit'>, Pick<LogRepair, 'truncateLog'> {}

/**
 * The entries of an AppendEntries of an earlier term than ours (refused as stale, never
 * acknowledged) that continue our log: they are the entries of that term's only leader, and our last
 * entry is that leader's entry at the same index (same index and term: the same log up to there,
 * §5.3), so keeping them makes our log a longer prefix of that leader's log, as if the append had
 * come before the newer term. Only what lies beyond our last index, never a cut, and nothing for a
 * log that holds an entry of a later term than the sender's. Why keep them at all:
 * replication-messages.ts keepEarlierLeaderEntries.
 */
export function earlierLeaderEntries(log: FollowerLog['log'], m: AppendEntries): LogEntry[] {
  const last = log.lastIndex();
  const end = m.prevLogIndex + m.entries.length;
  if (end <= last || m.prevLogIndex > last || log.lastTerm() > m.term) return [];
  const theirTermAtLast = last === m.prevLogIndex ? m.prevLogTerm : m.entries[last - m.prevLogIndex - 1].term;
  return theirTermAtLast === log.lastTerm() ? m.entries.slice(last - m.prevLogIndex) : [];
}

/**
 * Semantic checks the codec cannot do: entries contiguous right after prevLogIndex, with terms
 * non-decreasing, at least prevLogTerm and at most the message's term. Anything else is dropped.
 */
export function isWellFormedAppend(m: AppendEntries): boolean {
  let term = m.prevLogTerm;
  for (let i = 0; i < m.entries.length; i++) {
    const entry = m.entries[i];
    if (entry.index !== m.prevLogIndex + 1 + i || entry.term < term || entry.term > m.term) return false;
    term = entry.term;
  }
  return m.prevLogIndex >= 0 && m.leaderCommit >= 0 && m.prevLogTerm <= m.term;
}

/**
 * Whether `m` would change nothing here: every entry past our commit index is held with the same
 * term, its prevLog position matches (or is committed), and it would not move our commit index.
 * A duplicate or delayed copy of an append already taken is such a message.
 */
export function addsNothing(core: Pick<FollowerLog, 'log' | 'commit'>, m: AppendEntries): boolean {
  const { log, commit } = core;
  const end = m.prevLogIndex + m.entries.length;
  if (Math.min(m.leaderCommit, end) > commit) return false;
  if (m.prevLogIndex > commit && !log.matches(m.prevLogIndex, m.prevLogTerm)) return false;
  for (const entry of m.entries) if (entry.index > commit && log.termAt(entry.index) !== entry.term) return false;
  return true;
}

export function onAppendEntries(core: FollowerLog, m: AppendEntries): AppendEntriesResponse {
  const { log, term } = core;
  // Entries up to our commit index are committed, hence identical to the leader's (Leader
  // Completeness): skip them rather than compare, and never truncate them.
  let prevIndex = m.prevLogIndex;
  let prevTerm = m.prevLogTerm;
  let entries = m.entries;
  if (prevIndex < core.commit) {
    const skip = Math.min(entries.length, core.commit - prevIndex);
    entries = entries.slice(skip);
    prevIndex += skip;
    prevTerm = skip > 0 ? m.entries[skip - 1].term : prevTerm;
    if (prevIndex < core.commit) {
      // Everything in the message is already committed here.
      return { type: 'AppendEntriesResponse', term, success: true, matchIndex: prevIndex, lastIndex: log.lastIndex() };
    }
  }
  if (!log.matches(prevIndex, prevTerm)) {
    const response: AppendEntriesResponse = { type: 'AppendEntriesResponse', term, success: false, matchIndex: 0, lastIndex: log.lastIndex() };
    if (prevIndex > log.lastIndex()) {
      response.conflictIndex = log.lastIndex() + 1;
    } else {
      response.conflictTerm = log.termAt(prevIndex);
      response.conflictIndex = Math.max(log.firstIndexOfTermAt(prevIndex), core.commit + 1);
    }
    return response;
  }
  // Find the first entry we do not already hold with the same term; only a real term conflict
  // truncates (a duplicate or reordered older append must not cut off newer entries).
  let firstNew = entries.length;
  for (let i = 0; i < entries.length; i++) {
    const ours = log.termAt(entries[i].index);
    if (ours === undefined) {
      firstNew = i;
      break;
    }
    if (ours !== entries[i].term) {
      core.truncateLog(entries[i].index);
      firstNew = i;
      break;
    }
  }
  if (firstNew < entries.length) core.appendToLog(entries.slice(firstNew));
  const lastNew = prevIndex + entries.length;
  // The follower commit rule: only up to what this message proved to match.
  core.advanceCommit(Math.min(m.leaderCommit, lastNew));
  return { type: 'AppendEntriesResponse', term, success: true, matchIndex: lastNew, lastIndex: log.lastIndex() };
}

export function onHeartbeat(core: FollowerLog, m: Heartbeat): HeartbeatResponse {
  // The leader sends min(commit, our matchIndex), so this never commits an unverified entry.
  core.advanceCommit(Math.min(m.commit, core.log.lastIndex()));
  return { type: 'HeartbeatResponse', term: core.term, round: m.round, lastIndex: core.log.lastIndex() };
}

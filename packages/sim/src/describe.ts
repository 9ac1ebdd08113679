// One-line descriptions of messages and errors for the trace and failure reports.
import type { Message } from '@meshraft/core';

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 4).join('\n') ?? ''}`;
  return String(err);
}

export function describeMessage(m: Message): string {
  switch (m.type) {
    case 'AppendEntries':
      return `AE t${m.term} prev=${m.prevLogIndex}/${m.prevLogTerm} n=${m.entries.length} commit=${m.leaderCommit}`;
    case 'AppendEntriesResponse':
      return `AER t${m.term} ${m.success ? 'ok' : 'no'} match=${m.matchIndex} last=${m.lastIndex}${m.catchingUp ? ' catching-up' : ''}`;
    case 'PreVote':
    case 'RequestVote':
      return `${m.type} t${m.term} last=${m.lastLogIndex}/${m.lastLogTerm}`;
    case 'PreVoteResponse':
    case 'RequestVoteResponse':
      return `${m.type} t${m.term} ${m.vote}`;
    case 'Heartbeat':
      return `HB t${m.term} commit=${m.commit} r${m.round}`;
    case 'HeartbeatResponse':
      return `HBR t${m.term} r${m.round}`;
    default:
      return m.type;
  }
}

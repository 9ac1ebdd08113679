// One-line, deterministic renderings of wire messages and log entries, for traces, test scripts
// and failure reports: `AE t2 prev=40/1 n=3 commit=38`. Positions are written index/term; request
// ids as #n. Command bytes show as a quoted string when they decode to printable text, else as hex.
// The text is stable: tests compare it and the simulator hashes it (changing it changes digests).
import type { Message } from './messages';
import type { LogEntry, Membership, PeerId } from './types';

const MAX_TEXT = 40;
const MAX_HEX_BYTES = 16;
const printable = /^[\x20-\x7e]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `"text"` when the bytes are printable ASCII (cut at 40 characters), else `0x…` (cut at 16 bytes). */
export function describeBytes(bytes: Uint8Array): string {
  let text: string | null = null;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = null;
  }
  if (text !== null && printable.test(text)) {
    return JSON.stringify(text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);
  }
  const hex = Array.from(bytes.subarray(0, MAX_HEX_BYTES), (b) => b.toString(16).padStart(2, '0')).join('');
  return `0x${hex}${bytes.length > MAX_HEX_BYTES ? `…(${bytes.length}B)` : ''}`;
}

const list = (ids: PeerId[]): string => `(${ids.join(',')})`;

export function describeMembership(m: Membership): string {
  return m.learners.length > 0 ? `voters=${list(m.voters)} learners=${list(m.learners)}` : `voters=${list(m.voters)}`;
}

/** `3/1 noop`, `4/1 "x"`, `5/2 config voters=(a,b) learners=(c)`. */
export function describeEntry(e: LogEntry): string {
  const at = `${e.index}/${e.term}`;
  switch (e.kind) {
    case 'noop':
      return `${at} noop`;
    case 'command':
      return `${at} ${describeBytes(e.data)}`;
    case 'config':
      return `${at} config ${describeMembership(e.membership)}`;
  }
}

type Failure = { error: string; leader?: PeerId };
const failure = (f: Failure): string => `${f.error}${f.leader !== undefined ? ` leader=${f.leader}` : ''}`;

export function describeMessage(m: Message): string {
  switch (m.type) {
    case 'AppendEntries':
      return `AE t${m.term} prev=${m.prevLogIndex}/${m.prevLogTerm} n=${m.entries.length} commit=${m.leaderCommit}`;
    case 'AppendEntriesResponse': {
      const hint = m.conflictIndex !== undefined ? ` hint=${m.conflictIndex}/${m.conflictTerm ?? '-'}` : '';
      return `AER t${m.term} ${m.success ? 'ok' : 'no'} match=${m.matchIndex} last=${m.lastIndex}${hint}${m.catchingUp ? ' catching-up' : ''}`;
    }
    case 'PreVote':
    case 'RequestVote':
      return `${m.type} t${m.term} last=${m.lastLogIndex}/${m.lastLogTerm}${m.transfer ? ' transfer' : ''}`;
    case 'PreVoteResponse':
    case 'RequestVoteResponse':
      return `${m.type} t${m.term} ${m.vote}`;
    case 'TimeoutNow':
      return `TimeoutNow t${m.term}`;
    case 'Heartbeat':
      return `HB t${m.term} commit=${m.commit} r${m.round}`;
    case 'HeartbeatResponse':
      return `HBR t${m.term} r${m.round} last=${m.lastIndex}`;
    case 'Departure': {
      const extra = [m.led ? 'led' : '', m.successors ? `successors=${list(m.successors)}` : '', m.peer !== undefined ? `peer=${m.peer}` : ''];
      return [`Departure t${m.term} last=${m.lastIndex}/${m.lastTerm}`, ...extra.filter((s) => s !== '')].join(' ');
    }
    case 'ForwardCommands':
      return `Forward #${m.requestId} client=${m.client.clientId}/${m.client.seq} [${m.commands.map(describeBytes).join(' ')}]`;
    case 'ForwardCommandsResponse':
      return `ForwardResp #${m.requestId} ${m.ok ? `ok ${m.start}..${m.end}` : failure(m)}`;
    case 'ReadIndexRequest':
      return `ReadIndex #${m.requestId}`;
    case 'ReadIndexResponse':
      return `ReadIndexResp #${m.requestId} ${m.ok ? `ok index=${m.index}` : failure(m)}`;
    case 'AvailabilityRequest':
      return `Availability #${m.requestId}`;
    case 'AvailabilityResponse': {
      const snap = m.snapshot ? ` snapshot=${m.snapshot.index}/${m.snapshot.term} ${m.snapshot.size}B` : '';
      return `AvailabilityResp #${m.requestId} t${m.senderTerm} first=${m.firstIndex} committed=${m.committed}${snap}`;
    }
    case 'FetchEntriesRequest':
      return `FetchEntries #${m.requestId} ${m.from}..${m.to}`;
    case 'FetchEntriesResponse': {
      const range = m.entries.length > 0 ? ` ${m.entries[0].index}..${m.entries[m.entries.length - 1].index}` : '';
      return `FetchEntriesResp #${m.requestId} t${m.senderTerm} n=${m.entries.length}${range}`;
    }
    case 'FetchSnapshotRequest':
      return `FetchSnapshot #${m.requestId} ${m.index}/${m.term} @${m.offset}+${m.length}`;
    case 'FetchSnapshotResponse':
      return `FetchSnapshotResp #${m.requestId} t${m.senderTerm} ${m.index}/${m.term} @${m.offset} ${m.data.length}/${m.totalSize}B${m.meta ? ' meta' : ''}`;
    case 'JoinRequest':
      return `Join #${m.requestId}${m.observer ? ' observer' : ''}`;
    case 'LeaveRequest':
      return `Leave #${m.requestId}`;
    case 'MembershipResponse':
      return `MembershipResp #${m.requestId} ${m.ok ? `ok index=${m.index}` : failure(m)}`;
    case 'LogTailRequest':
      return `LogTail after=${m.lastIndex}/${m.lastTerm} upTo=${m.upTo}`;
    case 'LogTailResponse': {
      const last = m.entries[m.entries.length - 1];
      return `LogTailResp prev=${m.prevLogIndex}/${m.prevLogTerm} n=${m.entries.length}${last ? ` last=${last.index}/${last.term}` : ''}`;
    }
  }
}

// Well-formed messages of every type, with numbers near the group's own (so the engine acts on them
// rather than dropping them as stale), for the fuzzer to send as they are or to mutate.
import { CODEC_LIMITS } from '../../packages/core/src/codec/index';
import type { Message, MessageType } from '../../packages/core/src/messages';
import type { ClientTag, LogEntry, Membership, PeerId } from '../../packages/core/src/types';

export type Rng = () => number;

export const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)];
export const chance = (rng: Rng, p: number): boolean => rng() < p;

/** What the group currently looks like (highest term and last index over its peers). */
export interface GroupView {
  term: number;
  lastIndex: number;
  voters: PeerId[];
}

/** Around `base`: mostly base itself, sometimes a little below or above, never negative. */
function near(rng: Rng, base: number, spread = 3): number {
  return Math.max(0, base + int(rng, 2 * spread + 1) - spread);
}

function bytesOf(rng: Rng, max: number): Uint8Array {
  const out = new Uint8Array(int(rng, max + 1));
  for (let i = 0; i < out.length; i++) out[i] = int(rng, 256);
  return out;
}

const clientTag = (rng: Rng): ClientTag => ({ clientId: `mallory/${int(rng, 4)}`, seq: int(rng, 1000) });

/** A membership that keeps the group's voters (a forged configuration change is a trust problem, not a codec one). */
const sameMembership = (view: GroupView): Membership => ({ voters: [...view.voters], learners: [] });

function entryRun(rng: Rng, view: GroupView, first: number, minTerm: number, maxTerm: number, count: number): LogEntry[] {
  const entries: LogEntry[] = [];
  let term = minTerm;
  for (let i = 0; i < count; i++) {
    term = Math.min(maxTerm, term + (chance(rng, 0.2) ? 1 : 0));
    const index = first + i;
    const kind = int(rng, 10);
    if (kind === 0) entries.push({ kind: 'noop', index, term });
    else if (kind === 1) entries.push({ kind: 'config', index, term, membership: sameMembership(view) });
    else entries.push({ kind: 'command', index, term, data: bytesOf(rng, 24), ...(chance(rng, 0.8) ? { client: clientTag(rng) } : {}) });
  }
  return entries;
}

const errors = ['not-leader', 'no-leader', 'too-large', 'shutting-down'] as const;

export const MESSAGE_TYPES: readonly MessageType[] = [
  'PreVote', 'RequestVote', 'PreVoteResponse', 'RequestVoteResponse', 'TimeoutNow', 'AppendEntries',
  'AppendEntriesResponse', 'Heartbeat', 'HeartbeatResponse', 'ForwardCommands', 'ForwardCommandsResponse',
  'ReadIndexRequest', 'ReadIndexResponse', 'AvailabilityRequest', 'AvailabilityResponse', 'FetchEntriesRequest',
  'FetchEntriesResponse', 'FetchSnapshotRequest', 'FetchSnapshotResponse', 'JoinRequest', 'LeaveRequest',
  'MembershipResponse', 'Departure', 'LogTailRequest', 'LogTailResponse',
];

export function randomMessage(rng: Rng, groupView: GroupView, type: MessageType = pick(rng, MESSAGE_TYPES)): Message {
  // Valid means within CODEC_LIMITS, even when the group's own numbers are already near them.
  const view = { ...groupView, term: Math.min(groupView.term, CODEC_LIMITS.maxTerm - 4), lastIndex: Math.min(groupView.lastIndex, CODEC_LIMITS.maxIndex - 64) };
  const term = near(rng, view.term, 2);
  const index = near(rng, view.lastIndex, 5);
  const requestId = int(rng, 1000);
  switch (type) {
    case 'PreVote':
    case 'RequestVote':
      return { type, term, lastLogIndex: index, lastLogTerm: Math.min(term, near(rng, view.term)), ...(chance(rng, 0.2) ? { transfer: true } : {}) };
    case 'PreVoteResponse':
    case 'RequestVoteResponse':
      return { type, term, vote: pick(rng, ['granted', 'denied', 'abstained'] as const) };
    case 'TimeoutNow':
      return { type, term };
    case 'AppendEntries': {
      const prevLogIndex = near(rng, view.lastIndex, 4);
      const prevLogTerm = Math.min(term, near(rng, view.term, 2));
      return { type, term, prevLogIndex, prevLogTerm, entries: entryRun(rng, view, prevLogIndex + 1, prevLogTerm, term, int(rng, 6)), leaderCommit: near(rng, view.lastIndex, 5) };
    }
    case 'AppendEntriesResponse':
      return {
        type, term, success: chance(rng, 0.5), matchIndex: index, lastIndex: near(rng, view.lastIndex, 5),
        ...(chance(rng, 0.3) ? { conflictIndex: near(rng, index), conflictTerm: near(rng, view.term) } : {}),
        ...(chance(rng, 0.1) ? { catchingUp: true } : {}),
      };
    case 'Heartbeat':
      return { type, term, commit: index, round: int(rng, 100) };
    case 'HeartbeatResponse':
      return { type, term, round: int(rng, 100), lastIndex: index };
    case 'ForwardCommands':
      return { type, requestId, client: clientTag(rng), commands: Array.from({ length: int(rng, 4) }, () => bytesOf(rng, 16)) };
    case 'ForwardCommandsResponse':
      return chance(rng, 0.5) ? { type, requestId, ok: true, start: index, end: index + int(rng, 3) } : { type, requestId, ok: false, error: pick(rng, errors), leader: pick(rng, view.voters) };
    case 'ReadIndexRequest':
    case 'AvailabilityRequest':
    case 'LeaveRequest':
      return { type, requestId };
    case 'ReadIndexResponse':
      return chance(rng, 0.5) ? { type, requestId, ok: true, index } : { type, requestId, ok: false, error: pick(rng, errors) };
    case 'AvailabilityResponse':
      return { type, requestId, senderTerm: term, firstIndex: 1 + int(rng, 3), committed: index, snapshot: chance(rng, 0.3) ? { index: near(rng, view.lastIndex), term, membership: sameMembership(view), size: int(rng, 5000) } : null };
    case 'FetchEntriesRequest': {
      const from = 1 + int(rng, Math.max(1, view.lastIndex));
      return { type, requestId, from, to: from + int(rng, 50) };
    }
    case 'FetchEntriesResponse': {
      const first = 1 + int(rng, Math.max(1, view.lastIndex));
      const minTerm = near(rng, view.term, 2);
      return { type, requestId, senderTerm: term, entries: entryRun(rng, view, first, minTerm, minTerm + 2, int(rng, 6)) };
    }
    case 'FetchSnapshotRequest':
      return { type, requestId, index, term, offset: int(rng, 4096), length: int(rng, 4096) };
    case 'FetchSnapshotResponse': {
      const data = bytesOf(rng, 64);
      const offset = int(rng, 128);
      return { type, requestId, senderTerm: term, index, term, offset, data, totalSize: offset + data.length + int(rng, 64), meta: chance(rng, 0.3) ? { index, term, membership: sameMembership(view) } : null };
    }
    case 'JoinRequest':
      return { type, requestId, observer: chance(rng, 0.5) };
    case 'MembershipResponse':
      return chance(rng, 0.5) ? { type, requestId, ok: true, index } : { type, requestId, ok: false, error: pick(rng, [...errors, 'busy'] as const) };
    case 'Departure':
      return { type, term, lastIndex: index, lastTerm: Math.min(term, near(rng, view.term)), ...(chance(rng, 0.3) ? { led: true } : {}) };
    case 'LogTailRequest':
      return { type, lastIndex: index, lastTerm: Math.min(term, near(rng, view.term)), upTo: index + 1 + int(rng, 32) };
    case 'LogTailResponse': {
      const prevLogTerm = Math.min(term, near(rng, view.term));
      return { type, prevLogIndex: index, prevLogTerm, entries: entryRun(rng, view, index + 1, prevLogTerm, prevLogTerm + 2, int(rng, 6)) };
    }
  }
}

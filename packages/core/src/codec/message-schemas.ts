// The schema table of the wire protocol: one entry per message type of messages.ts, plus the shared
// shapes (LogEntry, Membership, ClientTag, SnapshotMeta). A type code is part of the wire format:
// never renumber; new types get new codes (and old peers answer them with 'unknown-type').
import type { MessageType } from '../messages';
import { CODEC_LIMITS as L } from './limits';
import type { Check, Spec } from './schema';
import { bool, bytes, list, nullable, oneOf, optional, record, sequence, string, uint, union } from './schema';
import { outOfRange } from './wire-error';

const term = uint(L.maxTerm);
const index = uint(L.maxIndex);
const requestId = uint(L.maxRequestId);
const round = uint(L.maxRound);
const snapshotBytes = uint(L.maxSnapshotBytes);
const peerId = string(L.maxIdBytes);
const forwardErrors = ['not-leader', 'no-leader', 'too-large', 'shutting-down'] as const;

// ---------- cross-field rules ----------

/** No duplicates inside voters/learners and no peer in both (a peer has one role). */
const distinctMembers: Check = (m) => {
  const seen = new Set<unknown>();
  for (const id of [...(m.voters as unknown[]), ...(m.learners as unknown[])]) {
    if (seen.has(id)) return 'a peer appears twice in the membership';
    seen.add(id);
  }
  return null;
};

/** Log indices start at 1 (index 0 is the empty-log sentinel, §5.3). */
const positiveIndex: Check = (e) => ((e.index as number) >= 1 ? null : 'entry index must be >= 1');

interface IndexTerm {
  index: number;
  term: number;
}

/**
 * Entries in one message form a contiguous run with non-decreasing terms (Log Matching, §5.3).
 * `firstIndex`/`minTerm`/`maxTerm` pin the run to the message's own fields when known.
 */
function runProblem(entries: IndexTerm[], firstIndex: number | null, minTerm: number, maxTerm: number): string | null {
  let expected = firstIndex ?? (entries.length > 0 ? entries[0].index : 0);
  let term = minTerm;
  for (const entry of entries) {
    if (entry.index !== expected) return `entries are not contiguous: expected index ${expected}, got ${entry.index}`;
    if (entry.term < term) return `entry ${entry.index} has term ${entry.term}, below the previous term ${term}`;
    if (entry.term > maxTerm) return `entry ${entry.index} has term ${entry.term}, above the message term ${maxTerm}`;
    term = entry.term;
    expected++;
  }
  return null;
}

/**
 * The entries right after (prevLogIndex, prevLogTerm), each of a term up to `maxTerm`: within the
 * index space, then the message's own rule for its anchor (`anchorProblem`), then contiguous from
 * the anchor with terms never falling (AppendEntries, LogTailResponse).
 */
function anchoredRunProblem(m: Record<string, unknown>, maxTerm: number, anchorProblem: string | null): ReturnType<Check> {
  const entries = m.entries as IndexTerm[];
  const prevLogIndex = m.prevLogIndex as number;
  if (prevLogIndex + entries.length > L.maxIndex) {
    return outOfRange(`prevLogIndex ${prevLogIndex} + ${entries.length} entries is above the limit ${L.maxIndex}`);
  }
  return anchorProblem ?? runProblem(entries, prevLogIndex + 1, m.prevLogTerm as number, maxTerm);
}

const appendEntriesRun: Check = (m) =>
  anchoredRunProblem(m, m.term as number, (m.prevLogTerm as number) > (m.term as number) ? 'prevLogTerm is above the message term' : null);

const fetchedRun: Check = (m) => runProblem(m.entries as IndexTerm[], null, 0, L.maxTerm);

const tailRun: Check = (m) => anchoredRunProblem(m, L.maxTerm, null);

const tailRange: Check = (m) => ((m.upTo as number) > (m.lastIndex as number) ? null : 'upTo must be above lastIndex');

const fetchRange: Check = (m) => {
  const from = m.from as number;
  const to = m.to as number;
  if (!(from >= 1 && from <= to)) return 'fetch range must satisfy 1 <= from <= to';
  return to - from < L.maxEntriesPerMessage ? null : outOfRange(`fetch range of ${to - from + 1} entries is above the limit ${L.maxEntriesPerMessage}`);
};

/** Command i of a ForwardCommands gets seq = client.seq + i: the last one must stay within maxSeq. */
const forwardSeqs: Check = (m) => {
  const seq = (m.client as { seq: number }).seq;
  const count = (m.commands as unknown[]).length;
  return count === 0 || seq + count - 1 <= L.maxSeq ? null : outOfRange(`seq ${seq} + ${count} commands is above the limit ${L.maxSeq}`);
};

const chunkRequestRange: Check = (m) => {
  const end = (m.offset as number) + (m.length as number);
  return end <= L.maxSnapshotBytes ? null : outOfRange(`offset + length ${end} is above the limit ${L.maxSnapshotBytes}`);
};

/** An empty chunk means "snapshot no longer held", so only a non-empty one must fit in totalSize. */
const chunkInBounds: Check = (m) => {
  const length = (m.data as Uint8Array).length;
  return length === 0 || (m.offset as number) + length <= (m.totalSize as number) ? null : 'chunk extends past totalSize';
};

/** A final position's term cannot be above the sender's current term. */
const departureTerms: Check = (m) => ((m.lastTerm as number) <= (m.term as number) ? null : 'lastTerm is above the sender term');

const firstIndexPositive: Check = (m) => ((m.firstIndex as number) >= 1 ? null : 'firstIndex must be >= 1');

// ---------- shared shapes (types.ts) ----------

export const membershipSpec = record(
  { voters: list(peerId, L.maxMembers), learners: list(peerId, L.maxMembers) },
  distinctMembers,
);

export const clientTagSpec = record({ clientId: string(L.maxIdBytes), seq: uint(L.maxSeq) });

export const snapshotMetaSpec = record({ index, term, membership: membershipSpec });

export const logEntrySpec = union(
  'kind',
  [
    { tag: 'noop', fields: { index, term } },
    { tag: 'command', fields: { index, term, data: bytes, client: optional(clientTagSpec) } },
    { tag: 'config', fields: { index, term, membership: membershipSpec } },
  ],
  positiveIndex,
);

export const hardStateSpec = record({ term, vote: nullable(peerId), commit: index });

export const snapshotSpec = record({ meta: snapshotMetaSpec, data: bytes });

/** Entries travel as one byte string holding a CBOR sequence of entries (decoded entry by entry). */
const entries = sequence(logEntrySpec, L.maxEntriesPerMessage);

/** `{ ok: true, ...success } | { ok: false, error, leader? }`, the shape of every request's answer. */
function okOrError(success: Record<string, Spec>, errors: readonly string[]): Spec {
  return union('ok', [
    { tag: true, fields: { requestId, ...success } },
    { tag: false, fields: { requestId, error: oneOf(errors), leader: optional(peerId) } },
  ]);
}

// ---------- the table ----------

const voteRequest = record({ term, lastLogIndex: index, lastLogTerm: term, transfer: optional(bool) });
const voteResponse = record({ term, vote: oneOf(['granted', 'denied', 'abstained']) });

/**
 * Largest frame of a message type: control messages carry no payload, an AvailabilityResponse may
 * carry a membership, and bulk messages (entries, commands, snapshot chunks) are bounded only by the
 * codec's maxMessageBytes option.
 */
export type SizeClass = 'control' | 'membership' | 'bulk';

export function sizeClassLimit(sizeClass: SizeClass, maxMessageBytes: number): number {
  if (sizeClass === 'control') return Math.min(L.maxControlFrameBytes, maxMessageBytes);
  if (sizeClass === 'membership') return Math.min(L.maxMembershipFrameBytes, maxMessageBytes);
  return maxMessageBytes;
}

export interface MessageSchema {
  /** Wire code of the type; stable across versions of the same CODEC_VERSION. */
  readonly code: number;
  readonly size: SizeClass;
  /** Shape of the body (every field except `type`). */
  readonly body: Spec;
}

export const MESSAGE_SCHEMAS: { readonly [T in MessageType]: MessageSchema } = {
  PreVote: { code: 1, size: 'control', body: voteRequest },
  RequestVote: { code: 2, size: 'control', body: voteRequest },
  PreVoteResponse: { code: 3, size: 'control', body: voteResponse },
  RequestVoteResponse: { code: 4, size: 'control', body: voteResponse },
  TimeoutNow: { code: 5, size: 'control', body: record({ term }) },
  AppendEntries: {
    code: 6,
    size: 'bulk',
    body: record({ term, prevLogIndex: index, prevLogTerm: term, entries, leaderCommit: index }, appendEntriesRun),
  },
  AppendEntriesResponse: {
    code: 7,
    size: 'control',
    body: record({
      term,
      success: bool,
      matchIndex: index,
      conflictIndex: optional(index),
      conflictTerm: optional(term),
      lastIndex: index,
      catchingUp: optional(bool),
    }),
  },
  Heartbeat: { code: 8, size: 'control', body: record({ term, commit: index, round }) },
  HeartbeatResponse: { code: 9, size: 'control', body: record({ term, round, lastIndex: index }) },
  ForwardCommands: {
    code: 10,
    size: 'bulk',
    body: record({ requestId, client: clientTagSpec, commands: list(bytes, L.maxCommandsPerMessage) }, forwardSeqs),
  },
  ForwardCommandsResponse: { code: 11, size: 'control', body: okOrError({ start: index, end: index }, forwardErrors) },
  ReadIndexRequest: { code: 12, size: 'control', body: record({ requestId }) },
  ReadIndexResponse: { code: 13, size: 'control', body: okOrError({ index }, forwardErrors) },
  AvailabilityRequest: { code: 14, size: 'control', body: record({ requestId }) },
  AvailabilityResponse: {
    code: 15,
    size: 'membership',
    body: record(
      {
        requestId,
        senderTerm: term,
        firstIndex: index,
        committed: index,
        snapshot: nullable(record({ index, term, membership: membershipSpec, size: snapshotBytes })),
      },
      firstIndexPositive,
    ),
  },
  FetchEntriesRequest: { code: 16, size: 'control', body: record({ requestId, from: index, to: index }, fetchRange) },
  FetchEntriesResponse: { code: 17, size: 'bulk', body: record({ requestId, senderTerm: term, entries }, fetchedRun) },
  FetchSnapshotRequest: {
    code: 18,
    size: 'control',
    body: record({ requestId, index, term, offset: snapshotBytes, length: uint(L.maxChunkBytes) }, chunkRequestRange),
  },
  FetchSnapshotResponse: {
    code: 19,
    size: 'bulk',
    body: record(
      {
        requestId,
        senderTerm: term,
        index,
        term,
        offset: snapshotBytes,
        data: bytes,
        totalSize: snapshotBytes,
        meta: nullable(snapshotMetaSpec),
      },
      chunkInBounds,
    ),
  },
  JoinRequest: { code: 20, size: 'control', body: record({ requestId, observer: bool }) },
  LeaveRequest: { code: 21, size: 'control', body: record({ requestId }) },
  // Enum values travel as their position: new ones are only ever appended.
  MembershipResponse: { code: 22, size: 'control', body: okOrError({ index }, [...forwardErrors, 'busy', 'unconfigured']) },
  Departure: {
    code: 23,
    size: 'control',
    body: record({ term, lastIndex: index, lastTerm: term, led: optional(bool), successors: optional(list(peerId, L.maxMembers)), peer: optional(peerId), knew: optional(list(peerId, L.maxMembers)) }, departureTerms),
  },
  LogTailRequest: { code: 24, size: 'control', body: record({ lastIndex: index, lastTerm: term, upTo: index }, tailRange) },
  LogTailResponse: { code: 25, size: 'bulk', body: record({ prevLogIndex: index, prevLogTerm: term, entries }, tailRun) },
};

/** Reverse lookup: wire code -> message type. */
export const MESSAGE_TYPE_BY_CODE: ReadonlyMap<number, MessageType> = new Map(
  (Object.keys(MESSAGE_SCHEMAS) as MessageType[]).map((type) => [MESSAGE_SCHEMAS[type].code, type]),
);

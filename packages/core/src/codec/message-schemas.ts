// The schema table of the wire protocol: one entry per message type of messages.ts, plus the shared
// shapes (LogEntry, Membership, ClientTag, SnapshotMeta). A type code is part of the wire format:
// never renumber; new types get new codes (and old peers answer them with 'unknown-type').
import type { MessageType } from '../messages';
import type { Check, Spec } from './schema';
import { bool, bytes, list, nullable, oneOf, optional, record, string, uint, union } from './schema';

/** Bounds applied on decode (and encode). The frame size cap bounds everything else. */
export const CODEC_LIMITS = {
  /** PeerId and clientId length (UTF-16 code units). */
  maxIdLength: 512,
  /** Voters or learners in one membership. */
  maxMembers: 1024,
  /** Log entries in one AppendEntries / FetchEntriesResponse. */
  maxEntriesPerMessage: 1_000_000,
  /** Commands in one ForwardCommands. */
  maxCommandsPerMessage: 1_000_000,
} as const;

const peerId = string(CODEC_LIMITS.maxIdLength);
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

const appendEntriesRun: Check = (m) => {
  const entries = m.entries as IndexTerm[];
  const term = m.term as number;
  if ((m.prevLogTerm as number) > term) return 'prevLogTerm is above the message term';
  return runProblem(entries, (m.prevLogIndex as number) + 1, m.prevLogTerm as number, term);
};

const fetchedRun: Check = (m) => runProblem(m.entries as IndexTerm[], null, 0, Number.MAX_SAFE_INTEGER);

const fetchRange: Check = (m) =>
  (m.from as number) >= 1 && (m.from as number) <= (m.to as number) ? null : 'fetch range must satisfy 1 <= from <= to';

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
  { voters: list(peerId, CODEC_LIMITS.maxMembers), learners: list(peerId, CODEC_LIMITS.maxMembers) },
  distinctMembers,
);

export const clientTagSpec = record({ clientId: string(CODEC_LIMITS.maxIdLength), seq: uint });

export const snapshotMetaSpec = record({ index: uint, term: uint, membership: membershipSpec });

export const logEntrySpec = union(
  'kind',
  [
    { tag: 'noop', fields: { index: uint, term: uint } },
    { tag: 'command', fields: { index: uint, term: uint, data: bytes, client: optional(clientTagSpec) } },
    { tag: 'config', fields: { index: uint, term: uint, membership: membershipSpec } },
  ],
  positiveIndex,
);

export const hardStateSpec = record({ term: uint, vote: nullable(peerId), commit: uint });

export const snapshotSpec = record({ meta: snapshotMetaSpec, data: bytes });

const entries = list(logEntrySpec, CODEC_LIMITS.maxEntriesPerMessage);

/** `{ ok: true, ...success } | { ok: false, error, leader? }`, the shape of every request's answer. */
function okOrError(success: Record<string, Spec>, errors: readonly string[]): Spec {
  return union('ok', [
    { tag: true, fields: { requestId: uint, ...success } },
    { tag: false, fields: { requestId: uint, error: oneOf(errors), leader: optional(peerId) } },
  ]);
}

// ---------- the table ----------

const voteRequest = record({ term: uint, lastLogIndex: uint, lastLogTerm: uint, transfer: optional(bool) });
const voteResponse = record({ term: uint, vote: oneOf(['granted', 'denied', 'abstained']) });

export interface MessageSchema {
  /** Wire code of the type; stable across versions of the same CODEC_VERSION. */
  readonly code: number;
  /** Shape of the body (every field except `type`). */
  readonly body: Spec;
}

export const MESSAGE_SCHEMAS: { readonly [T in MessageType]: MessageSchema } = {
  PreVote: { code: 1, body: voteRequest },
  RequestVote: { code: 2, body: voteRequest },
  PreVoteResponse: { code: 3, body: voteResponse },
  RequestVoteResponse: { code: 4, body: voteResponse },
  TimeoutNow: { code: 5, body: record({ term: uint }) },
  AppendEntries: {
    code: 6,
    body: record({ term: uint, prevLogIndex: uint, prevLogTerm: uint, entries, leaderCommit: uint }, appendEntriesRun),
  },
  AppendEntriesResponse: {
    code: 7,
    body: record({
      term: uint,
      success: bool,
      matchIndex: uint,
      conflictIndex: optional(uint),
      conflictTerm: optional(uint),
      lastIndex: uint,
      catchingUp: optional(bool),
    }),
  },
  Heartbeat: { code: 8, body: record({ term: uint, commit: uint, round: uint }) },
  HeartbeatResponse: { code: 9, body: record({ term: uint, round: uint, lastIndex: uint }) },
  ForwardCommands: {
    code: 10,
    body: record({ requestId: uint, client: clientTagSpec, commands: list(bytes, CODEC_LIMITS.maxCommandsPerMessage) }),
  },
  ForwardCommandsResponse: { code: 11, body: okOrError({ start: uint, end: uint }, forwardErrors) },
  ReadIndexRequest: { code: 12, body: record({ requestId: uint }) },
  ReadIndexResponse: { code: 13, body: okOrError({ index: uint }, forwardErrors) },
  AvailabilityRequest: { code: 14, body: record({ requestId: uint }) },
  AvailabilityResponse: {
    code: 15,
    body: record(
      {
        requestId: uint,
        senderTerm: uint,
        firstIndex: uint,
        committed: uint,
        snapshot: nullable(record({ index: uint, term: uint, membership: membershipSpec, size: uint })),
      },
      firstIndexPositive,
    ),
  },
  FetchEntriesRequest: { code: 16, body: record({ requestId: uint, from: uint, to: uint }, fetchRange) },
  FetchEntriesResponse: { code: 17, body: record({ requestId: uint, senderTerm: uint, entries }, fetchedRun) },
  FetchSnapshotRequest: {
    code: 18,
    body: record({ requestId: uint, index: uint, term: uint, offset: uint, length: uint }),
  },
  FetchSnapshotResponse: {
    code: 19,
    body: record(
      {
        requestId: uint,
        senderTerm: uint,
        index: uint,
        term: uint,
        offset: uint,
        data: bytes,
        totalSize: uint,
        meta: nullable(snapshotMetaSpec),
      },
      chunkInBounds,
    ),
  },
  JoinRequest: { code: 20, body: record({ requestId: uint, observer: bool }) },
  LeaveRequest: { code: 21, body: record({ requestId: uint }) },
  MembershipResponse: { code: 22, body: okOrError({ index: uint }, [...forwardErrors, 'busy']) },
  Departure: { code: 23, body: record({ term: uint, lastIndex: uint, lastTerm: uint, led: optional(bool), successors: optional(list(peerId, CODEC_LIMITS.maxMembers)), peer: optional(peerId) }, departureTerms) },
};

/** Reverse lookup: wire code -> message type. */
export const MESSAGE_TYPE_BY_CODE: ReadonlyMap<number, MessageType> = new Map(
  (Object.keys(MESSAGE_SCHEMAS) as MessageType[]).map((type) => [MESSAGE_SCHEMAS[type].code, type]),
);

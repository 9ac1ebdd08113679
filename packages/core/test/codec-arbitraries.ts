// fast-check arbitraries producing VALID values of every wire message type and LogEntry kind.
// "Valid" follows the codec's rules: non-negative integers within CODEC_LIMITS, ids within their UTF-8
// byte limit, contiguous entry runs with non-decreasing terms, distinct members.
import fc from 'fast-check';
import { CODEC_LIMITS, MAX_WIRE_INTEGER } from '../src/codec/index';
import { utf8Length } from '../src/codec/utf8';
import type { Message, MessageType } from '../src/messages';
import type { ClientTag, LogEntry, Membership, SnapshotMeta } from '../src/types';

const noNull = { noNullPrototype: true } as const;

/** Mostly small numbers (realistic), sometimes anywhere up to the wire limit (edge cases, 2^32 boundary). */
export const uintArb = fc.oneof(
  fc.nat(1000),
  fc.integer({ min: 0, max: MAX_WIRE_INTEGER }),
  fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, MAX_WIRE_INTEGER),
);
export const peerIdArb = fc.string({ unit: 'grapheme', maxLength: 16 }).filter((id) => utf8Length(id) <= CODEC_LIMITS.maxIdBytes);
export const bytesArb = fc.uint8Array({ maxLength: 64 });

export const clientTagArb: fc.Arbitrary<ClientTag> = fc.record({ clientId: peerIdArb, seq: uintArb }, noNull);

export const membershipArb: fc.Arbitrary<Membership> = fc
  .tuple(fc.uniqueArray(peerIdArb, { maxLength: 7 }), fc.nat(7))
  .map(([ids, split]) => ({ voters: ids.slice(0, split), learners: ids.slice(split) }));

export const snapshotMetaArb: fc.Arbitrary<SnapshotMeta> = fc.record(
  { index: uintArb, term: uintArb, membership: membershipArb },
  noNull,
);

type EntryBody = { kind: 'noop' } | { kind: 'command'; data: Uint8Array; client?: ClientTag } | { kind: 'config'; membership: Membership };

const entryBodyArb: fc.Arbitrary<EntryBody> = fc.oneof(
  fc.constant({ kind: 'noop' as const }),
  fc.record({ kind: fc.constant('command' as const), data: bytesArb, client: clientTagArb }, { requiredKeys: ['kind', 'data'], ...noNull }),
  fc.record({ kind: fc.constant('config' as const), membership: membershipArb }, noNull),
);

/** Any single valid entry. */
export const logEntryArb: fc.Arbitrary<LogEntry> = fc
  .tuple(entryBodyArb, fc.integer({ min: 1, max: MAX_WIRE_INTEGER }), uintArb)
  .map(([body, index, term]) => ({ ...body, index, term }) as LogEntry);

/**
 * A contiguous run starting at `firstIndex`, terms non-decreasing within [minTerm, maxTerm].
 * (Term steps are sorted random offsets, so runs with repeated and with rising terms both occur.)
 */
export function entryRunArb(firstIndex: number, minTerm: number, maxTerm: number, maxLength = 8): fc.Arbitrary<LogEntry[]> {
  return fc
    .array(fc.tuple(entryBodyArb, fc.nat(Math.min(maxTerm - minTerm, 2 ** 31))), { maxLength })
    .map((items) => {
      const offsets = items.map(([, offset]) => offset).sort((a, b) => a - b);
      return items.map(([body], i) => ({ ...body, index: firstIndex + i, term: minTerm + offsets[i] }) as LogEntry);
    });
}

const smallUint = fc.nat(1_000_000);
const forwardErrorArb = fc.constantFrom('not-leader' as const, 'no-leader' as const, 'too-large' as const, 'shutting-down' as const);

const appendEntriesArb = fc
  .record({ prevLogIndex: smallUint, prevLogTerm: fc.nat(1000), extraTerm: fc.nat(1000), leaderCommit: uintArb })
  .chain(({ prevLogIndex, prevLogTerm, extraTerm, leaderCommit }) =>
    entryRunArb(prevLogIndex + 1, prevLogTerm, prevLogTerm + extraTerm).map(
      (entries): Message => ({ type: 'AppendEntries', term: prevLogTerm + extraTerm, prevLogIndex, prevLogTerm, entries, leaderCommit }),
    ),
  );

/** One arbitrary per message type: the keys are checked against MessageType at compile time. */
export const messageArbs: { [T in MessageType]: fc.Arbitrary<Message> } = {
  PreVote: voteRequestArb('PreVote'),
  RequestVote: voteRequestArb('RequestVote'),
  PreVoteResponse: voteResponseArb('PreVoteResponse'),
  RequestVoteResponse: voteResponseArb('RequestVoteResponse'),
  TimeoutNow: fc.record({ type: fc.constant('TimeoutNow' as const), term: uintArb }, noNull),
  Departure: fc
    .tuple(uintArb, uintArb, uintArb)
    .map(([term, lastIndex, lastTerm]): Message => ({ type: 'Departure', term: Math.max(term, lastTerm), lastIndex, lastTerm: Math.min(term, lastTerm) })),
  AppendEntries: appendEntriesArb,
  AppendEntriesResponse: fc.record(
    {
      type: fc.constant('AppendEntriesResponse' as const),
      term: uintArb,
      success: fc.boolean(),
      matchIndex: uintArb,
      conflictIndex: uintArb,
      conflictTerm: uintArb,
      lastIndex: uintArb,
      catchingUp: fc.boolean(),
    },
    { requiredKeys: ['type', 'term', 'success', 'matchIndex', 'lastIndex'], ...noNull },
  ),
  Heartbeat: fc.record({ type: fc.constant('Heartbeat' as const), term: uintArb, commit: uintArb, round: uintArb }, noNull),
  HeartbeatResponse: fc.record(
    { type: fc.constant('HeartbeatResponse' as const), term: uintArb, round: uintArb, lastIndex: uintArb },
    noNull,
  ),
  ForwardCommands: fc
    .record({ requestId: uintArb, client: clientTagArb, commands: fc.array(bytesArb, { maxLength: 6 }) }, noNull)
    // command i gets seq + i, which must stay within maxSeq
    .map(({ requestId, client, commands }): Message => ({
      type: 'ForwardCommands',
      requestId,
      client: { ...client, seq: Math.min(client.seq, CODEC_LIMITS.maxSeq - Math.max(commands.length - 1, 0)) },
      commands,
    })),
  ForwardCommandsResponse: fc.oneof(
    fc.record(
      { type: fc.constant('ForwardCommandsResponse' as const), requestId: uintArb, ok: fc.constant(true as const), start: uintArb, end: uintArb },
      noNull,
    ),
    failureArb('ForwardCommandsResponse', forwardErrorArb),
  ),
  ReadIndexRequest: fc.record({ type: fc.constant('ReadIndexRequest' as const), requestId: uintArb }, noNull),
  ReadIndexResponse: fc.oneof(
    fc.record({ type: fc.constant('ReadIndexResponse' as const), requestId: uintArb, ok: fc.constant(true as const), index: uintArb }, noNull),
    failureArb('ReadIndexResponse', forwardErrorArb),
  ),
  AvailabilityRequest: fc.record({ type: fc.constant('AvailabilityRequest' as const), requestId: uintArb }, noNull),
  AvailabilityResponse: fc.record(
    {
      type: fc.constant('AvailabilityResponse' as const),
      requestId: uintArb,
      senderTerm: uintArb,
      firstIndex: fc.integer({ min: 1, max: MAX_WIRE_INTEGER }),
      committed: uintArb,
      snapshot: fc.option(fc.tuple(snapshotMetaArb, uintArb).map(([meta, size]) => ({ ...meta, size })), { nil: null }),
    },
    noNull,
  ),
  FetchEntriesRequest: fc
    .tuple(uintArb, fc.integer({ min: 1, max: 1_000_000 }), fc.nat(10_000))
    .map(([requestId, from, extra]): Message => ({ type: 'FetchEntriesRequest', requestId, from, to: from + extra })),
  FetchEntriesResponse: fc
    .tuple(uintArb, fc.integer({ min: 1, max: 1_000_000 }), fc.nat(50))
    .chain(([requestId, first, minTerm]) =>
      entryRunArb(first, minTerm, minTerm + 5).map((entries): Message => ({ type: 'FetchEntriesResponse', requestId, senderTerm: minTerm + 5, entries })),
    ),
  FetchSnapshotRequest: fc
    .record({ requestId: uintArb, index: uintArb, term: uintArb, offset: uintArb, length: fc.nat(CODEC_LIMITS.maxChunkBytes) }, noNull)
    .map(({ offset, length, ...rest }): Message => ({
      type: 'FetchSnapshotRequest',
      ...rest,
      offset: Math.min(offset, CODEC_LIMITS.maxSnapshotBytes - length),
      length,
    })),
  FetchSnapshotResponse: fc
    .tuple(uintArb, uintArb, uintArb, fc.nat(1_000_000), bytesArb, fc.nat(1000), fc.option(snapshotMetaArb, { nil: null }))
    .map(([requestId, index, term, offset, data, slack, meta]): Message => ({
      type: 'FetchSnapshotResponse',
      requestId,
      senderTerm: term,
      index,
      term,
      offset,
      data,
      totalSize: offset + data.length + slack,
      meta,
    })),
  JoinRequest: fc.record({ type: fc.constant('JoinRequest' as const), requestId: uintArb, observer: fc.boolean() }, noNull),
  LeaveRequest: fc.record({ type: fc.constant('LeaveRequest' as const), requestId: uintArb }, noNull),
  MembershipResponse: fc.oneof(
    fc.record({ type: fc.constant('MembershipResponse' as const), requestId: uintArb, ok: fc.constant(true as const), index: uintArb }, noNull),
    failureArb('MembershipResponse', fc.constantFrom('not-leader' as const, 'no-leader' as const, 'too-large' as const, 'shutting-down' as const, 'busy' as const, 'unconfigured' as const)),
  ),
  LogTailRequest: fc
    .tuple(smallUint, fc.nat(1000), fc.integer({ min: 1, max: 10_000 }))
    .map(([lastIndex, lastTerm, extra]): Message => ({ type: 'LogTailRequest', lastIndex, lastTerm, upTo: lastIndex + extra })),
  LogTailResponse: fc
    .tuple(smallUint, fc.nat(1000), fc.nat(1000))
    .chain(([prevLogIndex, prevLogTerm, extraTerm]) =>
      entryRunArb(prevLogIndex + 1, prevLogTerm, prevLogTerm + extraTerm).map((entries): Message => ({ type: 'LogTailResponse', prevLogIndex, prevLogTerm, entries })),
    ),
};

/** Any valid message of any type. */
export const messageArb: fc.Arbitrary<Message> = fc.oneof(...Object.values(messageArbs));

function voteRequestArb(type: 'PreVote' | 'RequestVote'): fc.Arbitrary<Message> {
  return fc.record(
    { type: fc.constant(type), term: uintArb, lastLogIndex: uintArb, lastLogTerm: uintArb, transfer: fc.boolean() },
    { requiredKeys: ['type', 'term', 'lastLogIndex', 'lastLogTerm'], ...noNull },
  );
}

function voteResponseArb(type: 'PreVoteResponse' | 'RequestVoteResponse'): fc.Arbitrary<Message> {
  return fc.record(
    { type: fc.constant(type), term: uintArb, vote: fc.constantFrom('granted' as const, 'denied' as const, 'abstained' as const) },
    noNull,
  );
}

function failureArb<T extends 'ForwardCommandsResponse' | 'ReadIndexResponse' | 'MembershipResponse'>(
  type: T,
  errorArb: fc.Arbitrary<string>,
): fc.Arbitrary<Message> {
  return fc.record(
    { type: fc.constant(type), requestId: uintArb, ok: fc.constant(false as const), error: errorArb, leader: peerIdArb },
    { requiredKeys: ['type', 'requestId', 'ok', 'error'], ...noNull },
  ) as fc.Arbitrary<Message>;
}

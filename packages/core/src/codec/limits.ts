// Every bound the codec enforces on what a peer sends, in one table. The engine imports the same
// table to refuse creating values the codec would refuse to carry.

/**
 * The largest integer any wire field may hold (terms, indexes, seqs, request ids, rounds, snapshot
 * offsets and sizes): 2^48.
 *
 * Why 2^48 and not Number.MAX_SAFE_INTEGER (2^53 - 1):
 * - Arithmetic headroom. The engine adds to received values: term + 1, index + entry count,
 *   seq + command count, offset + length. Any sum of up to 31 values of at most 2^48 is below
 *   2^53 - 1 (Number.MAX_SAFE_INTEGER), so no such sum can leave the range of exact integers.
 * - Lifetime. Honest counters grow by one per event. Terms grow once per election (elections are at
 *   least an election timeout apart): 2^48 elections at one per millisecond take about 8,900 years.
 *   Indexes, seqs and request ids grow once per command or request: at a sustained million per
 *   second, 2^48 takes about 8.9 years; at 10,000 per second, about 890 years.
 * So a value above 2^48 never comes from an honest peer, and refusing it costs nothing.
 */
export const MAX_WIRE_INTEGER = 2 ** 48;

const KiB = 1024;
const MiB = 1024 * KiB;

export const CODEC_LIMITS = Object.freeze({
  /** Terms (message terms, entry terms, snapshot terms). */
  maxTerm: MAX_WIRE_INTEGER,
  /** Log indexes (entry indexes, commit indexes, match/conflict hints, fetch ranges). */
  maxIndex: MAX_WIRE_INTEGER,
  /** Exactly-once sequence numbers; also bounds `client.seq + commands.length - 1` of a ForwardCommands. */
  maxSeq: MAX_WIRE_INTEGER,
  /** Request ids and heartbeat round ids. */
  maxRequestId: MAX_WIRE_INTEGER,
  maxRound: MAX_WIRE_INTEGER,
  /** Snapshot sizes and offsets; also bounds `offset + length` of a chunk request. */
  maxSnapshotBytes: MAX_WIRE_INTEGER,
  /** `length` of one FetchSnapshotRequest: no frame could carry a larger chunk. */
  maxChunkBytes: 64 * MiB,
  /** Peer ids and client ids, in UTF-8 bytes (peer ids are at most 64 characters, client ids add a suffix). */
  maxIdBytes: 128,
  /** Voters, and separately learners, in one membership. */
  maxMembers: 1024,
  /** Log entries in one AppendEntries / FetchEntriesResponse, and `to - from + 1` of a FetchEntriesRequest. */
  maxEntriesPerMessage: 1_000_000,
  /** Commands in one ForwardCommands. */
  maxCommandsPerMessage: 1_000_000,
  /**
   * Frame size of every message type that carries no payload (votes, heartbeats, responses,
   * requests). The largest legitimate one is under 200 bytes.
   */
  maxControlFrameBytes: 1 * KiB,
  /** Frame size of an AvailabilityResponse (it may carry a snapshot's membership: 2 x 1024 ids). */
  maxMembershipFrameBytes: 512 * KiB,
  /**
   * Memory decoding one message may allocate: decodeBudgetFloorBytes + decodeBudgetPerFrameByte x
   * frame size, each object charged at a conservative estimate (decode-budget.ts) before it is
   * built; a frame that would need more is refused with 'too-large'. Entries carrying 100 bytes or
   * more cost under 4x their wire size, so only floods of tiny items meet the budget: about 30,000
   * one-byte command entries, or 37,000 one-byte commands, fit in one message, well above the
   * default configuration's largest (2,000-entry catch-up chunks, 10,000-command proposals).
   */
  decodeBudgetFloorBytes: 8 * MiB,
  decodeBudgetPerFrameByte: 4,
  /**
   * The same budget for decodeValue. User values are arbitrary JavaScript (arrays of small objects
   * cost up to about 30 bytes of heap per byte of CBOR), so it is wider; it is checked by a pre-scan
   * before cbor-x allocates anything.
   */
  valueBudgetFloorBytes: 16 * MiB,
  valueBudgetPerFrameByte: 32,
});

export type CodecLimits = typeof CODEC_LIMITS;

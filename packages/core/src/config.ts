// Engine configuration with defaults. Every field is documented because it is public
// (createGroup({ config }) passes a Partial<RaftConfig> through).
import { MAX_SNAPSHOT_PIECE_BYTES } from './catchup/responder';
import { InvalidInputError } from './errors';

export interface RaftConfig {
  /** Base election timeout; the actual one is randomized in [timeout, timeout + jitter). */
  electionTimeoutMs: number;
  /** Width of the randomization window added to electionTimeoutMs. */
  electionJitterMs: number;
  /** Leader heartbeat interval; must be well below electionTimeoutMs. */
  heartbeatMs: number;
  /**
   * Extra delay added to the very first election timeout after start (lets existing leaders be
   * heard). The only voter of its configuration campaigns at once instead: nobody else can lead it.
   */
  bootstrapDelayMs: number;
  /** Pre-vote round before a real election (thesis §9.6): a rejoining peer cannot inflate terms. */
  preVote: boolean;
  /** A leader that has not heard from a quorum within an election timeout steps down (thesis §6.2). */
  checkQuorum: boolean;
  /** Max unacknowledged AppendEntries per follower. Only full batches pipeline: a partial batch waits for the acknowledgement and leaves with what was proposed meanwhile (coalescing). */
  maxInflightAppends: number;
  /** Max entries in one AppendEntries. */
  maxBatchEntries: number;
  /** Max payload bytes in one AppendEntries (at least one entry is always sent). */
  maxBatchBytes: number;
  /** How long a follower waits for the leader's answer to a forwarded command or read before failing it. */
  forwardTimeoutMs: number;
  /** Max commands in one proposal (executeMany). */
  maxProposalCommands: number;
  /** Max bytes of one proposal. */
  maxProposalBytes: number;
  /** Entries per catch-up chunk (the unit one request of a catch-up session fetches). */
  catchUpBatchSize: number;
  /** A catch-up request unanswered for this long drops the peer's availability. */
  catchUpRequestTimeoutMs: number;
  /** Bytes per snapshot chunk during catch-up: an integer from 1 to MAX_SNAPSHOT_PIECE_BYTES (6 MiB), which serving peers cut pieces at. */
  snapshotChunkBytes: number;
  /** A follower this far behind the leader (in entries) starts a catch-up session instead of plain replication. */
  catchUpThreshold: number;
  /** Compact the log past the latest snapshot once it holds more than this many entries... */
  compactAfterEntries: number;
  /** ...or more than this many bytes. */
  compactAfterBytes: number;
  /**
   * Maximum voters; further peers stay learners. A learner promoted to replace a silent voter makes
   * it one more until that voter is removed (see autoRemoveAfterMs).
   */
  maxVoters: number;
  /**
   * The leader removes a member it has not heard from for this long: a learner always, a voter only
   * when the voters left still tolerate one more failure, or when removing every silent voter makes
   * the group tolerate more failures than it does now (docs/architecture.md, Membership).
   */
  autoRemoveAfterMs: number;
}

export const defaultRaftConfig: RaftConfig = {
  electionTimeoutMs: 1000,
  electionJitterMs: 500,
  heartbeatMs: 100,
  bootstrapDelayMs: 500,
  preVote: true,
  checkQuorum: true,
  maxInflightAppends: 8,
  maxBatchEntries: 512,
  maxBatchBytes: 256 * 1024,
  forwardTimeoutMs: 5000,
  maxProposalCommands: 10_000,
  maxProposalBytes: 8 * 1024 * 1024,
  catchUpBatchSize: 2000,
  catchUpRequestTimeoutMs: 2000,
  snapshotChunkBytes: 256 * 1024,
  catchUpThreshold: 4096,
  compactAfterEntries: 50_000,
  compactAfterBytes: 32 * 1024 * 1024,
  maxVoters: 5,
  autoRemoveAfterMs: 30_000,
};

/**
 * Test-only switches that re-introduce known Raft bugs, so tests can prove the simulator and the
 * linearizability checker catch them. Never set outside tests.
 */
export interface InjectedBugs {
  /** Commit an entry of an earlier term by counting replicas (violates §5.4.2). */
  commitPreviousTerm?: boolean;
  /** Do not persist the vote (a restarted peer may vote twice in one term). */
  forgetVote?: boolean;
  /** Answer a strong read without a quorum round (stale reads from a deposed leader). */
  readWithoutQuorum?: boolean;
  /** Skip the no-op on election. */
  noNoopOnElection?: boolean;
  /** A successor re-founds covering the named leaders' claims only, not those of the successors it passes over. */
  skipPassedOverClaims?: boolean;
  /** A successor re-founds by a departed leader's list even when its log holds a configuration of a later term than that leader's. */
  succeedPastLaterConfiguration?: boolean;
}

/** Settings that count something the engine needs at least one of: integers >= 1. */
const atLeastOne: ReadonlySet<keyof RaftConfig> = new Set(['maxInflightAppends', 'maxBatchEntries', 'maxProposalCommands', 'maxVoters']);

function invalid(message: string): never {
  throw new InvalidInputError(`config.${message}`);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * The defaults with `partial`'s settings over them. A setting given as `undefined` keeps its default
 * (an optional field left unset). Throws InvalidInputError, naming the setting, for a name that is
 * not a RaftConfig setting, a value whose type is not the default's (number or boolean), a number
 * that is negative, NaN or infinite, a count (maxInflightAppends, maxBatchEntries,
 * maxProposalCommands, maxVoters) that is not an integer >= 1, a snapshotChunkBytes that is not an
 * integer from 1 to MAX_SNAPSHOT_PIECE_BYTES, a heartbeatMs that is not > 0, and a
 * heartbeatMs not below electionTimeoutMs.
 */
export function resolveConfig(partial: Partial<RaftConfig> | undefined): RaftConfig {
  const config: RaftConfig = { ...defaultRaftConfig };
  const settings = config as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(defaultRaftConfig, key)) invalid(`${key} is not a setting (see RaftConfig)`);
    if (value === undefined) continue;
    const expected = typeof settings[key];
    if (typeof value !== expected) invalid(`${key} must be a ${expected}, got ${describeValue(value)}`);
    settings[key] = value;
  }
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'number') continue;
    if (!Number.isFinite(value) || value < 0) invalid(`${key} must be a finite non-negative number, got ${value}`);
    if (atLeastOne.has(key as keyof RaftConfig) && (!Number.isInteger(value) || value < 1)) invalid(`${key} must be an integer >= 1, got ${value}`);
  }
  const pieceBytes = config.snapshotChunkBytes;
  if (!Number.isInteger(pieceBytes) || pieceBytes < 1 || pieceBytes > MAX_SNAPSHOT_PIECE_BYTES) {
    invalid(`snapshotChunkBytes must be an integer from 1 to ${MAX_SNAPSHOT_PIECE_BYTES} (serving peers cut longer pieces), got ${pieceBytes}`);
  }
  if (config.heartbeatMs <= 0) invalid(`heartbeatMs must be above 0, got ${config.heartbeatMs}`);
  if (config.heartbeatMs >= config.electionTimeoutMs) {
    invalid(`heartbeatMs (${config.heartbeatMs}) must be below config.electionTimeoutMs (${config.electionTimeoutMs})`);
  }
  return config;
}

// @meshraft/core: the sans-IO Raft engine and everything that is independent of browsers and Node.
// Every name is listed here on purpose: this is the package's public surface (docs/api.md,
// packages/core/README.md). Test machinery (in-process clusters, the in-memory network, the storage
// conformance suite, bug switches) lives in the separate entry '@meshraft/core/testing'.

// Vocabulary: ids, log entries, snapshots, status, the state machine contract.
export type {
  PeerId,
  LeadershipPreference,
  Membership,
  ClientTag,
  NoopEntry,
  CommandEntry,
  ConfigEntry,
  LogEntry,
  HardState,
  SnapshotMeta,
  Snapshot,
  Role,
  CatchUpProgress,
  RaftStatus,
  ApplyContext,
  StateMachine,
  Random,
} from './types';
export type { Message, MessageType, Envelope, Departure, ForwardError } from './messages';
export { seededRandom } from './rng';

// Configuration.
export { defaultRaftConfig, resolveConfig, type RaftConfig } from './config';

// Errors.
export {
  MeshraftError,
  OfflineError,
  TimeoutError,
  ClosedError,
  InvalidInputError,
  DecodeError,
  type DecodeErrorReason,
  type Unexecuted,
} from './errors';

// The Group API every runtime offers (meshraft's createGroup, GroupClient).
export type {
  Consistency,
  GroupStatus,
  PeerView,
  IndexRange,
  ExecuteResult,
  ExecuteManyResult,
  QueryResult,
  ExecuteOptions,
  GroupWaiters,
  Group,
} from './group';

// The engine: inputs in, a Ready batch out.
export type { RaftEngine, RaftNodeOptions, Ready, ProposalResult, ReadResult, ProposalError, DeparturePlan, LogTail, TransferRefusal } from './engine/api';
export { RaftNode, type Refusals } from './engine/index';
export { commitOnly, planLeavesBeforeWrite, planLeavesEarly, splitReadyMessages } from './host/ready-order';
export { engineWarmUp, runEngineWarmUp, WARM_UP_MILESTONES, type WarmUpMilestone, type WarmUpReport } from './host/engine-warm-up';

// Storage: the interface, the batch checks a backend runs, the in-memory backend.
export type { Storage, PersistBatch, PersistedState } from './storage';
export { InvalidBatchError, checkBatchShape, planBatch, type StoredPosition, type BatchPlan } from './storage-checks';
export { MemoryStorage, createMemoryStorage, createMemoryDisk, emptyPersistedState, type MemoryDisk } from './storage-memory/index';

// The codec: wire messages, user values (commands, queries, snapshots) and stored state. Every name
// that codec/index.ts lists is public, so it is re-exported whole (the list lives there, once).
export * from './codec/index';

// A peer's runtime in two halves: EngineHost (engine + storage + transport) and GroupClient (the
// Group API and the state machine), joined by the HostPort protocol.
export {
  realClock,
  type Clock,
  type ClientToHost,
  type HostToClient,
  type ProposeRequest,
  type ReadRequest,
  type TransferRequest,
  type SnapshotTakenNotice,
  type SnapshotDeclinedNotice,
  type TakeSnapshotRequest,
  type CloseRequest,
  type ApplyNotice,
  type ProposalResultNotice,
  type ReadResultNotice,
  type TransferResultNotice,
  type StatusNotice,
  type ClosedNotice,
  type Port,
  type HostPort,
  type ClientPort,
  createInProcessPorts,
  type PeerTransport,
  packEntries,
  unpackEntries,
  packedBounds,
  type PackedEntries,
  EngineHost,
  startEngineHost,
  type EngineHostOptions,
  type EngineHostStats,
  type HostCloseOptions,
  GroupClient,
  type GroupClientCloseOptions,
  type GroupClientOptions,
  type GroupClientStats,
  type ApplierStats,
  type ExactlyOnceLimits,
  encodeGroupSnapshot,
  decodeGroupSnapshot,
  type GroupSnapshotData,
  initialGroupStatus,
  commandsInputError,
  consistencyInputError,
} from './host/index';

// Startup rules of a browser tab (which identity to run, whether to bootstrap, join or re-found).
export {
  atLeastAsUpToDate,
  chooseSlot,
  frozenRestartSlot,
  localLogTailSources,
  LOCAL_LOG_TAIL_MAX_ENTRIES,
  logConfiguration,
  handOverLimits,
  handedOver,
  handedOverCommit,
  keptWithinTerm,
  type HandOverLimits,
  decideFounding,
  decideFrozenRestart,
  finalNotice,
  refoundingTerm,
  replayedNotice,
  replayedPeers,
  roomEvidenceOf,
  runningPeers,
  SlotCollector,
  startReadsConfiguration,
  type SlotChoice,
  type SlotSummary,
  type Founding,
  type FoundingInput,
  type RoomEvidence,
  type RoomPeerSays,
  type LogConfiguration,
  type SeenByPage,
} from './lifecycle/index';

// Framework-free stores behind UI bindings (@meshraft/react's useQuery and useExecute).
export { QueryObserver, type QueryState } from './observers/query-observer';
export { ExecuteTracker, type ExecuteState, type ExecutedCall } from './observers/execute-tracker';

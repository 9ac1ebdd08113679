// Public exports of host/: the two halves of a peer's runtime (EngineHost + GroupClient) and the
// protocol between them. The in-process cluster and in-memory network (cluster.ts, memory-network.ts)
// are test machinery, exported by src/testing/index.ts only.
export { realClock, type Clock } from './clock';
export type {
  ClientToHost,
  HostToClient,
  ProposeRequest,
  ReadRequest,
  TransferRequest,
  SnapshotTakenNotice,
  SnapshotDeclinedNotice,
  TakeSnapshotRequest,
  CloseRequest,
  ApplyNotice,
  ProposalResultNotice,
  ReadResultNotice,
  TransferResultNotice,
  StatusNotice,
  ClosedNotice,
  Port,
  HostPort,
  ClientPort,
} from './protocol';
export { createInProcessPorts } from './ports';
export type { PeerTransport } from './peer-transport';
export { commitOnly, splitReadyMessages, mayLeaveEarly, planLeavesEarly, planLeavesBeforeWrite } from './ready-order';
export { packEntries, unpackEntries, packedBounds, type PackedEntries } from './packed-entries';
export { EngineHost, startEngineHost } from './engine-host';
export type { EngineHostOptions, EngineHostStats, HostCloseOptions } from './engine-host-api';
export { isEmptyPersistBatch } from './ready-loop';
export { GroupClient, type GroupClientCloseOptions, type GroupClientOptions, type GroupClientStats } from './group-client';
export { SnapshotTaker } from './snapshot-taker';
export type { ApplierStats } from './applier';
export { ExactlyOnceTable, defaultExactlyOnceLimits, type ExactlyOnceData, type ExactlyOnceLimits } from './exactly-once';
export { encodeGroupSnapshot, decodeGroupSnapshot, type GroupSnapshotData } from './group-snapshot';
export { initialGroupStatus } from './status-store';
export { commandsInputError, consistencyInputError } from './operation-input';

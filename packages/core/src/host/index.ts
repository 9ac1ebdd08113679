// Public exports of host/: the two halves of a peer's runtime (EngineHost + GroupClient), the
// protocol between them, and the in-process cluster used by tests, scenarios and benchmarks.
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
export { splitReadyMessages, mayLeaveEarly } from './ready-order';
export { packEntries, unpackEntries, packedBounds, type PackedEntries } from './packed-entries';
export { EngineHost, startEngineHost, isEmptyPersistBatch, type EngineHostOptions, type EngineHostStats, type HostCloseOptions } from './engine-host';
export { GroupClient, type GroupClientCloseOptions, type GroupClientOptions, type GroupClientStats } from './group-client';
export { SnapshotTaker } from './snapshot-taker';
export type { ApplierStats } from './applier';
export { ExactlyOnceTable, defaultExactlyOnceLimits, type ExactlyOnceData, type ExactlyOnceLimits } from './exactly-once';
export { encodeGroupSnapshot, decodeGroupSnapshot, type GroupSnapshotData } from './group-snapshot';
export { initialGroupStatus } from './status-store';
export {
  InMemoryNetwork,
  type InMemoryNetworkOptions,
  type InMemoryNetworkStats,
  type MessageFilter,
  type NetworkEndpoint,
} from './memory-network';
export {
  createInProcessCluster,
  testClusterConfig,
  type AddPeerOptions,
  type ClusterPeerSpec,
  type InProcessCluster,
  type InProcessClusterOptions,
} from './cluster';

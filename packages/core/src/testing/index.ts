// @meshraft/core/testing: machinery for tests, simulations and benchmarks. No stability promise:
// these names may change in any release. Applications import '@meshraft/core' (or 'meshraft').
export {
  createInProcessCluster,
  testClusterConfig,
  type AddPeerOptions,
  type ClusterPeerSpec,
  type InProcessCluster,
  type InProcessClusterOptions,
} from '../host/cluster';
export {
  InMemoryNetwork,
  type InMemoryNetworkOptions,
  type InMemoryNetworkStats,
  type MessageFilter,
  type NetworkEndpoint,
} from '../host/memory-network';
// The storage conformance suite every Storage backend runs (memory here, IndexedDB in @meshraft/idb).
export { storageConformanceCases, type StorageConformanceCase } from '../storage-memory/conformance';
export { ConformanceError, deepEqual } from '../storage-memory/conformance-assert';
// Random batch histories checked against a model of the PersistBatch contract (also in the suite).
export { ReferenceLog, plannedHistory, runRandomHistory, type PlannedBatch } from '../storage-memory/conformance-random';
// Known Raft bugs to switch on in an engine, to prove a checker catches them.
export type { InjectedBugs } from '../config';
export { withInjectedBugs } from '../injected-bugs';
// One-line descriptions of messages, shared by the simulator's trace and the engine's test scripts.
export { describeMessage } from '../describe-message';
// Shapes of the tab-lifecycle founding rules, set up by the rules' tests and the simulator's.
export { addedVoterShape } from './founding-shapes';

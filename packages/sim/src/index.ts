// @meshraft/sim: deterministic cluster simulation, invariant checks and the linearizability checker.
export { runSimulation, formatFailure, replayCommand, type SimOptions, type SimResult, type SimStats } from './simulation';
export { checkKvHistory, searchLinearization, describeHistory, type HistoryOp, type LinearizabilityVerdict, type CheckOptions, type SequentialModel, type TimedOp } from './lin-checker';
export { stepRegister, encodeKvCommand, decodeKvCommand, type KvInput, type KvOutput, type KvCommand } from './kv-model';
export { registerScenario, getScenario, scenarioNames, type Scenario, type ScenarioPlan, type ScenarioOptions, type PeerSpec } from './scenarios';
export { InvariantMonitor, fingerprint, type InvariantName, type Violation } from './invariants';
export type { FaultKind, FaultPlan, FaultTriggers } from './faults';
export type { LinkQuality } from './network';
export type { ClientPlan } from './clients';
export type { ChurnPlan, MembershipCounts } from './churn';
export { KvStore, KvSnapshotError } from './kv-store';

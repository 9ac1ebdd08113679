// Types and errors re-exported by both entries, so apps import everything from 'meshraft'.
export {
  ClosedError,
  DecodeError,
  InvalidInputError,
  MeshraftError,
  OfflineError,
  TimeoutError,
  defaultRaftConfig,
} from '@meshraft/core';
export type {
  ApplyContext,
  CatchUpProgress,
  Consistency,
  ExecuteOptions,
  Group,
  GroupStatus,
  GroupWaiters,
  IndexRange,
  LeadershipPreference,
  Membership,
  PeerId,
  QueryResult,
  RaftConfig,
  Role,
  StateMachine,
  Unexecuted,
} from '@meshraft/core';

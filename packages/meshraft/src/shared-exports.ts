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
// Group keys: strong ones, shared by link (the key travels in the URL fragment, which never reaches a server).
export { formatInviteLink, mintGroupKey, parseInviteLink, WeakGroupKeyError, GROUP_KEY_MIN_CHARS, GROUP_KEY_MIN_BYTES } from '@meshraft/webrtc';
export type {
  ApplyContext,
  CatchUpProgress,
  Consistency,
  ExecuteManyResult,
  ExecuteOptions,
  ExecuteResult,
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

// @meshraft/signaling: socket.io signaling server for meshraft peers (see README.md).

export { startSignalingServer, type SignalingServer } from './server';
export {
  InvalidSignalingOptionError,
  type SignalingLogger,
  type SignalingOptions,
} from './options';
export type { SignalingStats, JoinRefusal, SlowReaderReason } from './stats';
export { RedisConnectError } from './redis-connect-error';
export * from './protocol';

// @meshraft/core: the sans-IO Raft engine and everything that is independent of browsers and Node.
export * from './types';
export * from './messages';
export * from './config';
export * from './storage';
export * from './storage-checks';
export * from './errors';
export * from './group';
export * from './rng';
export * from './engine/api';
// Each of these folders owns an index.ts listing its public exports.
export * from './engine/index';
export * from './codec/index';
export * from './storage-memory/index';
export * from './host/index';
export * from './catchup/index';
export * from './lifecycle/index';

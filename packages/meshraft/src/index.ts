// meshraft: the package users install (browser entry). Node: import from 'meshraft/node'.
export { createGroup } from './browser/create-group';
export type { CreateGroupOptions, StorageOption, TestingOptions } from './options';
export type { StorageDurability } from '@meshraft/idb';
export type { MeshraftGroup, GroupStats } from './runtime/launch';
export type { FrameStats } from './runtime/frame-stats';
export type { MeshStatsLike } from './runtime/mesh-port';
export * from './shared-exports';

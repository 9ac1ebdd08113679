// Starting the engine on the calling thread (Node, or a browser with `worker: false` / a custom
// Storage): EngineHost and GroupClient connected by in-process ports.
import { createInProcessPorts, type GroupClient, type LeadershipPreference, type RaftConfig, type StateMachine } from '@meshraft/core';
import type { StorageDurability } from '@meshraft/idb';
import type { StorageOption } from '../options';
import { createClient } from './client';
import { startEngineRuntime, type StorageLifecycle } from './engine-runtime';
import type { EngineSide, StartEngineArgs } from './launch';
import { openStorage, storageLifecycle } from './storage';

export interface InProcessArgs<Cmd, Q, QR, R = unknown> extends StartEngineArgs {
  storage: StorageOption;
  /** IndexedDB's durability hint (absent: IdbStorage's default). */
  durability?: StorageDurability;
  preference: LeadershipPreference;
  config: Partial<RaftConfig>;
  stateMachine: StateMachine<Cmd, Q, R, QR>;
  /** Overrides how storage is opened / deleted per peer id (tests); default from `storage`. */
  storageLifecycle?: StorageLifecycle;
}

export async function startInProcessEngine<Cmd, Q, QR, R = unknown>(args: InProcessArgs<Cmd, Q, QR, R>): Promise<{ engine: EngineSide; group: GroupClient<Cmd, Q, QR, R> }> {
  const storage = args.storageLifecycle ? await args.storageLifecycle.open(args.peerId) : await openStorage(args.storage, args.peerId, args.dbName, args.durability);
  // Until startEngineRuntime has it (which closes it should the engine fail to start), a failure
  // here must let the storage go: nothing else would ever close it.
  let group: GroupClient<Cmd, Q, QR, R>;
  let ports: ReturnType<typeof createInProcessPorts>;
  try {
    ports = createInProcessPorts();
    group = createClient(ports.client, args.stateMachine, args.peerId, args.config);
  } catch (error) {
    await storage.close().catch(() => {});
    throw error;
  }
  const engine = await startEngineRuntime({
    peerId: args.peerId,
    storage,
    port: ports.host,
    preference: args.preference,
    config: args.config,
    bootstrap: args.bootstrap,
    refound: args.refound,
    ...(args.logTail ? { logTail: args.logTail } : {}),
    peers: args.peers,
    transmit: args.transmit,
    storageLifecycle: args.storageLifecycle ?? storageLifecycle(args.storage, args.dbName, args.durability),
  });
  return { engine, group };
}

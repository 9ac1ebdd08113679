// Starting the engine on the calling thread (Node, or a browser with `worker: false` / a custom
// Storage): EngineHost and GroupClient connected by in-process ports.
import { createInProcessPorts, type Group, type LeadershipPreference, type RaftConfig, type StateMachine } from '@meshraft/core';
import type { StorageOption } from '../options';
import { createClient } from './client';
import { startEngineRuntime } from './engine-runtime';
import type { EngineSide, StartEngineArgs } from './launch';
import { openStorage } from './storage';

export interface InProcessArgs<Cmd, Q, QR> extends StartEngineArgs {
  storage: StorageOption;
  preference: LeadershipPreference;
  config: Partial<RaftConfig>;
  stateMachine: StateMachine<Cmd, Q, unknown, QR>;
}

export async function startInProcessEngine<Cmd, Q, QR>(args: InProcessArgs<Cmd, Q, QR>): Promise<{ engine: EngineSide; group: Group<Cmd, Q, QR> }> {
  const storage = await openStorage(args.storage, args.peerId);
  const ports = createInProcessPorts();
  const group = createClient(ports.client, args.stateMachine, args.peerId, args.config);
  const engine = await startEngineRuntime({
    peerId: args.peerId,
    storage,
    port: ports.host,
    preference: args.preference,
    config: args.config,
    bootstrap: args.bootstrap,
    peers: args.peers,
    transmit: args.transmit,
  });
  return { engine, group };
}

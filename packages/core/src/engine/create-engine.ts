// The default engine: hosts depend on the RaftEngine contract (api.ts), not on the RaftNode class.
import type { RaftEngine, RaftNodeOptions } from './api';
import { RaftNode } from './raft-node';

export function createRaftEngine(options: RaftNodeOptions): RaftEngine {
  return new RaftNode(options);
}

// Which data channel a Raft message travels on: elections and heartbeats must never
// queue behind catch-up data, or a follower busy receiving a 20,000-entry backlog would miss
// heartbeats, time out and disrupt the leader (Raft §5.2 relies on timely heartbeats).
import type { Message } from '@meshraft/core';

export type Channel = 'control' | 'bulk';

/** Encoded frames above this size go on the bulk channel whatever their type. */
export const CONTROL_MAX_BYTES = 4096;

export function channelFor(message: Message, encodedBytes: number): Channel {
  switch (message.type) {
    case 'AppendEntries':
      // Empty appends are probes/heartbeat-like and tiny; batches carry data.
      return message.entries.length > 0 ? 'bulk' : 'control';
    case 'FetchEntriesResponse':
    case 'FetchSnapshotResponse':
      return 'bulk';
    default:
      return encodedBytes > CONTROL_MAX_BYTES ? 'bulk' : 'control';
  }
}

// Real in-process groups for the hook tests (no mocks): 3 peers over the in-memory network.
import type { PeerId, RaftConfig } from '@meshraft/core';
import { createInProcessCluster, type InProcessCluster } from '@meshraft/core/testing';
import { waitFor } from '@testing-library/react';
import { NotesMachine, type NoteCommand, type NoteQuery, type NoteResult } from './notes-machine';

export type NotesCluster = InProcessCluster<NoteCommand, NoteQuery, NoteResult, number>;

/** Generous: the machine is shared by several suites; we wait on signals, never on durations. */
export const WAIT = { timeout: 30_000, interval: 20 };

/** `config` is merged over the in-process cluster's test defaults (150 ms election timeout). */
export async function startCluster(peers: PeerId[] = ['a', 'b', 'c'], seed = 7, config: Partial<RaftConfig> = {}): Promise<NotesCluster> {
  const cluster = createInProcessCluster<NoteCommand, NoteQuery, NoteResult, number>({
    peers,
    seed,
    stateMachine: () => new NotesMachine(),
    config,
  });
  await cluster.addAll();
  return cluster;
}

/**
 * Waits until every running peer names the same leader (other than `formerLeader`) and is online;
 * returns that leader.
 */
export async function settledLeader(cluster: NotesCluster, formerLeader?: PeerId): Promise<PeerId> {
  let leader: PeerId | null = null;
  await waitFor(() => {
    leader = cluster.agreedLeader();
    if (leader === null) throw new Error('no agreed leader yet');
    if (leader === formerLeader) throw new Error('still the former leader');
    for (const id of cluster.running()) if (!cluster.group(id).status.online) throw new Error(`${id} offline`);
  }, WAIT);
  return leader as unknown as PeerId;
}

/** Waits until every running peer has applied at least `index`. */
export async function allApplied(cluster: NotesCluster, index: number): Promise<void> {
  await Promise.all(cluster.running().map((id) => cluster.group(id).when.committed(index)));
}

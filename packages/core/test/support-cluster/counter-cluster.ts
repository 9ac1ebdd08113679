// An in-process cluster of Counter peers, plus helpers to wait for an agreed leader.
import { createInProcessCluster, type InProcessCluster, type InProcessClusterOptions } from '../../src/host/cluster';
import type { GroupClient } from '../../src/host/group-client';
import type { PeerId } from '../../src/types';
import { Counter } from './counter';
import { eventually, statusWhere } from './wait';

export type CounterGroup = GroupClient<number, 'value', number, number>;

export interface CounterCluster extends InProcessCluster<number, 'value', number, number> {
  /** The Counter of a peer's current incarnation. */
  counter(id: PeerId): Counter;
}

export function counterCluster(options: Omit<InProcessClusterOptions<number, 'value', number, number>, 'stateMachine'>): CounterCluster {
  const counters = new Map<PeerId, Counter>();
  const cluster = createInProcessCluster<number, 'value', number, number>({
    ...options,
    stateMachine: (id) => {
      const counter = new Counter();
      counters.set(id, counter);
      return counter;
    },
  });
  return Object.assign(cluster, {
    counter(id: PeerId): Counter {
      const counter = counters.get(id);
      if (!counter) throw new Error(`no counter for ${id}`);
      return counter;
    },
  });
}

/** Wait until every running peer (or `ids`) is online and names the same leader; returns it. */
export async function agreedLeader<Cmd, Q, QR, R>(cluster: InProcessCluster<Cmd, Q, QR, R>, ids = cluster.running(), ms = 20_000): Promise<PeerId> {
  await Promise.all(ids.map((id) => statusWhere(cluster.group(id), (s) => s.online && s.leader !== null, ms, `${id} online`)));
  return eventually(
    () => {
      const leaders = new Set(ids.map((id) => cluster.group(id).status.leader));
      const [leader] = leaders;
      if (leaders.size !== 1 || leader === null || leader === undefined) return undefined;
      // A leader that was killed is still named until the followers time out: it does not count.
      if (!cluster.isRunning(leader) || cluster.group(leader).status.role !== 'leader') return undefined;
      return ids.every((id) => cluster.group(id).status.online) ? leader : undefined;
    },
    ms,
    'an agreed leader',
  );
}

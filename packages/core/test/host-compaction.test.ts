// Compaction through the host: the engine asks for a snapshot, the client produces one
// (state machine bytes + exactly-once table), the host hands it to the engine, storage keeps it and
// drops the entries it covers. A restart and a late joiner both rebuild their state from it.
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessCluster, type InProcessCluster } from '../src/host/cluster';
import { decodeGroupSnapshot } from '../src/host/group-snapshot';
import type { ApplyContext, StateMachine } from '../src/types';
import { agreedLeader } from './support-cluster/counter-cluster';
import { statusWhere, within } from './support-cluster/wait';

/** A counter that can snapshot itself (or not, for the "never compact" case). */
class SnapCounter implements StateMachine<number, 'value', void, number> {
  value = 0;
  applies = 0;
  apply(amount: number, _ctx: ApplyContext): void {
    this.value += amount;
    this.applies++;
  }
  query(): number {
    return this.value;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(String(this.value));
  }
  restore(bytes: Uint8Array): void {
    this.value = Number(new TextDecoder().decode(bytes));
  }
}

class PlainCounter implements StateMachine<number, 'value', void, number> {
  value = 0;
  apply(amount: number): void {
    this.value += amount;
  }
  query(): number {
    return this.value;
  }
}

type Cluster = InProcessCluster<number, 'value', number>;
let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

const COMPACT = { compactAfterEntries: 40, catchUpBatchSize: 16, catchUpThreshold: 8 };

/** Executes `count` commands of +1 in batches through `id`; returns the last index. */
async function fill(c: Cluster, id: string, count: number): Promise<number> {
  let end = 0;
  for (let done = 0; done < count; done += 10) end = (await c.group(id).executeMany(Array.from({ length: 10 }, () => 1))).end;
  return end;
}

describe('host: snapshots and compaction', () => {
  it('takes snapshots when asked, stores them and compacts; a restart restores the snapshot then replays', async () => {
    const machines = new Map<string, SnapCounter>();
    cluster = createInProcessCluster({ peers: ['a', 'b', 'c'], config: COMPACT, stateMachine: (id) => machines.set(id, new SnapCounter()).get(id)! });
    await cluster.addAll();
    const leader = await agreedLeader(cluster as never);
    const end = await fill(cluster, leader, 200);
    for (const id of ['a', 'b', 'c']) await within(cluster.group(id).when.committed(end), 10_000, `${id} applies`);

    for (const id of ['a', 'b', 'c']) {
      const host = cluster.host(id);
      await statusWhere(cluster.group(id), () => host.stats.snapshotsTaken > 0, 10_000, `${id} snapshots`);
      expect(host.stats.snapshotRequests).toBeGreaterThan(0);
      expect(cluster.group(id).stats.snapshotsTaken).toBe(host.stats.snapshotsTaken);
    }
    // Wait for the persisted snapshot (the Ready after snapshotTaken carries it).
    const storage = cluster.storage('b');
    const stored = await within(
      (async () => {
        for (;;) {
          const snap = await storage.snapshot();
          if (snap) return snap;
          await new Promise((r) => setTimeout(r, 20));
        }
      })(),
      10_000,
      'stored snapshot',
    );
    expect(stored.meta.term).toBeGreaterThan(0);
    expect(stored.meta.membership.voters).toEqual(expect.arrayContaining(['a', 'b', 'c']));
    const image = decodeGroupSnapshot(stored.data);
    expect(Number(new TextDecoder().decode(image.app!))).toBeLessThanOrEqual(200);
    // The exactly-once table travels with it: the leader's client tagged every command.
    expect(image.table.clients.map((c) => c.clientId)).toContain(cluster.group(leader).clientId);
    // Storage dropped the entries the snapshot covers.
    expect(await storage.entries(1, stored.meta.index)).toEqual([]);

    const restarted = await cluster.restart('b');
    await within(restarted.when.committed(end), 10_000, 'replay');
    expect((await restarted.query('value', 'weak')).result).toBe(200);
    expect(restarted.stats.snapshotsRestored).toBe(1);
    // Fewer commands were applied than executed: the snapshot covered the rest.
    expect(machines.get('b')!.applies).toBeLessThan(200);
    expect(restarted.stats.gaps).toBe(0);
  });

  it('a late joiner behind the compaction point installs a snapshot mid-run and keeps exactly-once', async () => {
    const machines = new Map<string, SnapCounter>();
    cluster = createInProcessCluster({ peers: ['a', 'b', 'c'], config: COMPACT, stateMachine: (id) => machines.set(id, new SnapCounter()).get(id)! });
    await cluster.addAll();
    const leader = await agreedLeader(cluster as never);
    const end = await fill(cluster, leader, 300);
    for (const id of ['a', 'b', 'c']) {
      await statusWhere(cluster.group(id), () => cluster!.host(id).stats.snapshotsTaken > 0, 10_000, `${id} snapshots`);
    }
    // 'late' is in no configuration: it joins as a learner (no bootstrap) and catches up.
    const late = await cluster.add('late');
    await within(late.when.committed(end), 20_000, 'late catches up');
    expect((await late.query('value', 'weak')).result).toBe(300);
    expect(late.stats.snapshotsRestored).toBeGreaterThanOrEqual(1);
    expect(machines.get('late')!.applies).toBeLessThan(300);
    // The exactly-once table came with the snapshot: it knows the leader client's commands.
    expect(late.serializeExactlyOnce().clients.map((c) => c.clientId)).toContain(cluster.group(leader).clientId);
    const { index: next } = await cluster.group(leader).execute(5);
    await within(late.when.committed(next), 10_000, 'late applies more');
    expect((await late.query('value', 'weak')).result).toBe(305);
    expect(late.stats.gaps).toBe(0);
  });

  it('a state machine without snapshot() declines once, is never asked again, and the log is kept', async () => {
    cluster = createInProcessCluster({ peers: ['a', 'b', 'c'], config: COMPACT, stateMachine: () => new PlainCounter() });
    await cluster.addAll();
    const leader = await agreedLeader(cluster as never);
    const end = await fill(cluster, leader, 200);
    for (const id of ['a', 'b', 'c']) await within(cluster.group(id).when.committed(end), 10_000, `${id} applies`);
    for (const id of ['a', 'b', 'c']) {
      const host = cluster.host(id);
      expect(host.stats.snapshotRequests).toBe(1);
      expect(host.stats.snapshotsDeclined).toBe(1);
      expect(host.stats.snapshotsTaken).toBe(0);
      expect(await cluster.storage(id).snapshot()).toBeNull();
      expect((await cluster.storage(id).entries(1, 1)).length).toBe(1);
    }
  });
});

// QueryObserver, the framework-free store behind useQuery: when it runs the query, what each
// snapshot holds, and that it lets go of the group once nobody listens. Ordering rules run on a
// scripted group (answers handed out in a chosen order); the last case runs on a real cluster.
import { afterEach, describe, expect, it } from 'vitest';
import { QueryObserver, type QueryState } from '../src/observers/query-observer';
import { OfflineError } from '../src/errors';
import { agreedLeader, counterCluster, type CounterCluster } from './support-cluster/counter-cluster';
import { flushMicrotasks, statusWhere } from './support-cluster/wait';
import { ScriptedGroup } from './support/scripted-group';

function watch<QR>(observer: QueryObserver<unknown, QR>): { states: QueryState<QR>[]; stop: () => void } {
  const states: QueryState<QR>[] = [];
  const stop = observer.subscribe(() => states.push(observer.getSnapshot()));
  return { states, stop };
}

describe('QueryObserver on a scripted group', () => {
  it('runs once per applied index, one query in flight at a time', async () => {
    const group = new ScriptedGroup<unknown, string, string>();
    group.applyUpTo(1);
    const observer = new QueryObserver(group, 'q', 'weak');
    expect(group.queries).toHaveLength(0); // nothing runs before a subscriber
    const { states } = watch(observer);
    expect(group.queries).toHaveLength(1);

    // Applied moves twice while the first run is in flight: no second query yet.
    group.applyUpTo(2);
    group.applyUpTo(3);
    expect(group.queries).toHaveLength(1);
    group.queries.shift()!.resolve({ result: 'at 1', position: 1 });
    await flushMicrotasks();
    // The answer is published, and exactly one more run starts for the newer applied index.
    expect(states.map((s) => s.data)).toEqual(['at 1']);
    expect(group.queries).toHaveLength(1);
    group.queries.shift()!.resolve({ result: 'at 3', position: 3 });
    await flushMicrotasks();
    expect(observer.getSnapshot()).toEqual({ data: 'at 3', position: 3, error: null, fetching: false });
    expect(group.queries).toHaveLength(0);

    // A notification that moves nothing applied neither runs the query nor publishes.
    const before = observer.getSnapshot();
    group.notify({ term: 9 });
    expect(group.queries).toHaveLength(0);
    expect(observer.getSnapshot()).toBe(before);
    expect(states).toHaveLength(2);
  });

  it('an answer at an older position never replaces a newer one', async () => {
    const group = new ScriptedGroup<unknown, string, string>();
    group.applyUpTo(5);
    const observer = new QueryObserver(group, 'q', 'weak');
    watch(observer);
    group.queries.shift()!.resolve({ result: 'new', position: 5 });
    await flushMicrotasks();
    group.applyUpTo(6);
    group.queries.shift()!.resolve({ result: 'old', position: 4 });
    await flushMicrotasks();
    expect(observer.getSnapshot()).toMatchObject({ data: 'new', position: 5, error: null });
  });

  it('a failed run keeps the last data, and runs again at the next notification only', async () => {
    const group = new ScriptedGroup<unknown, string, string>();
    group.applyUpTo(1);
    const observer = new QueryObserver(group, 'q', 'strong');
    const { states } = watch(observer);
    expect(observer.getSnapshot().fetching).toBe(true); // strong runs publish `fetching`
    group.queries.shift()!.resolve({ result: 'first', position: 1 });
    await flushMicrotasks();
    group.applyUpTo(2);
    const offline = new OfflineError('no leader', { kind: 'query', query: 'q' });
    group.queries.shift()!.reject(offline);
    await flushMicrotasks();
    expect(observer.getSnapshot()).toEqual({ data: 'first', position: 1, error: offline, fetching: false });
    // No busy loop: nothing is asked again until the group says something changed.
    expect(group.queries).toHaveLength(0);

    group.notify({ online: true }); // applied did not move, but the last run failed
    expect(group.queries).toHaveLength(1);
    group.queries.shift()!.resolve({ result: 'second', position: 2 });
    await flushMicrotasks();
    expect(observer.getSnapshot()).toEqual({ data: 'second', position: 2, error: null, fetching: false });
    expect(states.filter((s) => s.fetching).length).toBeGreaterThanOrEqual(2);
  });

  it('a query that throws synchronously is a failed run, not an exception', async () => {
    const group = new ScriptedGroup<unknown, string, string>();
    group.query = () => {
      throw new TypeError('bad query');
    };
    group.applyUpTo(1);
    const observer = new QueryObserver(group, 'q', 'weak');
    watch(observer);
    await flushMicrotasks();
    expect(observer.getSnapshot().error).toBeInstanceOf(TypeError);
    expect(observer.getSnapshot().data).toBeUndefined();
  });

  it('unsubscribes from the group when its last listener leaves, and runs nothing on a closed group', async () => {
    const group = new ScriptedGroup<unknown, string, string>();
    group.applyUpTo(1);
    const observer = new QueryObserver(group, 'q', 'weak');
    const a = watch(observer);
    const b = watch(observer);
    expect(group.subscribers).toBe(1);
    a.stop();
    expect(group.subscribers).toBe(1);
    b.stop();
    expect(group.subscribers).toBe(0);
    group.queries.shift()!.resolve({ result: 'late', position: 1 });
    await flushMicrotasks();
    group.applyUpTo(2);
    expect(group.queries).toHaveLength(0);

    const closed = new ScriptedGroup<unknown, string, string>();
    closed.notify({ applied: 3, closed: true });
    watch(new QueryObserver(closed, 'q', 'weak'));
    expect(closed.queries).toHaveLength(0);
  });
});

describe('QueryObserver on a real cluster', () => {
  let cluster: CounterCluster | null = null;
  afterEach(async () => {
    await cluster?.close();
    cluster = null;
  });

  it('follows commits on a follower', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'], seed: 11 });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const followerId = cluster.running().find((id) => id !== leader)!;
    const follower = cluster.group(followerId);
    const observer = new QueryObserver(follower, 'value' as const, 'weak');
    const { states, stop } = watch(observer);
    const { end: index } = await cluster.group(leader).executeMany([2, 3, 4]);
    await statusWhere(follower, (s) => s.applied >= index);
    await expect.poll(() => observer.getSnapshot().data, { timeout: 15_000 }).toBe(9);
    expect(observer.getSnapshot().position).toBeGreaterThanOrEqual(index);
    // Every published value is one the counter held, in order.
    const values = states.map((s) => s.data).filter((v) => v !== undefined);
    expect(values).toEqual([...values].sort((x, y) => (x as number) - (y as number)));
    for (const value of values) expect([0, 2, 5, 9]).toContain(value);
    stop();
  });
});

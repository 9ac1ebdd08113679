// @vitest-environment happy-dom
// How useQuery tells one query value from the next: values JSON cannot serialise (bigint) or cannot
// tell apart (Map, Set: every one is "{}") re-run the query when they change and keep it when an
// equal value comes again; plain JSON queries still compare by their JSON form.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import type { Group, StateMachine } from '@meshraft/core';
import { createInProcessCluster, type InProcessCluster } from '@meshraft/core/testing';
import { GroupProvider, useQuery } from '../src/index';
import { WAIT } from './support/cluster';

/** Answers every query with a description of the value it was asked (what the hook must re-run for). */
class EchoMachine implements StateMachine<string, unknown, number, string> {
  private count = 0;
  apply(): number {
    return ++this.count;
  }
  query(query: unknown): string {
    return echo(query);
  }
}

function echo(value: unknown, seen: unknown[] = []): string {
  if (seen.includes(value)) return '<cycle>';
  if (typeof value === 'object' && value !== null) seen = [...seen, value];
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Map) return `Map(${[...value].map(([k, v]) => `${echo(k, seen)}=${echo(v, seen)}`).join(',')})`;
  if (value instanceof Set) return `Set(${[...value].map((v) => echo(v, seen)).join(',')})`;
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${Array.from(value as Uint8Array).join(',')})`;
  if (Array.isArray(value)) return `[${value.map((v) => echo(v, seen)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}:${echo(v, seen)}`).join(',')}}`;
  }
  return String(value);
}

let cluster: InProcessCluster<string, unknown, string, number>;
let group: Group<string, unknown, string, number>;
/** Queries the hook sent to the group (the group's query, counted). */
let runs: unknown[] = [];

beforeAll(async () => {
  cluster = createInProcessCluster<string, unknown, string, number>({ peers: ['a'], seed: 11, stateMachine: () => new EchoMachine() });
  const [real] = await cluster.addAll();
  await real.when.online();
  await real.execute('first');
  group = new Proxy(real, {
    get(target, prop) {
      if (prop === 'query') {
        return (query: unknown, ...rest: []) => {
          runs.push(query);
          return target.query(query, ...rest);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}, 60_000);

afterEach(() => cleanup());
afterAll(async () => {
  await cluster.close();
});

function Probe({ query }: { query: unknown }) {
  const { data } = useQuery<unknown, string>(query);
  return <span data-testid="data">{data ?? ''}</span>;
}

/** Renders (or re-renders) the probe with `query`, waits for `expected`, returns the runs it took. */
async function show(view: ReturnType<typeof render> | null, query: unknown, expected: string) {
  const before = runs.length;
  const ui = (
    <GroupProvider group={group}>
      <Probe query={query} />
    </GroupProvider>
  );
  if (view) view.rerender(ui);
  else view = render(ui);
  await waitFor(() => expect(screen.getByTestId('data').textContent).toBe(expected), { ...WAIT, timeout: 5000 });
  // Let a run that should not happen show itself.
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
  return { view, runs: runs.length - before };
}

describe('useQuery compares queries beyond JSON', () => {
  it('takes a bigint query (JSON.stringify throws on it) and re-runs only when its value changes', async () => {
    const first = await show(null, { id: 1n }, '{id:1n}');
    expect(first.runs).toBe(1);
    // A new object with the same bigint: the same query.
    expect((await show(first.view, { id: 1n }, '{id:1n}')).runs).toBe(0);
    expect((await show(first.view, { id: 2n }, '{id:2n}')).runs).toBe(1);
    expect((await show(first.view, 3n, '3n')).runs).toBe(1);
  });

  it('re-runs when a Map or Set query changes (JSON sees "{}" for each), not for an equal new one', async () => {
    const first = await show(null, new Map([['what', 'notes']]), 'Map(what=notes)');
    const view = first.view;
    expect((await show(view, new Map([['what', 'notes']]), 'Map(what=notes)')).runs).toBe(0);
    expect((await show(view, new Map([['what', 'count']]), 'Map(what=count)')).runs).toBe(1);
    expect((await show(view, new Set(['a']), 'Set(a)')).runs).toBe(1);
    expect((await show(view, new Set(['a']), 'Set(a)')).runs).toBe(0);
    expect((await show(view, new Set(['a', 'b']), 'Set(a,b)')).runs).toBe(1);
    // An empty Map, an empty Set and an empty object are three different queries.
    expect((await show(view, new Map(), 'Map()')).runs).toBe(1);
    expect((await show(view, new Set(), 'Set()')).runs).toBe(1);
    expect((await show(view, {}, '{}')).runs).toBe(1);
  });

  it('compares Dates, typed arrays and nested values by content, plain JSON by its JSON form', async () => {
    const first = await show(null, { day: new Date(0), tags: new Set(['x']) }, '{day:Date(0),tags:Set(x)}');
    const view = first.view;
    expect((await show(view, { day: new Date(0), tags: new Set(['x']) }, '{day:Date(0),tags:Set(x)}')).runs).toBe(0);
    expect((await show(view, { day: new Date(0), tags: new Set(['y']) }, '{day:Date(0),tags:Set(y)}')).runs).toBe(1);
    expect((await show(view, { day: new Date(1000), tags: new Set(['y']) }, '{day:Date(1000),tags:Set(y)}')).runs).toBe(1);
    expect((await show(view, new Uint8Array([1, 2]), 'Uint8Array(1,2)')).runs).toBe(1);
    expect((await show(view, new Uint8Array([1, 2]), 'Uint8Array(1,2)')).runs).toBe(0);
    expect((await show(view, new Int8Array([1, 2]), 'Int8Array(1,2)')).runs).toBe(1);
    // Plain JSON: a new object with the same JSON is the same query, a different one re-runs.
    expect((await show(view, { kind: 'notes', page: [1, 2] }, '{kind:notes,page:[1,2]}')).runs).toBe(1);
    expect((await show(view, { kind: 'notes', page: [1, 2] }, '{kind:notes,page:[1,2]}')).runs).toBe(0);
    expect((await show(view, { kind: 'notes', page: [1, 3] }, '{kind:notes,page:[1,3]}')).runs).toBe(1);
  });

  it('compares functions by identity, class instances by class and fields, and takes a cyclic query', async () => {
    const byTitle = (note: string) => note;
    const byDate = (note: string) => note.length;
    const first = await show(null, { order: byTitle }, `{order:${String(byTitle)}}`);
    const view = first.view;
    expect((await show(view, { order: byTitle }, `{order:${String(byTitle)}}`)).runs).toBe(0);
    expect((await show(view, { order: byDate }, `{order:${String(byDate)}}`)).runs).toBe(1);
    class Notes {
      constructor(readonly page: number) {}
    }
    class Count {
      constructor(readonly page: number) {}
    }
    expect((await show(view, new Notes(1), '{page:1}')).runs).toBe(1);
    expect((await show(view, new Notes(1), '{page:1}')).runs).toBe(0);
    // Same JSON, another class: another query.
    const before = runs.length;
    await show(view, new Count(1), '{page:1}');
    await waitFor(() => expect(runs[runs.length - 1]).toBeInstanceOf(Count), { ...WAIT, timeout: 5000 });
    expect(runs.length - before).toBe(1);
    // A query that contains itself has no description: it is compared by identity.
    const cyclic: { name: string; self?: unknown } = { name: 'loop' };
    cyclic.self = cyclic;
    expect((await show(view, cyclic, '{name:loop,self:<cycle>}')).runs).toBe(1);
    expect((await show(view, cyclic, '{name:loop,self:<cycle>}')).runs).toBe(0);
  });
});

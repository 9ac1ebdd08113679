// BoardMachine: deterministic apply, idempotent adds (safe retries), column/done rules, bad
// commands ignored the same way everywhere, snapshot/restore; and on a real 3-peer group.
import { describe, expect, it } from 'vitest';
import { createInProcessCluster } from '@meshraft/core';
import { BoardMachine, type Board, type BoardCommand, type BoardQuery } from '../src/board-machine';

const ctx = (index: number) => ({ index, term: 1 });

function run(commands: BoardCommand[]): BoardMachine {
  const machine = new BoardMachine();
  commands.forEach((command, i) => machine.apply(command, ctx(i + 1)));
  return machine;
}

const titles = (board: Board) => ({
  todo: board.columns.todo.map((c) => c.title),
  doing: board.columns.doing.map((c) => c.title),
  done: board.columns.done.map((c) => c.title),
});

const script: BoardCommand[] = [
  { type: 'add', id: 'a', title: '  Write docs  ' },
  { type: 'add', id: 'b', title: 'Fix bug', column: 'doing' },
  { type: 'add', id: 'c', title: 'Release' },
  { type: 'move', id: 'a', column: 'doing' },
  { type: 'complete', id: 'b', done: true },
  { type: 'edit', id: 'c', title: 'Release 1.0' },
];

describe('BoardMachine', () => {
  it('applies the same commands to the same board, with cards in the order they entered a column', () => {
    const one = run(script);
    const two = run(script);
    expect(titles(one.query())).toEqual({ todo: ['Release 1.0'], doing: ['Write docs'], done: ['Fix bug'] });
    expect(two.query()).toEqual(one.query());
    expect(one.query().cardCount).toBe(3);
    expect(one.query().columns.done[0]).toMatchObject({ id: 'b', done: true, createdAt: 2, updatedAt: 5 });
  });

  it('an add retried with the same id changes nothing (a timed-out edit may be sent twice)', () => {
    const machine = run(script.slice(0, 1));
    expect(machine.apply({ type: 'add', id: 'a', title: 'Write docs' }, ctx(2))).toEqual({ ok: false, reason: 'card exists' });
    expect(machine.query().cardCount).toBe(1);
  });

  it('moving into "done" completes a card, moving out re-opens it; un-completing returns it to "To do"', () => {
    const machine = run([{ type: 'add', id: 'x', title: 'X' }]);
    machine.apply({ type: 'move', id: 'x', column: 'done' }, ctx(2));
    expect(machine.query().columns.done[0].done).toBe(true);
    machine.apply({ type: 'move', id: 'x', column: 'doing' }, ctx(3));
    expect(machine.query().columns.doing[0].done).toBe(false);
    machine.apply({ type: 'complete', id: 'x', done: true }, ctx(4));
    machine.apply({ type: 'complete', id: 'x', done: false }, ctx(5));
    expect(machine.query().columns.todo.map((c) => c.id)).toEqual(['x']);
  });

  it('ignores bad commands without changing the board or throwing', () => {
    const machine = run(script);
    const before = machine.query();
    const bad = [
      null,
      { type: 'add', id: 'n', title: '   ' },
      { type: 'add', id: '', title: 'no id' },
      { type: 'move', id: 'a', column: 'archive' },
      { type: 'edit', id: 'missing', title: 'x' },
      { type: 'explode', id: 'a' },
      { type: 'complete', id: 'a', done: 'yes' },
    ] as unknown as BoardCommand[];
    for (const command of bad) expect(machine.apply(command, ctx(99)).ok).toBe(false);
    // Unchanged state keeps the same query answer object (stable for React).
    expect(machine.query()).toBe(before);
  });

  it('keeps unchanged cards identical between answers, so React.memo can skip them', () => {
    const machine = run(script);
    const before = machine.query();
    machine.apply({ type: 'edit', id: 'a', title: 'Write more docs' }, ctx(10));
    const after = machine.query();
    expect(after).not.toBe(before);
    expect(after.columns.done[0]).toBe(before.columns.done[0]);
    expect(after.columns.doing[0]).not.toBe(before.columns.doing[0]);
  });

  it('restores a snapshot to the same board, and rejects corrupt bytes without losing its state', () => {
    const machine = run(script);
    const copy = new BoardMachine();
    copy.restore(machine.snapshot());
    expect(copy.query()).toEqual(machine.query());
    expect(() => copy.restore(new TextEncoder().encode('{not json'))).toThrow();
    expect(copy.query()).toEqual(machine.query());
    // Well-formed JSON with junk cards keeps only the valid ones.
    copy.restore(new TextEncoder().encode(JSON.stringify({ cards: [{ id: 'q' }, ...JSON.parse(new TextDecoder().decode(machine.snapshot())).cards] })));
    expect(copy.query().cardCount).toBe(3);
  });

  it('replicates across a real 3-peer group: edits from any peer give every peer the same board', async () => {
    const cluster = createInProcessCluster<BoardCommand, BoardQuery, Board>({ peers: ['a', 'b', 'c'], stateMachine: () => new BoardMachine(), seed: 3 });
    try {
      await cluster.addAll();
      await Promise.all(cluster.running().map((id) => cluster.group(id).when.online()));
      await cluster.group('a').execute({ type: 'add', id: 'one', title: 'From a' });
      await cluster.group('b').execute({ type: 'add', id: 'two', title: 'From b' });
      const last = await cluster.group('c').execute({ type: 'move', id: 'one', column: 'doing' });
      const boards = await Promise.all(
        cluster.running().map(async (id) => {
          await cluster.group(id).when.committed(last);
          return (await cluster.group(id).query('board', 'weak')).result;
        }),
      );
      for (const board of boards) expect(titles(board)).toEqual({ todo: ['From b'], doing: ['From a'], done: [] });
    } finally {
      await cluster.close();
    }
  });
});

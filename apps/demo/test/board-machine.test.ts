// BoardMachine: deterministic apply, idempotent adds (safe retries), column/done rules, bad
// commands ignored the same way everywhere, card numbers handed out by apply, snapshot/restore;
// and on a real 3-peer group, where each tab's execute() gets its own command's answer.
import { describe, expect, it } from 'vitest';
import { createInProcessCluster } from '@meshraft/core/testing';
import { BoardMachine, type ApplyOutcome, type Board, type BoardCommand, type BoardQuery } from '../src/board-machine';

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
    expect(one.query().columns.done[0]).toMatchObject({ id: 'b', number: 2, done: true, createdAt: 2, updatedAt: 5 });
  });

  it('answers each command: the card number it gave or changed, or why nothing changed', () => {
    const machine = new BoardMachine();
    expect(machine.apply({ type: 'add', id: 'a', title: 'A' }, ctx(1))).toEqual({ ok: true, number: 1 });
    expect(machine.apply({ type: 'add', id: 'b', title: 'B' }, ctx(2))).toEqual({ ok: true, number: 2 });
    expect(machine.apply({ type: 'move', id: 'b', column: 'doing' }, ctx(3))).toEqual({ ok: true, number: 2 });
    expect(machine.apply({ type: 'move', id: 'b', column: 'doing' }, ctx(4))).toEqual({ ok: false, reason: 'it is already in that column' });
    expect(machine.apply({ type: 'delete', id: 'a' }, ctx(5))).toEqual({ ok: true, number: 1 });
    // A command about a card another tab deleted first changes nothing, and says so.
    expect(machine.apply({ type: 'edit', id: 'a', title: 'A2' }, ctx(6))).toEqual({ ok: false, reason: 'the card was deleted' });
    expect(machine.apply({ type: 'complete', id: 'a', done: true }, ctx(7))).toEqual({ ok: false, reason: 'the card was deleted' });
    // Numbers are never reused, also after a delete.
    expect(machine.apply({ type: 'add', id: 'c', title: 'C' }, ctx(8))).toEqual({ ok: true, number: 3 });
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
    // The numbering goes on where it was, also when the highest-numbered card was deleted.
    const shrunk = run([...script, { type: 'delete', id: 'c' }]);
    const trimmed = new BoardMachine();
    trimmed.restore(shrunk.snapshot());
    expect(trimmed.apply({ type: 'add', id: 'd', title: 'D' }, ctx(21))).toEqual({ ok: true, number: 4 });
    expect(() => copy.restore(new TextEncoder().encode('{not json'))).toThrow();
    expect(copy.query()).toEqual(machine.query());
    // Well-formed JSON with junk cards keeps only the valid ones.
    copy.restore(new TextEncoder().encode(JSON.stringify({ cards: [{ id: 'q' }, ...JSON.parse(new TextDecoder().decode(machine.snapshot())).cards] })));
    expect(copy.query().cardCount).toBe(3);
    // Cards from a snapshot without numbers (an older version) keep working, numbered 0.
    const old = { cards: [{ id: 'o', title: 'Old', column: 'todo', done: false, createdAt: 1, updatedAt: 1 }] };
    copy.restore(new TextEncoder().encode(JSON.stringify(old)));
    expect(copy.query().columns.todo[0]).toMatchObject({ id: 'o', number: 0 });
    expect(copy.apply({ type: 'add', id: 'p', title: 'P' }, ctx(2))).toEqual({ ok: true, number: 1 });
  });

  it('replicates across a real 3-peer group: edits from any peer give every peer the same board', async () => {
    const cluster = createInProcessCluster<BoardCommand, BoardQuery, Board, ApplyOutcome>({ peers: ['a', 'b', 'c'], stateMachine: () => new BoardMachine(), seed: 3 });
    try {
      await cluster.addAll();
      await Promise.all(cluster.running().map((id) => cluster.group(id).when.online()));
      // Each tab learns the number its own add got, whichever peer leads.
      const one = await cluster.group('a').execute({ type: 'add', id: 'one', title: 'From a' });
      const two = await cluster.group('b').execute({ type: 'add', id: 'two', title: 'From b' });
      expect([one.result, two.result]).toEqual([{ ok: true, number: 1 }, { ok: true, number: 2 }]);
      const { index: last, result: moved } = await cluster.group('c').execute({ type: 'move', id: 'one', column: 'doing' });
      expect(moved).toEqual({ ok: true, number: 1 });
      const boards = await Promise.all(
        cluster.running().map(async (id) => {
          await cluster.group(id).when.committed(last);
          return (await cluster.group(id).query('board', 'weak')).result;
        }),
      );
      for (const board of boards) {
        expect(titles(board)).toEqual({ todo: ['From b'], doing: ['From a'], done: [] });
        expect(board.columns.doing[0].number).toBe(1);
      }

      // Two tabs race: one deletes a card while another moves it. The log orders them; whichever
      // came second is told it changed nothing, by its own execute() and without another query.
      const [deleted, move] = await Promise.all([
        cluster.group('a').execute({ type: 'delete', id: 'two' }),
        cluster.group('c').execute({ type: 'move', id: 'two', column: 'done' }),
      ]);
      expect(deleted.result).toEqual({ ok: true, number: 2 });
      if (move.index < deleted.index) expect(move.result).toEqual({ ok: true, number: 2 });
      else expect(move.result).toEqual({ ok: false, reason: 'the card was deleted' });
    } finally {
      await cluster.close();
    }
  });
});

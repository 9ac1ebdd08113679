// The notice and highlight the board derives from what apply answered to this tab's last edit.
import { describe, expect, it } from 'vitest';
import type { ApplyOutcome, BoardCommand } from '../src/board-machine';
import { addedCardId, outcomeNotice, type LastBoardCall } from '../src/components/outcome';

function call(commands: BoardCommand[], results: Array<ApplyOutcome | undefined>): LastBoardCall {
  return { commands, start: 10, end: 10 + commands.length - 1, results };
}

describe('outcomeNotice', () => {
  it('names the card number apply handed out, or the card an edit changed', () => {
    expect(outcomeNotice(null)).toBeNull();
    expect(outcomeNotice(call([{ type: 'add', id: 'x', title: 'X' }], [{ ok: true, number: 7 }]))).toEqual({ tone: 'ok', text: 'Added card #7.' });
    expect(outcomeNotice(call([{ type: 'move', id: 'x', column: 'doing' }], [{ ok: true, number: 7 }]))).toEqual({ tone: 'ok', text: 'Moved #7 to Doing.' });
    expect(outcomeNotice(call([{ type: 'complete', id: 'x', done: false }], [{ ok: true, number: 7 }]))?.text).toBe('Reopened #7.');
  });

  it('reports a command that changed nothing with the reason apply gave', () => {
    const rejected = call([{ type: 'move', id: 'x', column: 'done' }], [{ ok: false, reason: 'the card was deleted' }]);
    expect(outcomeNotice(rejected)).toEqual({ tone: 'rejected', text: 'Move not applied: the card was deleted.' });
    const batch = call(
      [{ type: 'add', id: 'y', title: 'Y' }, { type: 'edit', id: 'x', title: 'X2' }, { type: 'delete', id: 'x' }],
      [{ ok: true, number: 8 }, { ok: false, reason: 'the card was deleted' }, { ok: false, reason: 'the card was deleted' }],
    );
    expect(outcomeNotice(batch)).toEqual({ tone: 'rejected', text: '2 edits not applied (first: the card was deleted).' });
  });

  it('says "saved" for batches and for answers this tab never saw', () => {
    expect(outcomeNotice(call([{ type: 'delete', id: 'x' }], [undefined]))).toEqual({ tone: 'ok', text: 'Saved.' });
    const two = call([{ type: 'add', id: 'a', title: 'A' }, { type: 'add', id: 'b', title: 'B' }], [{ ok: true, number: 1 }, { ok: true, number: 2 }]);
    expect(outcomeNotice(two)).toEqual({ tone: 'ok', text: 'Saved 2 edits.' });
  });
});

describe('addedCardId', () => {
  it('is the id of the last add that applied, else null', () => {
    expect(addedCardId(null)).toBeNull();
    expect(addedCardId(call([{ type: 'add', id: 'a', title: 'A' }], [{ ok: true, number: 1 }]))).toBe('a');
    expect(addedCardId(call([{ type: 'add', id: 'a', title: 'A' }], [{ ok: false, reason: 'card exists' }]))).toBeNull();
    expect(addedCardId(call([{ type: 'add', id: 'a', title: 'A' }], [undefined]))).toBeNull();
    const mixed = call([{ type: 'add', id: 'a', title: 'A' }, { type: 'add', id: 'b', title: 'B' }, { type: 'delete', id: 'z' }], [{ ok: true, number: 1 }, { ok: true, number: 2 }, { ok: true, number: 3 }]);
    expect(addedCardId(mixed)).toBe('b');
  });
});

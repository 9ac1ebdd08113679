// What the board answered to this tab's last edit that went through (useExecute's lastResult):
// a short notice for the user, and the card that edit added (highlighted on the board). The
// answer comes from this tab's own apply of the command, so it is exact even when another tab's
// edit got in first (e.g. a move of a card someone just deleted is reported as not applied).
import type { ExecutedCall } from '@meshraft/react';
import { COLUMN_TITLES, type ApplyOutcome, type BoardCommand } from '../board-machine';

export type LastBoardCall = ExecutedCall<BoardCommand, ApplyOutcome>;

export interface OutcomeNotice {
  tone: 'ok' | 'rejected';
  text: string;
}

function done(command: BoardCommand, number: number): string {
  switch (command.type) {
    case 'add':
      return `Added card #${number}`;
    case 'edit':
      return `Renamed #${number}`;
    case 'move':
      return `Moved #${number} to ${COLUMN_TITLES[command.column]}`;
    case 'complete':
      return command.done ? `Completed #${number}` : `Reopened #${number}`;
    case 'delete':
      return `Deleted #${number}`;
  }
}

const verbs: Record<BoardCommand['type'], string> = { add: 'Add', edit: 'Rename', move: 'Move', complete: 'Change', delete: 'Delete' };

export function outcomeNotice(last: LastBoardCall | null): OutcomeNotice | null {
  if (!last || last.commands.length === 0) return null;
  const rejected = last.results.flatMap((result, i) => (result && !result.ok ? [{ command: last.commands[i], reason: result.reason }] : []));
  if (rejected.length === 1) return { tone: 'rejected', text: `${verbs[rejected[0].command.type]} not applied: ${rejected[0].reason}.` };
  if (rejected.length > 1) return { tone: 'rejected', text: `${rejected.length} edits not applied (first: ${rejected[0].reason}).` };
  const [result] = last.results;
  if (last.commands.length === 1 && result?.ok) return { tone: 'ok', text: `${done(last.commands[0], result.number)}.` };
  // Several edits at once (a retry), or an answer this tab never saw (it caught up from a snapshot).
  return { tone: 'ok', text: last.commands.length === 1 ? 'Saved.' : `Saved ${last.commands.length} edits.` };
}

/** The id of the card the last call added, when it did (its add applied). */
export function addedCardId(last: LastBoardCall | null): string | null {
  if (!last) return null;
  for (let i = last.commands.length - 1; i >= 0; i--) {
    const command = last.commands[i];
    if (command.type === 'add' && last.results[i]?.ok) return command.id;
  }
  return null;
}

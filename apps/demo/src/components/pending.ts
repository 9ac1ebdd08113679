// Projects the commands this tab has in flight (or that failed) onto the board, so the user sees
// their edits at once: new cards as greyed "ghost" cards, edited/moved cards greyed until applied.
import type { Board, BoardCommand, ColumnId } from '../board-machine';

export interface GhostCard {
  id: string;
  title: string;
  column: ColumnId;
  state: 'pending' | 'failed';
}

export interface PendingView {
  /** Adds not on the board yet, per column. */
  ghosts: Record<ColumnId, GhostCard[]>;
  /** Cards with a change in flight. */
  busy: ReadonlySet<string>;
  /** Cards with a change that failed (awaiting Retry). */
  failed: ReadonlySet<string>;
}

export function pendingView(board: Board | undefined, pending: readonly BoardCommand[], failed: readonly BoardCommand[] | null): PendingView {
  const onBoard = new Set<string>();
  if (board) for (const cards of Object.values(board.columns)) for (const card of cards) onBoard.add(card.id);
  const ghosts: Record<ColumnId, GhostCard[]> = { todo: [], doing: [], done: [] };
  const busy = new Set<string>();
  const failedIds = new Set<string>();
  const project = (commands: readonly BoardCommand[], state: GhostCard['state']) => {
    for (const command of commands) {
      if (command.type === 'add') {
        if (!onBoard.has(command.id)) ghosts[command.column ?? 'todo'].push({ id: command.id, title: command.title, column: command.column ?? 'todo', state });
      } else {
        (state === 'pending' ? busy : failedIds).add(command.id);
      }
    }
  };
  project(pending, 'pending');
  project(failed ?? [], 'failed');
  return { ghosts, busy, failed: failedIds };
}

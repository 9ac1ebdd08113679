// The task board: three columns of cards read from the replicated state (useQuery re-runs as
// entries apply), edits sent with useExecute (pending edits greyed, failures with Retry, and what
// the board answered to the last edit: the new card's number, or why an edit changed nothing).
import { useCallback, useMemo } from 'react';
import { useExecute, useQuery } from '@meshraft/react';
import { COLUMNS, type ApplyOutcome, type Board, type BoardCommand, type BoardQuery } from '../board-machine';
import { AddCardForm } from './AddCardForm';
import { ColumnView } from './ColumnView';
import { ExecuteErrorBox } from './ExecuteErrorBox';
import { addedCardId, outcomeNotice } from './outcome';
import { pendingView } from './pending';
import { editTimeoutMs } from '../settings';

/** Edits made while the group has no quorum wait this long for it to come back before failing. */
const EDIT_TIMEOUT_MS = editTimeoutMs();

export type SendCommand = (command: BoardCommand) => void;

export function BoardView() {
  const { data: board, position } = useQuery<BoardQuery, Board>('board', { consistency: 'weak' });
  const execution = useExecute<BoardCommand, ApplyOutcome>();
  const { execute } = execution;
  // Errors are shown by ExecuteErrorBox from the hook's state; the promise rejection is handled here.
  const send = useCallback<SendCommand>((command) => void execute(command, { timeoutMs: EDIT_TIMEOUT_MS }).catch(() => {}), [execute]);
  const { retry: retryFailed } = execution;
  const retry = useCallback(() => retryFailed({ timeoutMs: EDIT_TIMEOUT_MS }), [retryFailed]);
  const pending = useMemo(
    () => pendingView(board, execution.pendingCommands, execution.failed),
    [board, execution.pendingCommands, execution.failed],
  );
  const notice = useMemo(() => outcomeNotice(execution.lastResult), [execution.lastResult]);
  const added = useMemo(() => addedCardId(execution.lastResult), [execution.lastResult]);

  return (
    <section className="board" data-testid="board" aria-label="task board">
      <div className="board-toolbar">
        <AddCardForm send={send} />
        <span className="board-meta muted" data-testid="board-meta">
          {board ? `${board.cardCount} ${board.cardCount === 1 ? 'card' : 'cards'}` : 'loading…'}
          {position >= 0 && ` · state at log index ${position}`}
          {execution.pending > 0 && ` · ${execution.pending} sending`}
        </span>
      </div>
      <ExecuteErrorBox error={execution.error} failed={execution.failed} retry={retry} reset={execution.reset} />
      {notice && (
        <p className={`outcome outcome-${notice.tone}`} role="status" data-testid="last-outcome" data-tone={notice.tone}>
          {notice.text}
        </p>
      )}
      <div className="columns">
        {COLUMNS.map((column) => (
          <ColumnView key={column} column={column} cards={board?.columns[column] ?? []} pending={pending} added={added} send={send} />
        ))}
      </div>
    </section>
  );
}

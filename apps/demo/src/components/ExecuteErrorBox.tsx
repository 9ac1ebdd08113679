// A failed edit: what went wrong, how many edits are waiting, and Retry / Discard.
import { useState } from 'react';
import type { BoardCommand } from '../board-machine';

export interface ExecuteErrorBoxProps {
  error: Error | null;
  failed: readonly BoardCommand[] | null;
  retry(): Promise<unknown>;
  reset(): void;
}

function explain(error: Error): string {
  if (error.name === 'OfflineError') return 'The group had no leader, so nothing was saved.';
  if (error.name === 'TimeoutError') return 'The group did not confirm in time; the edit may or may not have been saved.';
  if (error.name === 'ClosedError') return 'This tab left the group.';
  return error.message;
}

export function ExecuteErrorBox({ error, failed, retry, reset }: ExecuteErrorBoxProps) {
  const [retrying, setRetrying] = useState(false);
  if (!error) return null;
  const count = failed?.length ?? 0;
  const onRetry = () => {
    setRetrying(true);
    retry()
      .catch(() => {}) // a new failure shows up in this box again
      .finally(() => setRetrying(false));
  };
  return (
    <div className="execute-error" role="alert" data-testid="execute-error">
      <div>
        <strong>{error.name}:</strong> {explain(error)}{' '}
        {count > 0 && `${count} ${count === 1 ? 'edit is' : 'edits are'} waiting.`}
      </div>
      <div className="execute-error-actions">
        {count > 0 && (
          <button type="button" data-testid="retry" onClick={onRetry} disabled={retrying}>
            {retrying ? 'Retrying…' : 'Retry'}
          </button>
        )}
        <button type="button" className="secondary" data-testid="discard" onClick={reset}>
          Discard
        </button>
      </div>
    </div>
  );
}

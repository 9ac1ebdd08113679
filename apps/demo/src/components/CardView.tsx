// One card: title (double-click or Edit to rename), done checkbox, move left/right, delete.
// Memoized: a card object keeps its identity until a command changes it (see BoardMachine).
import { memo, useState, type FormEvent } from 'react';
import { COLUMNS, MAX_TITLE_LENGTH, type Card } from '../board-machine';
import type { SendCommand } from './BoardView';

export interface CardViewProps {
  card: Card;
  /** A change to this card is in flight. */
  busy: boolean;
  /** A change to this card failed. */
  failed: boolean;
  /** This tab's last edit added this card. */
  added: boolean;
  send: SendCommand;
}

export const CardView = memo(function CardView({ card, busy, failed, added, send }: CardViewProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(card.title);
  const at = COLUMNS.indexOf(card.column);
  const left = at > 0 ? COLUMNS[at - 1] : null;
  const right = at < COLUMNS.length - 1 ? COLUMNS[at + 1] : null;

  const save = (event: FormEvent) => {
    event.preventDefault();
    const title = draft.trim();
    if (title && title !== card.title) send({ type: 'edit', id: card.id, title });
    setEditing(false);
  };
  const startEditing = () => {
    setDraft(card.title);
    setEditing(true);
  };

  const classes = ['card', card.done ? 'done' : '', busy ? 'busy' : '', failed ? 'failed' : '', added ? 'added' : ''].filter(Boolean).join(' ');
  return (
    <li className={classes} data-testid="card" data-card-id={card.id} data-busy={busy ? 'true' : 'false'} data-added={added ? 'true' : 'false'}>
      {editing ? (
        <form className="card-edit" onSubmit={save}>
          <input
            data-testid="edit-card-title"
            aria-label="Card title"
            value={draft}
            maxLength={MAX_TITLE_LENGTH}
            autoFocus
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={(event) => event.key === 'Escape' && setEditing(false)}
          />
          <button type="submit" data-testid="save-card">
            Save
          </button>
        </form>
      ) : (
        <div className="card-main">
          <input
            type="checkbox"
            aria-label="Done"
            data-testid="complete-card"
            checked={card.done}
            onChange={(event) => send({ type: 'complete', id: card.id, done: event.target.checked })}
          />
          <span className="card-title" data-testid="card-title" onDoubleClick={startEditing} title="Double-click to edit">
            {card.title}
          </span>
          {card.number > 0 && (
            <span className="card-number muted" data-testid="card-number">
              #{card.number}
            </span>
          )}
        </div>
      )}
      <div className="card-actions">
        <button type="button" aria-label="Move left" data-testid="move-left" disabled={!left} onClick={() => left && send({ type: 'move', id: card.id, column: left })}>
          ←
        </button>
        <button type="button" aria-label="Move right" data-testid="move-right" disabled={!right} onClick={() => right && send({ type: 'move', id: card.id, column: right })}>
          →
        </button>
        <button type="button" aria-label="Edit" data-testid="edit-card" onClick={startEditing} disabled={editing}>
          ✎
        </button>
        <button type="button" aria-label="Delete" data-testid="delete-card" className="danger" onClick={() => send({ type: 'delete', id: card.id })}>
          ×
        </button>
      </div>
      {busy && <span className="card-note">sending…</span>}
      {failed && <span className="card-note">change not saved</span>}
    </li>
  );
});

import { memo } from 'react';
import { COLUMN_TITLES, type Card, type ColumnId } from '../board-machine';
import type { SendCommand } from './BoardView';
import { CardView } from './CardView';
import type { PendingView } from './pending';

export interface ColumnViewProps {
  column: ColumnId;
  cards: readonly Card[];
  pending: PendingView;
  /** The card this tab's last edit added (highlighted), or null. */
  added: string | null;
  send: SendCommand;
}

export const ColumnView = memo(function ColumnView({ column, cards, pending, added, send }: ColumnViewProps) {
  const ghosts = pending.ghosts[column];
  return (
    <div className={`column column-${column}`} data-testid={`column-${column}`} aria-label={COLUMN_TITLES[column]}>
      <h3>
        {COLUMN_TITLES[column]} <span className="count">{cards.length}</span>
      </h3>
      <ul className="cards">
        {cards.map((card) => (
          <CardView
            key={card.id}
            card={card}
            busy={pending.busy.has(card.id)}
            failed={pending.failed.has(card.id)}
            added={card.id === added}
            send={send}
          />
        ))}
        {ghosts.map((ghost) => (
          <li key={ghost.id} className={`card ghost ghost-${ghost.state}`} data-testid="pending-card" data-state={ghost.state}>
            <span className="card-title">{ghost.title}</span>
            <span className="card-note">{ghost.state === 'pending' ? 'sending…' : 'not saved'}</span>
          </li>
        ))}
        {cards.length === 0 && ghosts.length === 0 && <li className="empty muted">No cards</li>}
      </ul>
    </div>
  );
});

import { useState, type FormEvent } from 'react';
import { MAX_TITLE_LENGTH, newCardId } from '../board-machine';
import type { SendCommand } from './BoardView';

export function AddCardForm({ send }: { send: SendCommand }) {
  const [title, setTitle] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) return;
    send({ type: 'add', id: newCardId(), title: trimmed, column: 'todo' });
    setTitle('');
  };
  return (
    <form className="add-card" onSubmit={submit}>
      <input
        data-testid="new-card-title"
        aria-label="New card title"
        placeholder="Add a task…"
        value={title}
        maxLength={MAX_TITLE_LENGTH}
        onChange={(event) => setTitle(event.target.value)}
      />
      <button type="submit" data-testid="add-card" disabled={title.trim().length === 0}>
        Add card
      </button>
    </form>
  );
}

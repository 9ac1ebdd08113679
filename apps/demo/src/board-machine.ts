// The demo's replicated state: a task board. Every tab applies the same commands in the same log
// order, so `apply` must be deterministic: no clocks, no randomness (card ids come in the command,
// chosen by the tab that created the card), and bad commands are ignored the same way everywhere.
import type { ApplyContext, StateMachine } from 'meshraft';

export const COLUMNS = ['todo', 'doing', 'done'] as const;
export type ColumnId = (typeof COLUMNS)[number];

export const COLUMN_TITLES: Record<ColumnId, string> = { todo: 'To do', doing: 'Doing', done: 'Done' };

export const MAX_TITLE_LENGTH = 200;

export interface Card {
  readonly id: string;
  readonly title: string;
  readonly column: ColumnId;
  readonly done: boolean;
  /** Log index of the command that created it (a deterministic "created at"). */
  readonly createdAt: number;
  /** Log index of the last command that changed it. */
  readonly updatedAt: number;
}

export type BoardCommand =
  | { type: 'add'; id: string; title: string; column?: ColumnId }
  | { type: 'edit'; id: string; title: string }
  | { type: 'move'; id: string; column: ColumnId }
  | { type: 'complete'; id: string; done: boolean }
  | { type: 'delete'; id: string };

export type BoardQuery = 'board';

export interface Board {
  readonly columns: Readonly<Record<ColumnId, readonly Card[]>>;
  readonly cardCount: number;
}

export type ApplyOutcome = { ok: true } | { ok: false; reason: string };

interface BoardData {
  cards: Card[];
}

/**
 * Cards are kept as immutable objects (replaced on change), so unchanged cards keep their identity
 * between queries and React.memo can skip them.
 */
export class BoardMachine implements StateMachine<BoardCommand, BoardQuery, ApplyOutcome, Board> {
  /** Insertion-ordered: a card's place in its column is the order cards entered that column. */
  private cards = new Map<string, Card>();
  private cached: Board | null = null;

  apply(command: BoardCommand, ctx: ApplyContext): ApplyOutcome {
    const outcome = this.applyCommand(command, ctx.index);
    if (outcome.ok) this.cached = null;
    return outcome;
  }

  query(): Board {
    this.cached ??= this.buildBoard();
    return this.cached;
  }

  snapshot(): Uint8Array {
    const data: BoardData = { cards: [...this.cards.values()] };
    return new TextEncoder().encode(JSON.stringify(data));
  }

  restore(bytes: Uint8Array): void {
    const data = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    const cards = new Map<string, Card>();
    if (isRecord(data) && Array.isArray(data.cards)) {
      for (const card of data.cards) if (isCard(card)) cards.set(card.id, Object.freeze({ ...card }));
    }
    this.cards = cards;
    this.cached = null;
  }

  private applyCommand(command: BoardCommand, index: number): ApplyOutcome {
    if (!isRecord(command) || typeof command.id !== 'string' || command.id.length === 0 || command.id.length > 64) {
      return { ok: false, reason: 'malformed command' };
    }
    const existing = this.cards.get(command.id);
    switch (command.type) {
      case 'add': {
        // Idempotent: a retried add (after a timeout whose first attempt did commit) changes nothing.
        if (existing) return { ok: false, reason: 'card exists' };
        const title = cleanTitle(command.title);
        const column = isColumn(command.column) ? command.column : 'todo';
        if (title === null) return { ok: false, reason: 'empty title' };
        this.cards.set(command.id, Object.freeze({ id: command.id, title, column, done: column === 'done', createdAt: index, updatedAt: index }));
        return { ok: true };
      }
      case 'edit': {
        const title = cleanTitle(command.title);
        if (!existing || title === null) return { ok: false, reason: 'no such card or empty title' };
        return this.replace(existing, { title }, index, false);
      }
      case 'move': {
        if (!existing || !isColumn(command.column)) return { ok: false, reason: 'no such card or column' };
        if (existing.column === command.column) return { ok: false, reason: 'already there' };
        // Moving into "done" completes a card; moving it out re-opens it.
        return this.replace(existing, { column: command.column, done: command.column === 'done' }, index, true);
      }
      case 'complete': {
        if (!existing || typeof command.done !== 'boolean') return { ok: false, reason: 'no such card' };
        if (existing.done === command.done) return { ok: false, reason: 'unchanged' };
        const column: ColumnId = command.done ? 'done' : existing.column === 'done' ? 'todo' : existing.column;
        return this.replace(existing, { done: command.done, column }, index, column !== existing.column);
      }
      case 'delete':
        if (!existing) return { ok: false, reason: 'no such card' };
        this.cards.delete(command.id);
        return { ok: true };
      default:
        return { ok: false, reason: 'unknown command' };
    }
  }

  /** Replaces a card; a card that changed column goes to the end of its new column. */
  private replace(card: Card, change: Partial<Card>, index: number, moved: boolean): ApplyOutcome {
    const next = Object.freeze({ ...card, ...change, updatedAt: index });
    if (moved) this.cards.delete(card.id);
    this.cards.set(card.id, next);
    return { ok: true };
  }

  private buildBoard(): Board {
    const columns: Record<ColumnId, Card[]> = { todo: [], doing: [], done: [] };
    for (const card of this.cards.values()) columns[card.column].push(card);
    return Object.freeze({ columns: Object.freeze(columns), cardCount: this.cards.size });
  }
}

function cleanTitle(title: unknown): string | null {
  if (typeof title !== 'string') return null;
  const trimmed = title.trim().slice(0, MAX_TITLE_LENGTH);
  return trimmed.length > 0 ? trimmed : null;
}

function isColumn(value: unknown): value is ColumnId {
  return typeof value === 'string' && (COLUMNS as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isCard(value: unknown): value is Card {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.title === 'string' &&
    isColumn(value.column) &&
    typeof value.done === 'boolean' &&
    typeof value.createdAt === 'number' &&
    typeof value.updatedAt === 'number'
  );
}

/** A card id unique across tabs (chosen by the creating tab, carried in the command). */
export function newCardId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 16);
}

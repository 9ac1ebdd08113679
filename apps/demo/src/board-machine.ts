// The demo's replicated state: a task board. Every tab applies the same commands in the same log
// order, so `apply` must be deterministic: no clocks, no randomness (card ids come in the command,
// chosen by the tab that created the card), and bad commands are ignored the same way everywhere.
// apply answers the tab that sent the command (execute() resolves with it): the card's board number,
// which only the state machine can hand out (#1, #2, ... in log order), or why nothing changed.
import type { ApplyContext, StateMachine } from 'meshraft';

export const COLUMNS = ['todo', 'doing', 'done'] as const;
export type ColumnId = (typeof COLUMNS)[number];

export const COLUMN_TITLES: Record<ColumnId, string> = { todo: 'To do', doing: 'Doing', done: 'Done' };

export const MAX_TITLE_LENGTH = 200;

export interface Card {
  readonly id: string;
  /** Short board-wide number, given in log order when the card is added (0: from an older snapshot). */
  readonly number: number;
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

/** What apply returns: the number of the card the command changed, or why it changed nothing. */
export type ApplyOutcome = { ok: true; number: number } | { ok: false; reason: string };

interface BoardData {
  cards: Card[];
  /** The last card number handed out (numbers are never reused, also after a delete). */
  lastNumber?: number;
}

/**
 * Cards are kept as immutable objects (replaced on change), so unchanged cards keep their identity
 * between queries and React.memo can skip them.
 */
export class BoardMachine implements StateMachine<BoardCommand, BoardQuery, ApplyOutcome, Board> {
  /** Insertion-ordered: a card's place in its column is the order cards entered that column. */
  private cards = new Map<string, Card>();
  private lastNumber = 0;
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
    const data: BoardData = { cards: [...this.cards.values()], lastNumber: this.lastNumber };
    return new TextEncoder().encode(JSON.stringify(data));
  }

  restore(bytes: Uint8Array): void {
    const data = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    const cards = new Map<string, Card>();
    let lastNumber = 0;
    if (isRecord(data) && Array.isArray(data.cards)) {
      for (const card of data.cards) {
        if (!isCard(card)) continue;
        const number = typeof card.number === 'number' && Number.isSafeInteger(card.number) && card.number > 0 ? card.number : 0;
        cards.set(card.id, Object.freeze({ ...card, number }));
        lastNumber = Math.max(lastNumber, number);
      }
      if (typeof data.lastNumber === 'number' && Number.isSafeInteger(data.lastNumber)) lastNumber = Math.max(lastNumber, data.lastNumber);
    }
    this.cards = cards;
    this.lastNumber = lastNumber;
    this.cached = null;
  }

  private applyCommand(command: BoardCommand, index: number): ApplyOutcome {
    if (!isRecord(command) || typeof command.id !== 'string' || command.id.length === 0 || command.id.length > 64) {
      return { ok: false, reason: 'malformed command' };
    }
    const existing = this.cards.get(command.id);
    // Every other command names an existing card; a missing one was deleted (by any tab) first.
    const gone: ApplyOutcome = { ok: false, reason: 'the card was deleted' };
    switch (command.type) {
      case 'add': {
        // Idempotent: a retried add (after a timeout whose first attempt did commit) changes nothing.
        if (existing) return { ok: false, reason: 'card exists' };
        const title = cleanTitle(command.title);
        const column = isColumn(command.column) ? command.column : 'todo';
        if (title === null) return { ok: false, reason: 'empty title' };
        const number = ++this.lastNumber;
        this.cards.set(command.id, Object.freeze({ id: command.id, number, title, column, done: column === 'done', createdAt: index, updatedAt: index }));
        return { ok: true, number };
      }
      case 'edit': {
        if (!existing) return gone;
        const title = cleanTitle(command.title);
        if (title === null) return { ok: false, reason: 'empty title' };
        return this.replace(existing, { title }, index, false);
      }
      case 'move': {
        if (!existing) return gone;
        if (!isColumn(command.column)) return { ok: false, reason: 'unknown column' };
        if (existing.column === command.column) return { ok: false, reason: 'it is already in that column' };
        // Moving into "done" completes a card; moving it out re-opens it.
        return this.replace(existing, { column: command.column, done: command.column === 'done' }, index, true);
      }
      case 'complete': {
        if (!existing) return gone;
        if (typeof command.done !== 'boolean') return { ok: false, reason: 'malformed command' };
        if (existing.done === command.done) return { ok: false, reason: command.done ? 'it is already done' : 'it is already open' };
        const column: ColumnId = command.done ? 'done' : existing.column === 'done' ? 'todo' : existing.column;
        return this.replace(existing, { done: command.done, column }, index, column !== existing.column);
      }
      case 'delete':
        if (!existing) return gone;
        this.cards.delete(command.id);
        return { ok: true, number: existing.number };
      default:
        return { ok: false, reason: 'unknown command' };
    }
  }

  /** Replaces a card; a card that changed column goes to the end of its new column. */
  private replace(card: Card, change: Partial<Card>, index: number, moved: boolean): ApplyOutcome {
    const next = Object.freeze({ ...card, ...change, updatedAt: index });
    if (moved) this.cards.delete(card.id);
    this.cards.set(card.id, next);
    return { ok: true, number: card.number };
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

/** A card as stored in a snapshot; `number` is checked by restore (snapshots of older versions lack it). */
function isCard(value: unknown): value is Omit<Card, 'number'> & { number?: unknown } {
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

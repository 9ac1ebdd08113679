// A tiny replicated state machine for the hook tests: an append-only list of notes.
import type { StateMachine } from '@meshraft/core';

export type NoteCommand = { add: string };
export type NoteQuery = 'notes' | 'count';
export type NoteResult = string[] | number;

export class NotesMachine implements StateMachine<NoteCommand, NoteQuery, number, NoteResult> {
  private readonly notes: string[] = [];

  /** Returns how many notes there are now (the new note's 1-based position). */
  apply(command: NoteCommand): number {
    this.notes.push(command.add);
    return this.notes.length;
  }

  /** Answers with a copy: a reader must never see the list change under it. */
  query(query: NoteQuery): NoteResult {
    return query === 'count' ? this.notes.length : [...this.notes];
  }
}

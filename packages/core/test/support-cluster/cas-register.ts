// A compare-and-set register: the kind of state machine whose caller needs apply's answer, since
// "did my set win?" cannot be learned atomically by a later query.
import type { StateMachine } from '../../src/types';

/** Set `set` if the register holds `expect` (null: empty). 'boom' makes apply throw. */
export type CasCommand = { expect: number | null; set: number } | 'boom';
export type CasResult = { ok: true; value: number } | { ok: false; actual: number | null };

export class CasRegister implements StateMachine<CasCommand, 'value', CasResult, number | null> {
  value: number | null = null;
  applies = 0;

  apply(command: CasCommand): CasResult {
    this.applies++;
    if (command === 'boom') throw new Error('boom');
    if (this.value !== command.expect) return { ok: false, actual: this.value };
    this.value = command.set;
    return { ok: true, value: command.set };
  }

  query(): number | null {
    return this.value;
  }
}

// The state machine the runtime e2e specs replicate: a tiny key-value register (set and
// compare-and-set) with a running count and checksum, so a spec can compare whole states across
// tabs with one query.
import type { ApplyContext, StateMachine } from 'meshraft';

export type RegisterCommand =
  | { set: string; value: string }
  /** Compare-and-set: `value` replaces the key's value only when it is `expected` (null: unset). */
  | { cas: string; expected: string | null; value: string }
  | { pad: string };
export type RegisterQuery = { get: string } | { summary: true };
/** What apply returns: the number of commands applied so far, or for a cas whether it swapped. */
export type RegisterResult = number | { swapped: boolean };
export interface RegisterSummary {
  count: number;
  lastIndex: number;
  /** FNV-1a over every applied (index, command): equal summaries mean equal histories. */
  checksum: number;
}

function fnv(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export class Register implements StateMachine<RegisterCommand, RegisterQuery, RegisterResult, string | null | RegisterSummary> {
  private values = new Map<string, string>();
  private count = 0;
  private lastIndex = 0;
  private checksum = 2166136261;

  apply(command: RegisterCommand, ctx: ApplyContext): RegisterResult {
    let result: RegisterResult | null = null;
    if ('set' in command) this.values.set(command.set, command.value);
    if ('cas' in command) {
      const swapped = (this.values.get(command.cas) ?? null) === command.expected;
      if (swapped) this.values.set(command.cas, command.value);
      result = { swapped };
    }
    this.count++;
    this.lastIndex = ctx.index;
    this.checksum = fnv(this.checksum, `${ctx.index}:${JSON.stringify(command)}`);
    return result ?? this.count;
  }

  query(query: RegisterQuery): string | null | RegisterSummary {
    if ('get' in query) return this.values.get(query.get) ?? null;
    return { count: this.count, lastIndex: this.lastIndex, checksum: this.checksum };
  }

  snapshot(): Uint8Array {
    const image = { values: [...this.values], count: this.count, lastIndex: this.lastIndex, checksum: this.checksum };
    return new TextEncoder().encode(JSON.stringify(image));
  }

  restore(bytes: Uint8Array): void {
    const image = JSON.parse(new TextDecoder().decode(bytes));
    this.values = new Map(image.values);
    this.count = image.count;
    this.lastIndex = image.lastIndex;
    this.checksum = image.checksum;
  }
}

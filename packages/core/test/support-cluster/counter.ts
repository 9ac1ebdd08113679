// The Counter state machine of the host tests: apply(n) adds n and returns the new value (what the
// caller's execute() resolves with); every query returns the value.
import type { ApplyContext, ClientTag, StateMachine } from '../../src/types';

export interface AppliedRecord {
  index: number;
  amount: number;
  client?: ClientTag;
}

export class Counter implements StateMachine<number, 'value', number, number> {
  value = 0;
  /** Every command applied, in order (to check indices and exactly-once). */
  readonly applied: AppliedRecord[] = [];
  /** Tests that exercise snapshots install one. */
  restore?: (bytes: Uint8Array) => void | Promise<void>;
  snapshot?: () => Uint8Array;

  constructor(private readonly onApply?: (ctx: ApplyContext) => void) {}

  apply(amount: number, ctx: ApplyContext): number {
    this.value += amount;
    this.applied.push({ index: ctx.index, amount, client: ctx.client });
    this.onApply?.(ctx);
    return this.value;
  }

  query(): number {
    return this.value;
  }
}

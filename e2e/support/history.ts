// The history of a chaos run's client operations, kept on the Node side (the chaos spec's, and the
// consumer chaos check's: consumer/lib/chaos.mjs). Each tab's writer (pages/runtime/writer.ts, or
// the consumer app's src/writer.mjs, which reports the same events) reports a call before it
// issues an operation and a return (or a failure) after, through a binding exposed on the browser
// context. Node stamps both with its own monotonic clock, so every recorded interval contains the
// operation's real one and all tabs share one clock. A call with no return (its tab closed or
// reloaded) or a failure is an unknown outcome.
import { performance } from 'node:perf_hooks';
import type { BrowserContext } from '@playwright/test';
import { checkKvHistory, type HistoryOp, type LinearizabilityVerdict } from '../../packages/sim/src/lin-checker';
import type { HistoryEvent, WriterInput, WriterOutput } from '../pages/runtime/writer';

export interface RecordedOp {
  /** `<client>:<n>`; a writer uses it as the value it writes too. */
  id: string;
  input: WriterInput;
  client: string;
  call: number;
  ret: number | null;
  output: WriterOutput | null;
  error: string | null;
}

export class History {
  private readonly ops = new Map<string, RecordedOp>();

  /** Exposes `window.meshraftHistory` to every page of `context` (present and future). */
  async bind(context: BrowserContext): Promise<void> {
    await context.exposeBinding('meshraftHistory', (_source, event: HistoryEvent) => this.record(event));
  }

  record(event: HistoryEvent): void {
    const now = performance.now();
    if (event.type === 'call') {
      this.ops.set(event.id, { id: event.id, input: event.input, client: event.id.split(':')[0], call: now, ret: null, output: null, error: null });
      return;
    }
    const op = this.ops.get(event.id);
    if (!op) return;
    if (event.type === 'return') {
      op.ret = now;
      op.output = event.output;
    } else {
      op.error = event.error;
    }
  }

  /** The Node clock the history is stamped with (performance.now()). */
  now(): number {
    return performance.now();
  }

  /**
   * Completed, failed and never-answered operations, and the failures' messages by count; only the
   * operations called in [from, to) when given.
   */
  counts(from = -Infinity, to = Infinity): { ops: number; completed: number; failed: number; unanswered: number; errors: Record<string, number> } {
    const all = [...this.ops.values()].filter((op) => op.call >= from && op.call < to);
    const errors: Record<string, number> = {};
    for (const op of all) if (op.error) errors[op.error.split(':')[0]] = (errors[op.error.split(':')[0]] ?? 0) + 1;
    return {
      ops: all.length,
      completed: all.filter((op) => op.ret !== null).length,
      failed: all.filter((op) => op.error !== null).length,
      unanswered: all.filter((op) => op.ret === null && op.error === null).length,
      errors,
    };
  }

  /** Every recorded operation, in the order of their calls. */
  entries(): readonly Readonly<RecordedOp>[] {
    return [...this.ops.values()];
  }

  check(): LinearizabilityVerdict {
    const history: HistoryOp[] = [...this.ops.values()].map((op, id) => ({
      id,
      clientId: op.client,
      input: op.input,
      call: op.call,
      ret: op.ret,
      output: op.ret === null ? null : op.output,
    }));
    return checkKvHistory(history);
  }
}

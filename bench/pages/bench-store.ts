// The benchmark's state machine: a string key-value map. Commands may carry a mark `m`; the time
// each tab applies a marked command is kept, so the benchmark can tell when a write became visible
// in every tab. Its snapshot is a flat byte image (key NUL value NUL ...) restored asynchronously
// in slices, so installing a 10 MB snapshot never blocks the UI thread for long.
import type { ApplyContext, StateMachine } from 'meshraft';

export type BenchCommand = { k: string; v: string; m?: number };
export type BenchQuery = { size: true } | { get: string };

const RESTORE_SLICE_BYTES = 64 * 1024;
const SLICE_MS = 4;

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class BenchStore implements StateMachine<BenchCommand, BenchQuery, number, number | string | null> {
  values = new Map<string, string>();
  /** Mark -> performance.now() when this tab applied it. */
  readonly appliedAt = new Map<number, number>();
  lastIndex = 0;
  restores = 0;
  restoreSlices = 0;

  apply(command: BenchCommand, ctx: ApplyContext): number {
    this.values.set(command.k, command.v);
    this.lastIndex = ctx.index;
    if (command.m !== undefined) {
      this.appliedAt.set(command.m, performance.now());
      performance.mark(`bench-applied-${command.m}`);
    }
    return this.values.size;
  }

  query(query: BenchQuery): number | string | null {
    return 'size' in query ? this.values.size : (this.values.get(query.get) ?? null);
  }

  snapshot(): Uint8Array {
    const parts: string[] = [];
    for (const [k, v] of this.values) parts.push(k, v);
    return new TextEncoder().encode(parts.join('\u0000'));
  }

  async restore(bytes: Uint8Array): Promise<void> {
    const values = new Map<string, string>();
    const decoder = new TextDecoder();
    let carry = '';
    let pendingKey: string | null = null;
    let sliceStart = performance.now();
    for (let offset = 0; offset < bytes.byteLength; offset += RESTORE_SLICE_BYTES) {
      const last = offset + RESTORE_SLICE_BYTES >= bytes.byteLength;
      const text = carry + decoder.decode(bytes.subarray(offset, offset + RESTORE_SLICE_BYTES), { stream: !last });
      const fields = text.split('\u0000');
      carry = last ? '' : fields.pop()!;
      for (const field of fields) {
        if (pendingKey === null) pendingKey = field;
        else {
          values.set(pendingKey, field);
          pendingKey = null;
        }
      }
      if (performance.now() - sliceStart >= SLICE_MS) {
        this.restoreSlices++;
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    this.values = values;
    this.restores++;
  }
}

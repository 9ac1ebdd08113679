// Linearizability checker (Wing & Gong's search with Lowe's list of call/return entries and the
// (linearized-set, state) memoization Porcupine uses), specialised to the per-key KV model.
//
// A history is a set of operations with invocation and response times. It is linearizable when
// every operation can be given a point between its invocation and response such that executing
// them in point order on the sequential model gives the observed outputs (Herlihy & Wing 1990).
// An operation without a response (timed out, outcome unknown) may take effect at any point after
// its invocation or never: it has no return entry, so it never forces a backtrack, and the search
// succeeds once every completed operation is linearized.
import { describeInput, describeOutput, sameOutput, stepRegister, type KvInput, type KvOutput } from './kv-model';

export interface HistoryOp {
  id: number;
  clientId: string;
  input: KvInput;
  /** Invocation time. Ties between a call and a return are treated as concurrent. */
  call: number;
  /** Response time, or null when the outcome is unknown (timed out). */
  ret: number | null;
  /** The observed output, or null when unknown. */
  output: KvOutput | null;
}

export type LinearizabilityVerdict =
  | { status: 'ok'; explored: number }
  | { status: 'violation'; key: string; explored: number; detail: string }
  /** The search exceeded its step budget: no verdict (reported, never counted as a pass silently). */
  | { status: 'gave-up'; key: string; explored: number };

export interface CheckOptions {
  /** Max search steps per key before giving up. */
  maxSteps?: number;
}

interface Entry {
  op: number;
  isCall: boolean;
  /** For a call entry: its return entry (null for unknown outcomes). */
  ret: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/** A sequential model: `step` returns the next state, or undefined when the output is impossible. */
export interface SequentialModel<S, Op> {
  init: S;
  step(state: S, op: Op): S | undefined;
  stateKey(state: S): string;
}

export interface TimedOp {
  call: number;
  ret: number | null;
}

/** Generic search. Returns true (linearizable), false, or null when `maxSteps` ran out. */
export function searchLinearization<S, Op extends TimedOp>(
  ops: Op[],
  model: SequentialModel<S, Op>,
  maxSteps: number,
): { result: boolean | null; explored: number } {
  const head = buildEntryList(ops);
  const words = Math.max(1, Math.ceil(ops.length / 32));
  const linearized = new Uint32Array(words);
  const seen = new Set<string>();
  const stack: Array<{ entry: Entry; state: S }> = [];
  let remaining = ops.filter((op) => op.ret !== null).length;
  let state = model.init;
  let entry = head.next;
  let explored = 0;
  while (remaining > 0) {
    if (++explored > maxSteps) return { result: null, explored };
    if (entry !== null && entry.isCall) {
      const op = ops[entry.op];
      const next = model.step(state, op);
      if (next !== undefined) {
        toggle(linearized, entry.op);
        const key = `${linearized.join(',')}|${model.stateKey(next)}`;
        if (!seen.has(key)) {
          seen.add(key);
          stack.push({ entry, state });
          state = next;
          if (op.ret !== null) remaining--;
          lift(entry);
          entry = head.next;
          continue;
        }
        toggle(linearized, entry.op);
      }
      entry = entry.next;
      continue;
    }
    // A return entry (or the end) of an operation not yet linearized: undo the latest choice.
    const top = stack.pop();
    if (top === undefined) return { result: false, explored };
    state = top.state;
    toggle(linearized, top.entry.op);
    if (ops[top.entry.op].ret !== null) remaining++;
    unlift(top.entry);
    entry = top.entry.next;
  }
  return { result: true, explored };
}

function toggle(bits: Uint32Array, i: number): void {
  bits[i >>> 5] ^= 1 << (i & 31);
}

function buildEntryList(ops: TimedOp[]): Entry {
  const events: Array<{ time: number; entry: Entry }> = [];
  ops.forEach((op, i) => {
    const call: Entry = { op: i, isCall: true, ret: null, prev: null, next: null };
    events.push({ time: op.call, entry: call });
    if (op.ret !== null) {
      call.ret = { op: i, isCall: false, ret: null, prev: null, next: null };
      events.push({ time: op.ret, entry: call.ret });
    }
  });
  // Calls sort before returns at equal times: touching intervals count as concurrent.
  events.sort((a, b) => a.time - b.time || Number(b.entry.isCall) - Number(a.entry.isCall) || a.entry.op - b.entry.op);
  const head: Entry = { op: -1, isCall: false, ret: null, prev: null, next: null };
  let last = head;
  for (const { entry } of events) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  return head;
}

function unlink(e: Entry): void {
  e.prev!.next = e.next;
  if (e.next) e.next.prev = e.prev;
}

function relink(e: Entry): void {
  e.prev!.next = e;
  if (e.next) e.next.prev = e;
}

function lift(call: Entry): void {
  unlink(call);
  if (call.ret) unlink(call.ret);
}

function unlift(call: Entry): void {
  if (call.ret) relink(call.ret);
  relink(call);
}

/** The per-key register model; an unknown output accepts whatever the operation would do. */
const registerModel: SequentialModel<string | null, HistoryOp> = {
  init: null,
  step(state, op) {
    const { next, output } = stepRegister(state, op.input);
    if (op.output !== null && !sameOutput(op.output, output)) return undefined;
    return next;
  },
  stateKey: (state) => (state === null ? '\u0000' : `=${state}`),
};

/**
 * Checks a KV history, partitioned per key (each key is an independent register, so the history
 * is linearizable iff every key's sub-history is). Reads with unknown outcome carry no information
 * and are dropped.
 */
export function checkKvHistory(history: HistoryOp[], options: CheckOptions = {}): LinearizabilityVerdict {
  // Enough for a key with a dozen writes whose outcome is unknown among a few hundred operations
  // (tabs-chaos-three seed 3,100,000,346 needed 2.8 million steps, about 5 s and 200 MB; the
  // earlier budget of 2 million gave up on it though the history is linearizable).
  const maxSteps = options.maxSteps ?? 10_000_000;
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of history) {
    if (op.input.kind === 'get' && op.output === null) continue;
    if ((op.ret === null) !== (op.output === null)) throw new RangeError(`op ${op.id}: ret and output must both be known or both unknown`);
    let list = byKey.get(op.input.key);
    if (!list) byKey.set(op.input.key, (list = []));
    list.push(op);
  }
  let explored = 0;
  for (const key of [...byKey.keys()].sort()) {
    const ops = byKey.get(key)!;
    const { result, explored: n } = searchLinearization(ops, registerModel, maxSteps);
    explored += n;
    if (result === null) return { status: 'gave-up', key, explored };
    if (!result) return { status: 'violation', key, explored, detail: describeHistory(ops) };
  }
  return { status: 'ok', explored };
}

/** A compact listing of a key's operations by invocation time (for failure reports). */
export function describeHistory(ops: HistoryOp[], limit = 40): string {
  const sorted = [...ops].sort((a, b) => a.call - b.call);
  const lines = sorted.slice(-limit).map((op) => {
    const ret = op.ret === null ? 'never' : String(op.ret);
    return `  [${op.call} .. ${ret}] ${op.clientId} ${describeInput(op.input)} -> ${describeOutput(op.output)}`;
  });
  if (sorted.length > limit) lines.unshift(`  ... ${sorted.length - limit} earlier ops`);
  return lines.join('\n');
}

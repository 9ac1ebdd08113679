// The consumer app's second state machine (page query `machine=registers`, used by the chaos
// check): one register per key with put and compare-and-set, plus the value of every command it
// applied, in order. Every value a writer sends is the unique id of its operation, so the applied
// list answers "is this acknowledged write in the state?" and "was anything applied twice?".
// Beside it, where each was applied (`index/term`): when two tabs' lists differ, that tells a lost
// or extra entry (which index, which leader's term) from a snapshot that holds more than its index.
export class Registers {
  values = new Map();
  /** The value of every applied command (a cas that did not swap included), in log order. */
  applied = [];
  /** `index/term` of each entry in `applied`, in step with it. */
  positions = [];

  /** `{ put: key, value }` -> how many commands were applied; `{ cas: key, expected, value }` -> `{ swapped }`. */
  apply(command, ctx) {
    const key = 'cas' in command ? command.cas : command.put;
    const swapped = !('cas' in command) || (this.values.get(key) ?? null) === command.expected;
    if (swapped) this.values.set(key, command.value);
    this.applied.push(command.value);
    this.positions.push(`${ctx.index}/${ctx.term}`);
    return 'cas' in command ? { swapped } : this.applied.length;
  }

  /** `{ get: key }` -> its value (null: never set); 'applied' -> every applied command's value; 'positions' -> where each was applied. */
  query(query) {
    if (query === 'applied') return this.applied;
    if (query === 'positions') return this.positions;
    return this.values.get(query.get) ?? null;
  }

  snapshot() {
    return new TextEncoder().encode(JSON.stringify({ values: [...this.values], applied: this.applied, positions: this.positions }));
  }

  restore(bytes) {
    const image = JSON.parse(new TextDecoder().decode(bytes));
    this.values = new Map(image.values);
    this.applied = image.applied;
    this.positions = image.positions;
  }
}

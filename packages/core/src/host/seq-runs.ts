// The seqs the exactly-once table remembers for one client, as ascending runs of consecutive seqs
// ([first, last] pairs). A client numbers its commands in order and they are applied in that order
// except for the odd retry, so a run almost always just grows at its end: remembering every seq of
// a busy client costs one run, not one entry per command, and a seq left unapplied (an attempt lost
// to a leader change, its retry still to come) stays a gap between two runs however many later
// commands apply meanwhile.

export class SeqRuns {
  /** Flat [first0, last0, first1, last1, ...], ascending and disjoint, never adjacent. */
  private bounds: number[] = [];

  /**
   * Runs from [first, last] pairs in any order (a snapshot's), merged where they overlap or touch,
   * with every seq <= `floor` left out (those count as applied anyway).
   */
  static fromPairs(pairs: readonly (readonly [number, number])[], floor = -Infinity): SeqRuns {
    const runs = new SeqRuns();
    const sorted = pairs
      .map(([first, last]) => [Math.max(first, floor + 1), last] as const)
      .filter(([first, last]) => Number.isSafeInteger(first) && Number.isSafeInteger(last) && first <= last)
      .sort((a, b) => a[0] - b[0]);
    const b = runs.bounds;
    for (const [first, last] of sorted) {
      if (b.length > 0 && first <= b[b.length - 1] + 1) b[b.length - 1] = Math.max(b[b.length - 1], last);
      else b.push(first, last);
    }
    return runs;
  }

  /** How many runs there are. */
  get count(): number {
    return this.bounds.length / 2;
  }

  has(seq: number): boolean {
    const i = this.runAtOrBefore(seq);
    return i >= 0 && seq <= this.bounds[2 * i + 1];
  }

  /** Adds `seq`, which the caller knows is not here yet. */
  add(seq: number): void {
    const b = this.bounds;
    const n = b.length;
    // The usual case: the next seq of the last run, or a new run after it.
    if (n === 0 || seq > b[n - 1]) {
      if (n > 0 && seq === b[n - 1] + 1) b[n - 1] = seq;
      else b.push(seq, seq);
      return;
    }
    const i = this.runAtOrBefore(seq); // the run before seq's place (-1: none)
    const joinsBefore = i >= 0 && b[2 * i + 1] === seq - 1;
    const joinsAfter = 2 * (i + 1) < n && b[2 * (i + 1)] === seq + 1;
    if (joinsBefore && joinsAfter) {
      b[2 * i + 1] = b[2 * (i + 1) + 1];
      b.splice(2 * (i + 1), 2);
    } else if (joinsBefore) b[2 * i + 1] = seq;
    else if (joinsAfter) b[2 * (i + 1)] = seq;
    else b.splice(2 * (i + 1), 0, seq, seq);
  }

  /** Removes the first run and returns its last seq; there must be one. */
  takeFirst(): number {
    const last = this.bounds[1];
    this.bounds.splice(0, 2);
    return last;
  }

  /** The runs as flat [first, last, ...] pairs (a copy). */
  pairs(): number[] {
    return [...this.bounds];
  }

  /** Index of the last run whose first seq is <= seq, or -1. */
  private runAtOrBefore(seq: number): number {
    const b = this.bounds;
    let low = 0;
    let high = b.length / 2;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (b[2 * mid] <= seq) low = mid + 1;
      else high = mid;
    }
    return low - 1;
  }
}

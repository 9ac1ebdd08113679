// Virtual time: a min-heap of events ordered by (time, insertion sequence). The sequence number
// breaks ties, so two runs of one seed execute events in exactly the same order.

interface Event {
  time: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  private heap: Event[] = [];
  private seq = 0;
  now = 0;
  /** Events executed so far (a logical clock that strictly increases with every step). */
  steps = 0;

  at(time: number, run: () => void): void {
    const event = { time: Math.max(time, this.now), seq: this.seq++, run };
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  after(delay: number, run: () => void): void {
    this.at(this.now + delay, run);
  }

  get size(): number {
    return this.heap.length;
  }

  /** Runs the next event; false when none is left or the next one is later than `until`. */
  step(until: number): boolean {
    const heap = this.heap;
    if (heap.length === 0 || heap[0].time > until) return false;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    this.now = top.time;
    this.steps++;
    top.run();
    return true;
  }
}

function before(a: Event, b: Event): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

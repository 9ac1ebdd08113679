// A binary min-heap kept in a plain array and ordered by a numeric key: the DeadlineQueue finds the
// next deadline with it. O(log n) per push and pop instead of a scan.

/** Adds `value` to `heap`. */
export function heapPush<T>(heap: T[], value: T, key: (item: T) => number): void {
  const k = key(value);
  let i = heap.push(value) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (key(heap[parent]) <= k) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = value;
}

/** Removes and returns the item with the smallest key; `heap` must not be empty. */
export function heapPopMin<T>(heap: T[], key: (item: T) => number): T {
  const min = heap[0];
  const last = heap.pop()!;
  if (heap.length > 0) {
    const k = key(last);
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const child = left + 1 < heap.length && key(heap[left + 1]) < key(heap[left]) ? left + 1 : left;
      if (key(heap[child]) >= k) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
  }
  return min;
}

// The seqs the exactly-once table remembers for one client, in ascending order. A client's commands
// are applied in the order it numbered them, except for the odd retry, so a new seq almost always
// goes at the end and the one to forget is at the front: both O(1), where a heap paid O(log n) on
// every forget (one per applied command once the window is full).

export class AscendingSeqs {
  private items: number[] = [];
  /** items[0 .. head) were taken; the live seqs are items[head ..], ascending. */
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  /** Adds `seq`, which the caller knows is not already here. */
  add(seq: number): void {
    const items = this.items;
    if (items.length === this.head || seq > items[items.length - 1]) {
      items.push(seq);
      return;
    }
    // Out of order (a retry applied late): binary search for its place.
    let low = this.head;
    let high = items.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (items[mid] < seq) low = mid + 1;
      else high = mid;
    }
    items.splice(low, 0, seq);
  }

  /** Removes and returns the smallest seq; there must be one. */
  takeSmallest(): number {
    const seq = this.items[this.head++];
    // Drop the taken prefix once it is most of the array, so memory stays bounded by the live size.
    if (this.head >= 64 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return seq;
  }

  /** The live seqs, ascending (a copy). */
  values(): number[] {
    return this.items.slice(this.head);
  }
}

// The consumer app's state machine: a running total of `{ add }` commands, shared by the browser
// page (src/main.js) and the Node peer (node/peer.mjs).
export class Counter {
  total = 0;
  applied = 0;
  lastIndex = 0;

  apply(command, ctx) {
    this.total += command.add;
    this.applied++;
    this.lastIndex = ctx.index;
    return this.total;
  }

  /** 'total' -> the running total; anything else -> a summary to compare peers with. */
  query(query) {
    if (query === 'total') return this.total;
    return { total: this.total, applied: this.applied, lastIndex: this.lastIndex };
  }
}

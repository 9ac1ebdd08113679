// The run's trace: a rolling FNV-1a hash over every step (two runs of one seed must produce the
// same hash) and a ring of the latest lines for failure reports. Lines are only formatted into
// strings when printed, except in verbose mode where every line is echoed.

export interface TraceLine {
  time: number;
  peer: string;
  what: string;
}

export class Trace {
  private hash = 0x811c9dc5;
  private ring: TraceLine[] = [];
  private next = 0;
  lines = 0;

  constructor(
    private readonly capacity = 60,
    private readonly echo: ((line: string) => void) | null = null,
  ) {}

  record(time: number, peer: string, what: string): void {
    this.lines++;
    this.mix(time);
    this.mixString(peer);
    this.mixString(what);
    const line = { time, peer, what };
    if (this.ring.length < this.capacity) this.ring.push(line);
    else this.ring[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    if (this.echo) this.echo(formatLine(line));
  }

  /** Hex digest of everything recorded so far. */
  digest(): string {
    return (this.hash >>> 0).toString(16).padStart(8, '0') + '/' + this.lines;
  }

  tail(n = 30): string[] {
    const ordered = this.ring.length < this.capacity ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.slice(-n).map(formatLine);
  }

  private mix(n: number): void {
    let h = this.hash ^ (n | 0);
    h = Math.imul(h, 0x01000193);
    this.hash = (h ^ ((n * 1000) | 0)) >>> 0;
  }

  private mixString(s: string): void {
    let h = this.hash;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    this.hash = h >>> 0;
  }
}

export function formatLine(line: TraceLine): string {
  return `${line.time.toFixed(1).padStart(9)}ms ${line.peer.padEnd(4)} ${line.what}`;
}

// An in-memory stand-in for navigator.locks shared by several "tabs": exclusive and shared modes,
// requests granted in order (shared ones at the head of the queue together), ifAvailable, abort
// signals, the spec's refusal of names starting with '-', and crash(tab), which frees every lock a
// tab held, as the browser does when a tab dies.
import type { LockManagerLike } from '../../src/identity';

type Mode = 'exclusive' | 'shared';
interface Request {
  tab: string;
  name: string;
  mode: Mode;
  run(): void;
}

export class MemoryLocks {
  private readonly held: Array<{ tab: string; name: string; mode: Mode }> = [];
  private queue: Request[] = [];
  private readonly crashed = new Set<string>();

  /** The lock manager one tab sees. */
  forTab(tab: string): LockManagerLike {
    return {
      request: (name, options, callback) => this.request(tab, name, options, callback),
      query: async () => ({ held: this.held.map(({ name }) => ({ name })) }),
    };
  }

  /** Names of the locks `tab` holds now. */
  heldBy(tab: string): string[] {
    return this.held.filter((h) => h.tab === tab).map((h) => h.name);
  }

  /** Requests waiting, by tab and name. */
  pending(): string[] {
    return this.queue.map((r) => `${r.tab}:${r.name}`);
  }

  /** The tab dies: its locks are freed and its waiting requests dropped; its callbacks never finish. */
  crash(tab: string): void {
    this.crashed.add(tab);
    for (let i = this.held.length - 1; i >= 0; i--) if (this.held[i].tab === tab) this.held.splice(i, 1);
    this.queue = this.queue.filter((r) => r.tab !== tab);
    this.pump();
  }

  private request(
    tab: string,
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal; mode?: Mode },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.crashed.has(tab)) return; // a dead tab's calls never return
      const mode = options.mode ?? 'exclusive';
      // As the Web Locks spec says: names starting with '-' are reserved, and the request is refused.
      if (name.startsWith('-')) return reject(new DOMException(`lock names cannot start with '-': ${name}`, 'NotSupportedError'));
      if (options.signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
      const request: Request = {
        tab,
        name,
        mode,
        run: () => {
          const entry = { tab, name, mode };
          this.held.push(entry);
          callback({ name, mode }).then(
            (value) => {
              this.release(entry);
              resolve(value);
            },
            (error: unknown) => {
              this.release(entry);
              reject(error);
            },
          );
        },
      };
      const waiting = this.queue.some((r) => r.name === name);
      if (!waiting && this.grantable(name, mode)) return request.run();
      if (options.ifAvailable) {
        callback(null).then(resolve, reject);
        return;
      }
      this.queue.push(request);
      options.signal?.addEventListener('abort', () => {
        if (!this.queue.includes(request)) return;
        this.queue = this.queue.filter((r) => r !== request);
        reject(new DOMException('aborted', 'AbortError'));
        this.pump();
      });
    });
  }

  private grantable(name: string, mode: Mode): boolean {
    const holders = this.held.filter((h) => h.name === name);
    return holders.length === 0 || (mode === 'shared' && holders.every((h) => h.mode === 'shared'));
  }

  private release(entry: { tab: string; name: string; mode: Mode }): void {
    const i = this.held.indexOf(entry);
    if (i >= 0) this.held.splice(i, 1);
    this.pump();
  }

  /** Grant, per name, the head of the queue while it can be granted. */
  private pump(): void {
    for (;;) {
      const next = this.queue.find((r, i) => this.queue.findIndex((q) => q.name === r.name) === i && this.grantable(r.name, r.mode));
      if (!next) return;
      this.queue = this.queue.filter((r) => r !== next);
      next.run();
    }
  }
}

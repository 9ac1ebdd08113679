// A framework-free external store for one query (TanStack Query style): it runs the query, re-runs
// it whenever the group's applied index moves, and exposes an immutable snapshot per result.
// @meshraft/react's useQuery is a thin useSyncExternalStore binding over it; other UI frameworks can
// bind it the same way (subscribe + getSnapshot).
import type { Consistency, Group } from '../group';

export interface QueryState<QR> {
  /** The latest result, or undefined before the first answer. */
  data: QR | undefined;
  /** Applied index the data was read at (-1 before the first answer). */
  position: number;
  /** The last run's failure (data keeps the last good answer); cleared by the next success. */
  error: Error | null;
  /**
   * True while a strong run is in flight. Weak runs answer within a microtask, so they never
   * publish `fetching` (that would cost a second render per applied entry for nothing).
   */
  fetching: boolean;
}

const initialState: QueryState<never> = { data: undefined, position: -1, error: null, fetching: false };

export class QueryObserver<Q, QR> {
  private state: QueryState<QR> = initialState;
  private listeners = new Set<() => void>();
  private unsubscribeGroup: (() => void) | null = null;
  private inFlight = false;
  /** Applied index the last run started at; a newer applied index schedules another run. */
  private lastRunApplied = -1;
  /** The last run failed: run again at the next group notification even if applied did not move. */
  private failed = false;

  constructor(
    private readonly group: Group<unknown, Q, QR>,
    private readonly queryValue: Q,
    private readonly consistency: Consistency,
  ) {}

  getSnapshot = (): QueryState<QR> => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  };

  private start(): void {
    this.unsubscribeGroup = this.group.subscribe(() => this.maybeRun());
    this.maybeRun();
  }

  private stop(): void {
    this.unsubscribeGroup?.();
    this.unsubscribeGroup = null;
  }

  /** One query in flight at a time; a run that finds applied moved on schedules one more. */
  private maybeRun(): void {
    if (this.inFlight || !this.unsubscribeGroup) return;
    const { applied, closed } = this.group.status;
    if (closed || (applied === this.lastRunApplied && !this.failed)) return;
    this.lastRunApplied = applied;
    this.failed = false;
    this.inFlight = true;
    if (this.consistency === 'strong' && !this.state.fetching) this.setState({ ...this.state, fetching: true });
    let answer: Promise<{ result: QR; position: number }>;
    try {
      answer = this.group.query(this.queryValue, this.consistency);
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      ({ result, position }) => this.finish({ data: result, position, error: null, fetching: false }),
      (error: unknown) => {
        // Retried at the next status change (e.g. back online), not at once: no busy loop.
        this.failed = true;
        this.finish({ ...this.state, error: toError(error), fetching: false });
      },
    );
  }

  private finish(next: QueryState<QR>): void {
    this.inFlight = false;
    // An older answer never overwrites a newer one.
    if (next.error === null && next.position < this.state.position) next = { ...this.state, fetching: false };
    this.setState(next);
    if (!this.failed) this.maybeRun();
  }

  private setState(next: QueryState<QR>): void {
    const previous = this.state;
    if (
      previous.data === next.data &&
      previous.position === next.position &&
      previous.error === next.error &&
      previous.fetching === next.fetching
    ) {
      return; // nothing a reader can see changed: keep the snapshot, wake nobody
    }
    this.state = next;
    for (const listener of [...this.listeners]) listener();
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

// Waiting helpers for tests on real timers. They wait on signals (subscribe / when.*) with generous
// limits and never assert how long anything took.
import type { Group, GroupStatus } from '../../src/group';

/** Flush pending microtasks (in-process ports deliver through queueMicrotask). */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reject with a clear message if `promise` does not settle within `ms` (a hang guard, not a timing assertion). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error) => (clearTimeout(timer), reject(error)),
    );
  });
}

/** Resolve once `predicate(group.status)` holds. */
export function statusWhere(group: Group, predicate: (s: GroupStatus) => boolean, ms = 15_000, what = 'status'): Promise<GroupStatus> {
  return within(
    new Promise<GroupStatus>((resolve) => {
      if (predicate(group.status)) return resolve(group.status);
      const off = group.subscribe(() => {
        if (predicate(group.status)) {
          off();
          resolve(group.status);
        }
      });
    }),
    ms,
    what,
  );
}

/** Poll `check` until it returns a non-undefined value. */
export async function eventually<T>(check: () => T | undefined, ms = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

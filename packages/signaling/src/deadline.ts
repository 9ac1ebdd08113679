// Bounded waits on Redis: while Redis is down, node-redis holds commands in its offline queue
// instead of failing them, so an unbounded await could hang a join until Redis came back.

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function settleWithin<T>(work: Promise<T>, ms: number, what: string): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  work.catch(() => {}); // work that loses the race may still reject later
  try {
    return { ok: true, value: await Promise.race([work, deadline]) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

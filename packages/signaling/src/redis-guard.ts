// @socket.io/redis-adapter fires Redis commands without awaiting them (every broadcast's PUBLISH,
// its (un)subscribes). When Redis goes away, those promises reject: "socket ended", EPIPE,
// "Disconnects client". Unhandled rejections crash Node by default, so one Redis restart could take
// the whole signaling process down. This wrapper attaches a handler to each such promise and
// reports the failures, throttled. The promise itself is returned unchanged, so a caller that
// awaits it still sees the error.

/** Commands the adapter issues and then forgets. */
const FIRE_AND_FORGET = new Set<PropertyKey>(['publish', 'subscribe', 'pSubscribe', 'unsubscribe', 'pUnsubscribe']);
const WARN_EVERY_MS = 5000;

export type RedisCommandFailure = (error: unknown, suppressed: number) => void;

/** Returns a throttled reporter: the first failure, then at most one per WARN_EVERY_MS with a count. */
export function throttledFailureReporter(report: RedisCommandFailure, now: () => number = Date.now): (error: unknown) => void {
  let lastReportMs = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (error) => {
    const at = now();
    if (at - lastReportMs < WARN_EVERY_MS) {
      suppressed += 1;
      return;
    }
    lastReportMs = at;
    report(error, suppressed);
    suppressed = 0;
  };
}

export function guardFireAndForget<T extends object>(client: T, onFailure: (error: unknown) => void): T {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!FIRE_AND_FORGET.has(property)) return value.bind(target);
      return (...args: unknown[]): unknown => {
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) result.catch(onFailure);
        return result;
      };
    },
  });
}

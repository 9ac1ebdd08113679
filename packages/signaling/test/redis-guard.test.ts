// The adapter's fire-and-forget Redis commands must never become unhandled rejections.
import { describe, expect, it } from 'vitest';
import { guardFireAndForget, throttledFailureReporter } from '../src/redis-guard';

class FakeClient {
  isOpen = true;
  published: string[] = [];
  publish(channel: string): Promise<number> {
    this.published.push(channel);
    return Promise.reject(new Error('This socket has been ended by the other party'));
  }
  pSubscribe(): Promise<void> {
    return Promise.reject(new Error('Disconnects client'));
  }
  get(key: string): Promise<string> {
    return Promise.resolve(`value of ${key}`);
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('guardFireAndForget', () => {
  it('handles rejections of fire-and-forget commands and keeps everything else intact', async () => {
    const client = new FakeClient();
    const failures: unknown[] = [];
    const guarded = guardFireAndForget(client, (error) => failures.push(error));

    void guarded.publish('a'); // not awaited, as the adapter does: must not be an unhandled rejection
    void guarded.pSubscribe();
    await tick();
    expect(failures).toHaveLength(2);
    expect(client.published).toEqual(['a']); // called on the real client

    await expect(guarded.publish('b')).rejects.toThrow('ended by the other party'); // awaiters still see it
    expect(await guarded.get('k')).toBe('value of k'); // other commands pass through unchanged
    expect(guarded.isOpen).toBe(true);
    expect(typeof guarded.pSubscribe).toBe('function'); // the adapter probes this for redis v4
  });
});

describe('throttledFailureReporter', () => {
  it('reports the first failure, then one per window with the suppressed count', () => {
    const clock = { now: 0 };
    const reports: number[] = [];
    const report = throttledFailureReporter((_error, suppressed) => reports.push(suppressed), () => clock.now);
    for (let i = 0; i < 10; i++) report(new Error('x'));
    expect(reports).toEqual([0]);
    clock.now = 5000;
    report(new Error('x'));
    expect(reports).toEqual([0, 9]);
  });
});

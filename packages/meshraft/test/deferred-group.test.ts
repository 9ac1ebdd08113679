import { describe, expect, it, vi } from 'vitest';
import { ClosedError, InvalidInputError, OfflineError, type Group } from '@meshraft/core';
import { DeferredGroup, startingStatus } from '../src/runtime/deferred-group';

function fakeGroup(): Group<string, string, string, number> & { emit(): void } {
  const listeners = new Set<() => void>();
  const status = { ...startingStatus('a'), online: true, leader: 'a' };
  return {
    peerId: 'a',
    status,
    when: { online: async () => {}, leaderChanged: async () => 'a', committed: async () => {} },
    execute: async () => ({ index: 7, result: 70 }),
    executeMany: async (cmds) => ({ start: 1, end: cmds.length, results: cmds.map((_, i) => i) }),
    query: async (q) => ({ result: `r:${q}`, position: 3 }),
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    transferLeadership: async () => {},
    close: vi.fn(async () => {}),
    emit: () => listeners.forEach((l) => l()),
  };
}

describe('DeferredGroup', () => {
  it('answers status at once and forwards operations issued before start', async () => {
    const group = new DeferredGroup<string, string, string, number>('', async () => {});
    expect(group.status.online).toBe(false);
    const listener = vi.fn();
    group.subscribe(listener);
    group.setPeerId('a');
    expect(group.peerId).toBe('a');
    const pending = group.execute('inc');
    const inner = fakeGroup();
    group.attach(inner);
    // The inner group's answer (index and apply's result) passes through unchanged.
    expect(await pending).toEqual({ index: 7, result: 70 });
    expect(await group.executeMany(['p', 'q'])).toEqual({ start: 1, end: 2, results: [0, 1] });
    expect(await group.query('x', 'strong')).toEqual({ result: 'r:x', position: 3 });
    expect(group.status.online).toBe(true);
    const calls = listener.mock.calls.length;
    inner.emit();
    expect(listener.mock.calls.length).toBe(calls + 1);
  });

  it('rejects with OfflineError carrying the commands when startup fails', async () => {
    const group = new DeferredGroup<string, string, string>('a', async () => {});
    const pending = group.executeMany(['a', 'b']);
    group.fail(new Error('signaling unreachable'));
    const error = await pending.catch((e) => e);
    expect(error).toBeInstanceOf(OfflineError);
    expect(error.unexecuted).toEqual({ kind: 'commands', commands: ['a', 'b'] });
    const queryError = await group.query('q').catch((e) => e);
    expect(queryError.unexecuted).toEqual({ kind: 'query', query: 'q' });
    await expect(group.when.online()).rejects.toBeInstanceOf(OfflineError);
  });

  it('close during startup rejects waiting operations with ClosedError and runs shutdown once', async () => {
    const shutdown = vi.fn(async () => {});
    const group = new DeferredGroup<string, string, string>('a', shutdown);
    const pending = group.execute('x');
    await group.close();
    await group.close();
    const error = await pending.catch((e) => e);
    expect(error).toBeInstanceOf(ClosedError);
    expect(error.unexecuted).toEqual({ kind: 'commands', commands: ['x'] });
    expect(group.status.closed).toBe(true);
    expect(shutdown).toHaveBeenCalledTimes(1);
  });

  it("an operation issued during start-up waits no longer than its timeoutMs (OfflineError), and the inner group gets what is left of it", async () => {
    vi.useFakeTimers();
    try {
      const group = new DeferredGroup<string, string, string, number>('a', async () => {});
      const late = group.executeMany(['a', 'b'], { timeoutMs: 500 }).catch((e: unknown) => e);
      const query = group.query('q', 'strong', { timeoutMs: 500 }).catch((e: unknown) => e);
      const patient = group.execute('c', { timeoutMs: 2000 });
      const unbounded = group.execute('d');
      await vi.advanceTimersByTimeAsync(500);
      const error = (await late) as OfflineError;
      expect(error).toBeInstanceOf(OfflineError);
      expect(error.message).toMatch(/did not start within 500 ms/);
      expect(error.unexecuted).toEqual({ kind: 'commands', commands: ['a', 'b'] });
      expect(((await query) as OfflineError).unexecuted).toEqual({ kind: 'query', query: 'q' });
      await vi.advanceTimersByTimeAsync(300);
      const inner = fakeGroup();
      const execute = vi.spyOn(inner, 'execute');
      group.attach(inner);
      await expect(patient).resolves.toEqual({ index: 7, result: 70 });
      await expect(unbounded).resolves.toEqual({ index: 7, result: 70 });
      const calls = execute.mock.calls.map(([command, options]) => [command, options?.timeoutMs]);
      expect(calls.sort()).toEqual([
        ['c', 1200],
        ['d', undefined],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('close after start closes the inner group', async () => {
    const group = new DeferredGroup<string, string, string>('a', async () => {});
    const inner = fakeGroup();
    group.attach(inner);
    await group.close();
    expect(inner.close).toHaveBeenCalledTimes(1);
  });
});

describe('DeferredGroup subscribe() listeners', () => {
  it('a throwing listener is reported and neither stops the other listeners nor throws into the runtime', () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const group = new DeferredGroup<string, string, string, number>('', async () => {});
      const bug = new TypeError("Cannot read properties of null (reading 'length')");
      const calls: string[] = [];
      group.subscribe(() => {
        throw bug;
      });
      group.subscribe(() => calls.push('second'));
      // setPeerId, setPeerViews and attach all notify from inside the runtime's start-up.
      expect(() => group.setPeerId('a')).not.toThrow();
      expect(() => group.setPeerViews({})).not.toThrow();
      const inner = fakeGroup();
      expect(() => group.attach(inner)).not.toThrow();
      expect(() => inner.emit()).not.toThrow();
      expect(calls).toEqual(['second', 'second', 'second', 'second']);
      // The app still sees its bug.
      expect(reported).toHaveBeenCalledTimes(4);
      expect(reported.mock.calls[0]).toContain(bug);
    } finally {
      reported.mockRestore();
    }
  });

  it('a throwing listener does not make close() reject', async () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const shutdown = vi.fn(async () => {});
      const group = new DeferredGroup<string, string, string, number>('a', shutdown);
      group.attach(fakeGroup());
      group.subscribe(() => {
        throw new Error('app bug');
      });
      await expect(group.close()).resolves.toBeUndefined();
      expect(shutdown).toHaveBeenCalledTimes(1);
    } finally {
      reported.mockRestore();
    }
  });
});

describe('DeferredGroup.close()', () => {
  it('a second close() resolves only once the first one has finished shutting down', async () => {
    let finishShutdown!: () => void;
    const shutdownDone = new Promise<void>((resolve) => (finishShutdown = resolve));
    let stopped = false;
    const shutdown = vi.fn(async () => {
      await shutdownDone; // the engine stops, the mesh leaves, the Web Lock is released...
      stopped = true;
    });
    const group = new DeferredGroup<string, string, string, number>('a', shutdown);
    const inner = fakeGroup();
    group.attach(inner);
    const first = group.close();
    let secondDone = false;
    const second = group.close().then(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(secondDone).toBe(false);
    finishShutdown();
    await Promise.all([first, second]);
    expect(stopped).toBe(true);
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(inner.close).toHaveBeenCalledTimes(1);
  });

  it('a close() after a rejected close() rejects the same way', async () => {
    const group = new DeferredGroup<string, string, string, number>('a', async () => {});
    const inner = fakeGroup();
    inner.close = vi.fn(async () => {
      throw new Error('engine gone');
    });
    group.attach(inner);
    await expect(group.close()).rejects.toThrow('engine gone');
    await expect(group.close()).rejects.toThrow('engine gone');
    expect(inner.close).toHaveBeenCalledTimes(1);
  });

  it('leaves no timer behind once the inner group has closed', async () => {
    vi.useFakeTimers();
    try {
      const group = new DeferredGroup<string, string, string, number>('a', async () => {});
      group.attach(fakeGroup());
      await group.close();
      // Node: a pending 5 s timer would keep the process alive after close().
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('still stops when the inner group never confirms its close', async () => {
    vi.useFakeTimers();
    try {
      const shutdown = vi.fn(async () => {});
      const group = new DeferredGroup<string, string, string, number>('a', shutdown);
      const inner = fakeGroup();
      inner.close = vi.fn(() => new Promise<void>(() => {})); // a dead Worker never answers
      group.attach(inner);
      const closing = group.close();
      await vi.advanceTimersByTimeAsync(5000);
      await closing;
      expect(shutdown).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('DeferredGroup input validation', () => {
  /** The outcome if the promise settles within a few ticks, else 'pending'. */
  async function settledSoon(promise: Promise<unknown>): Promise<unknown> {
    const pending = new Promise((resolve) => setTimeout(() => resolve('pending'), 20));
    return Promise.race([promise.then(() => 'resolved', (error: unknown) => error), pending]);
  }

  for (const input of [null, undefined, 5, 'ab', { length: 1 }, []]) {
    it(`executeMany(${JSON.stringify(input) ?? 'undefined'}) rejects at once with InvalidInputError, before start-up`, async () => {
      const group = new DeferredGroup<unknown, unknown, unknown>('a', async () => {});
      const error = await settledSoon(group.executeMany(input as never));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toBe('executeMany needs a non-empty array of commands');
    });
  }

  it('query() with an unknown consistency rejects at once with InvalidInputError, before start-up', async () => {
    const group = new DeferredGroup<string, string, string>('a', async () => {});
    const error = await settledSoon(group.query('q', 'linearizable' as never));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe("consistency must be 'strong' or 'weak', got linearizable");
  });

  it('executeMany copies the commands it was given before start-up: the group executes, and a failure lists, what was asked then', async () => {
    const started = new DeferredGroup<string, string, string, number>('a', async () => {});
    const asked = ['a', 'b'];
    const executed = started.executeMany(asked);
    asked[0] = 'changed';
    asked.push('c');
    const inner = fakeGroup();
    const executeMany = vi.spyOn(inner, 'executeMany');
    started.attach(inner);
    await executed;
    expect(executeMany.mock.calls.map(([commands]) => commands)).toEqual([['a', 'b']]);

    const failed = new DeferredGroup<string, string, string, number>('a', async () => {});
    const commands = ['a', 'b'];
    const pending = failed.executeMany(commands);
    commands.push('c');
    failed.fail(new Error('signaling unreachable'));
    const error = await pending.catch((e) => e);
    expect(error.unexecuted).toEqual({ kind: 'commands', commands: ['a', 'b'] });
  });
});

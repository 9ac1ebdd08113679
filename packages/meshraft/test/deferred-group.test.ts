import { describe, expect, it, vi } from 'vitest';
import { ClosedError, OfflineError, type Group } from '@meshraft/core';
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

  it('close after start closes the inner group', async () => {
    const group = new DeferredGroup<string, string, string>('a', async () => {});
    const inner = fakeGroup();
    group.attach(inner);
    await group.close();
    expect(inner.close).toHaveBeenCalledTimes(1);
  });
});

// ExecuteTracker, the framework-free store behind useExecute: what is pending, what failed (only the
// commands a typed error says were not executed), what the last success answered, retry and reset.
import { describe, expect, it } from 'vitest';
import { ExecuteTracker, type ExecuteState } from '../src/observers/execute-tracker';
import { OfflineError, TimeoutError } from '../src/errors';
import { flushMicrotasks } from './support-cluster/wait';
import { ScriptedGroup } from './support/scripted-group';

type Cmd = string;

function setup() {
  const group = new ScriptedGroup<Cmd, unknown, unknown, number>();
  const tracker = new ExecuteTracker<Cmd, number>();
  const states: ExecuteState<Cmd, number>[] = [];
  tracker.subscribe(() => states.push(tracker.getSnapshot()));
  return { group, tracker, states };
}

describe('ExecuteTracker', () => {
  it('shows concurrent calls as pending in call order, then the last success with its results', async () => {
    const { group, tracker } = setup();
    const one = tracker.track(['a'], () => group.execute('a'));
    const many = tracker.track(['b', 'c'], () => group.executeMany(['b', 'c']));
    expect(tracker.getSnapshot()).toMatchObject({ pending: 2, pendingCommands: ['a', 'b', 'c'], error: null, failed: null, lastResult: null });

    group.calls[1].resolve({ start: 5, end: 6, results: [20, 30] });
    await expect(many).resolves.toEqual({ start: 5, end: 6, results: [20, 30] });
    expect(tracker.getSnapshot()).toMatchObject({ pending: 1, pendingCommands: ['a'] });
    expect(tracker.getSnapshot().lastResult).toEqual({ commands: ['b', 'c'], start: 5, end: 6, results: [20, 30] });

    group.calls[0].resolve({ start: 7, end: 7, results: [10] });
    await expect(one).resolves.toEqual({ index: 7, result: 10 });
    // execute's answer takes the same shape as executeMany's.
    expect(tracker.getSnapshot()).toMatchObject({ pending: 0, pendingCommands: [] });
    expect(tracker.getSnapshot().lastResult).toEqual({ commands: ['a'], start: 7, end: 7, results: [10] });
    expect(Object.isFrozen(tracker.getSnapshot())).toBe(true);
  });

  it('a typed error lists only the unexecuted commands as failed; any other error fails the whole call', async () => {
    const { group, tracker } = setup();
    const partly = tracker.track(['a', 'b', 'c'], () => group.executeMany(['a', 'b', 'c']));
    const timeout = new TimeoutError<Cmd>('no answer', { kind: 'commands', commands: ['c'] });
    group.calls[0].reject(timeout);
    await expect(partly).rejects.toBe(timeout);
    expect(tracker.getSnapshot()).toMatchObject({ pending: 0, error: timeout, failed: ['c'] });

    const broken = tracker.track(['d'], () => group.execute('d'));
    await flushMicrotasks();
    group.calls[1].reject('not an Error');
    await expect(broken).rejects.toThrow('not an Error');
    expect(tracker.getSnapshot().failed).toEqual(['c', 'd']);
    expect(tracker.getSnapshot().error).toBeInstanceOf(Error);
  });

  it("an error from another copy of @meshraft/core (instanceof fails) still lists only its unexecuted commands, so retry() never re-sends executed ones", async () => {
    // A query string makes Vite load the module a second time: what another copy of core is.
    const anotherCopy = '../src/errors.ts?another-copy';
    const otherCopy = (await import(/* @vite-ignore */ anotherCopy)) as typeof import('../src/errors');
    const { group, tracker } = setup();
    const partly = tracker.track(['a', 'b', 'c'], () => group.executeMany(['a', 'b', 'c']));
    const offline = new otherCopy.OfflineError<Cmd>('no leader', { kind: 'commands', commands: ['c'] });
    expect(offline).not.toBeInstanceOf(OfflineError);
    group.calls[0].reject(offline);
    await expect(partly).rejects.toBe(offline);
    expect(tracker.getSnapshot().failed).toEqual(['c']);
    // An app error that merely has the same field is not taken for one.
    const lookalike = Object.assign(new Error('app'), { unexecuted: { kind: 'commands', commands: [] } });
    const other = tracker.track(['d'], () => group.execute('d'));
    await flushMicrotasks();
    group.calls[1].reject(lookalike);
    await expect(other).rejects.toBe(lookalike);
    expect(tracker.getSnapshot().failed).toEqual(['c', 'd']);
  });

  it('retry executes every failed command in one batch; with nothing failed it returns null', async () => {
    const { group, tracker } = setup();
    expect(tracker.retry(group)).toBeNull();
    const first = tracker.track(['a'], () => group.execute('a'));
    await flushMicrotasks();
    group.calls[0].reject(new OfflineError<Cmd>('offline', { kind: 'commands', commands: ['a'] }));
    await expect(first).rejects.toBeInstanceOf(OfflineError);
    const second = tracker.track(['b'], () => group.execute('b'));
    await flushMicrotasks();
    group.calls[1].reject(new OfflineError<Cmd>('offline', { kind: 'commands', commands: ['b'] }));
    await expect(second).rejects.toBeInstanceOf(OfflineError);

    const retried = tracker.retry(group)!;
    // Error and failures are cleared as the retry starts; its commands are pending.
    expect(tracker.getSnapshot()).toMatchObject({ error: null, failed: null, pending: 1, pendingCommands: ['a', 'b'] });
    expect(group.calls[2].commands).toEqual(['a', 'b']);
    group.calls[2].resolve({ start: 3, end: 4, results: [1, 2] });
    await expect(retried).resolves.toEqual({ start: 3, end: 4, results: [1, 2] });
    expect(tracker.getSnapshot().lastResult).toEqual({ commands: ['a', 'b'], start: 3, end: 4, results: [1, 2] });
  });

  it('reset drops error and failures but keeps the last success; a reset with nothing to clear publishes nothing', async () => {
    const { group, tracker, states } = setup();
    const ok = tracker.track(['a'], () => group.execute('a'));
    group.calls[0].resolve({ start: 1, end: 1, results: [1] });
    await ok;
    const bad = tracker.track(['b'], () => group.execute('b'));
    await flushMicrotasks();
    group.calls[1].reject(new OfflineError<Cmd>('offline', { kind: 'commands', commands: ['b'] }));
    await expect(bad).rejects.toBeInstanceOf(OfflineError);

    tracker.reset();
    expect(tracker.getSnapshot()).toMatchObject({ error: null, failed: null, pending: 0 });
    expect(tracker.getSnapshot().lastResult?.commands).toEqual(['a']);
    const published = states.length;
    tracker.reset();
    expect(states.length).toBe(published);
  });
});

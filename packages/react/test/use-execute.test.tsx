// @vitest-environment happy-dom
// useExecute against a real 3-peer group: pending state while commands are in flight, what apply
// returned (the promise's value and `lastResult`), a typed error carrying the unexecuted commands
// when the peer has no quorum, and retry after healing.
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { OfflineError, TimeoutError, type ExecuteManyResult, type ExecuteResult } from '@meshraft/core';
import { useExecute, useQuery, type UseExecuteResult } from '../src/index';
import { allApplied, settledLeader, startCluster, WAIT, type NotesCluster } from './support/cluster';
import type { NoteCommand, NoteResult } from './support/notes-machine';
import { renderWithGroup, RenderLog } from './support/render';

let cluster: NotesCluster | null = null;
afterEach(async () => {
  cleanup();
  await cluster?.close();
  cluster = null;
});

/** Renders a board-like view and hands the hook's latest result to the test. */
function executeProbe(log: RenderLog<{ pending: number; failed: number; error: string }>) {
  const api: { current: UseExecuteResult<NoteCommand, number> | null } = { current: null };
  function Editor() {
    // NotesMachine.apply returns the note count after the add: the new note's position.
    const execution = useExecute<NoteCommand, number>();
    api.current = execution;
    const { data } = useQuery<'notes', NoteResult>('notes', { consistency: 'weak' });
    log.record({ pending: execution.pending, failed: execution.failed?.length ?? 0, error: execution.error?.name ?? '' });
    return (
      <div>
        <span data-testid="notes">{((data as string[] | undefined) ?? []).join('|')}</span>
        <span data-testid="pending">{execution.pendingCommands.map((c) => c.add).join('|')}</span>
        <span data-testid="error">{execution.error?.name ?? ''}</span>
        <span data-testid="failed">{(execution.failed ?? []).map((c) => c.add).join('|')}</span>
        <span data-testid="last">{lastText(execution.lastResult)}</span>
      </div>
    );
  }
  return { api, Editor };
}

const text = (id: string) => screen.getByTestId(id).textContent;

/** "note=position,..." for the last call that succeeded, or '' before any. */
function lastText(last: UseExecuteResult<NoteCommand, number>['lastResult']): string {
  return last ? last.commands.map((c, i) => `${c.add}=${last.results[i]}`).join(',') : '';
}

describe('useExecute on a real group', () => {
  it('shows commands as pending until they apply, then clears them', async () => {
    cluster = await startCluster();
    const leader = await settledLeader(cluster);
    const followerId = cluster.running().find((id) => id !== leader)!;
    const log = new RenderLog<{ pending: number; failed: number; error: string }>();
    const { api, Editor } = executeProbe(log);
    renderWithGroup(cluster.group(followerId), <Editor />);

    let done!: Promise<[ExecuteResult<number>, ExecuteManyResult<number>]>;
    act(() => {
      done = Promise.all([api.current!.execute({ add: 'first' }), api.current!.executeMany([{ add: 'second' }, { add: 'third' }])]);
    });
    expect(text('pending')).toBe('first|second|third');
    expect(text('last')).toBe('');
    const [one, many] = await done;
    await waitFor(() => expect(text('pending')).toBe(''), WAIT);
    await waitFor(() => expect(text('notes')).toBe('first|second|third'), WAIT);
    // Each call resolved with what the follower's own apply returned: the notes' positions.
    expect(one.result).toBe(1);
    expect(many.results).toEqual([2, 3]);
    expect(many.start).toBeGreaterThan(one.index);
    expect(text('error')).toBe('');
    expect(log.values.some((v) => v.pending === 2)).toBe(true);
    expect(log.last).toEqual({ pending: 0, failed: 0, error: '' });

    // lastResult follows the call that succeeded last, with its commands next to apply's answers.
    await act(async () => {
      await api.current!.execute({ add: 'fourth' });
    });
    expect(text('last')).toBe('fourth=4');
    let batch!: ExecuteManyResult<number>;
    await act(async () => {
      batch = await api.current!.executeMany([{ add: 'fifth' }, { add: 'sixth' }]);
    });
    expect(text('last')).toBe('fifth=5,sixth=6');
    expect(api.current!.lastResult).toMatchObject({ start: batch.start, end: batch.end, results: [5, 6] });
  });

  it('a peer without quorum fails with the unexecuted commands; after healing, retry commits them', async () => {
    cluster = await startCluster();
    const leader = await settledLeader(cluster);
    const loneId = cluster.running().find((id) => id !== leader)!;
    const log = new RenderLog<{ pending: number; failed: number; error: string }>();
    const { api, Editor } = executeProbe(log);
    renderWithGroup(cluster.group(loneId), <Editor />);

    cluster.partition([loneId], cluster.running().filter((id) => id !== loneId));
    await waitFor(() => expect(cluster!.group(loneId).status.online).toBe(false), WAIT);

    const failures: unknown[] = [];
    act(() => {
      // Short timeouts: the point is the failure path, not how long it takes.
      for (const add of ['offline 1', 'offline 2']) {
        api.current!.execute({ add }, { timeoutMs: 300 }).catch((error: unknown) => failures.push(error));
      }
    });
    expect(text('pending')).toBe('offline 1|offline 2');
    await waitFor(() => expect(failures).toHaveLength(2), WAIT);
    for (const error of failures) {
      expect(error instanceof OfflineError || error instanceof TimeoutError).toBe(true);
      expect((error as OfflineError<NoteCommand>).unexecuted.kind).toBe('commands');
    }
    const unexecuted = failures.flatMap((error) => {
      const what = (error as OfflineError<NoteCommand>).unexecuted;
      return what.kind === 'commands' ? what.commands.map((c) => c.add) : [];
    });
    expect(unexecuted.sort()).toEqual(['offline 1', 'offline 2']);
    // Both failed calls are kept for retry (not only the last one), nothing is pending any more.
    await waitFor(() => expect(text('failed')).toBe('offline 1|offline 2'), WAIT);
    expect(text('pending')).toBe('');
    expect(text('error')).toMatch(/OfflineError|TimeoutError/);

    cluster.heal();
    await settledLeader(cluster);
    let range: ExecuteManyResult<number> | null = null;
    await act(async () => {
      range = await api.current!.retry();
    });
    expect(range).not.toBeNull();
    // The retried pair are the last two notes (a timed-out first attempt may have committed too).
    const [p1, p2] = range!.results;
    expect(p2).toBe(p1! + 1);
    expect(text('last')).toBe(`offline 1=${p1},offline 2=${p2}`);
    await waitFor(() => expect(text('failed')).toBe(''), WAIT);
    expect(text('error')).toBe('');
    await allApplied(cluster, range!.end);
    // A timed-out attempt may have committed too (its outcome was unknown): the retried pair is last.
    await waitFor(() => expect(text('notes')).toMatch(/offline 1\|offline 2$/), WAIT);
    for (const id of cluster.running()) {
      const notes = (await cluster.group(id).query('notes', 'weak')).result as string[];
      expect(notes.slice(-2)).toEqual(['offline 1', 'offline 2']);
    }
    expect(log.last).toEqual({ pending: 0, failed: 0, error: '' });
  });

  it('retry with nothing failed resolves null; reset drops failures', async () => {
    cluster = await startCluster();
    const leader = await settledLeader(cluster);
    const log = new RenderLog<{ pending: number; failed: number; error: string }>();
    const { api, Editor } = executeProbe(log);
    const groupOfLeader = cluster.group(leader);
    renderWithGroup(groupOfLeader, <Editor />);
    await expect(api.current!.retry()).resolves.toBeNull();

    cluster.partition([leader], cluster.running().filter((id) => id !== leader));
    await waitFor(() => expect(groupOfLeader.status.online).toBe(false), WAIT);
    await act(async () => {
      await api.current!.execute({ add: 'lost' }, { timeoutMs: 300 }).catch(() => {});
    });
    await waitFor(() => expect(text('failed')).toBe('lost'), WAIT);
    act(() => api.current!.reset());
    expect(text('failed')).toBe('');
    expect(text('error')).toBe('');
    await expect(api.current!.retry()).resolves.toBeNull();
  });
});

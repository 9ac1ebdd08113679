// @vitest-environment happy-dom
// useExecute when the provider's group changes (the app switches rooms): the state belongs to the
// group, so nothing of room A's calls (failed, pending, last result) is shown for room B, retry()
// never writes room A's commands into room B, and a call still in flight on A when the switch
// happens settles in A's state, not B's. In plain and StrictMode rendering.
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import type { Group } from '@meshraft/core';
import { GroupProvider, useExecute, type UseExecuteResult } from '../src/index';
import { settledLeader, startCluster, WAIT, type NotesCluster } from './support/cluster';
import type { NoteCommand, NoteQuery, NoteResult } from './support/notes-machine';

type NotesGroup = Group<NoteCommand, NoteQuery, NoteResult, number>;

let clusters: NotesCluster[] = [];
afterEach(async () => {
  cleanup();
  for (const cluster of clusters) await cluster.close();
  clusters = [];
});

/** Two separate rooms (groups with their own peers), each with an agreed leader. */
async function twoRooms(): Promise<[NotesCluster, NotesCluster]> {
  const roomA = await startCluster(['a1', 'a2', 'a3'], 3);
  const roomB = await startCluster(['b1', 'b2', 'b3'], 5);
  clusters = [roomA, roomB];
  await settledLeader(roomA);
  await settledLeader(roomB);
  return [roomA, roomB];
}

function editorProbe() {
  const api: { current: UseExecuteResult<NoteCommand, number> | null } = { current: null };
  function Editor() {
    const execution = useExecute<NoteCommand, number>();
    api.current = execution;
    const last = execution.lastResult;
    return (
      <div>
        <span data-testid="pending">{execution.pendingCommands.map((c) => c.add).join('|')}</span>
        <span data-testid="failed">{(execution.failed ?? []).map((c) => c.add).join('|')}</span>
        <span data-testid="error">{execution.error?.name ?? ''}</span>
        <span data-testid="last">{last ? last.commands.map((c) => c.add).join('|') : ''}</span>
      </div>
    );
  }
  return { api, Editor };
}

const text = (id: string) => screen.getByTestId(id).textContent;
const shown = () => ({ pending: text('pending'), failed: text('failed'), error: text('error'), last: text('last') });
const nothing = { pending: '', failed: '', error: '', last: '' };

async function notesOf(group: NotesGroup): Promise<NoteResult> {
  return (await group.query('notes', 'strong')).result;
}

for (const strict of [false, true]) {
  const mode = strict ? 'StrictMode' : 'plain';
  const wrap = (group: NotesGroup, ui: ReactNode) => {
    const tree = <GroupProvider group={group}>{ui}</GroupProvider>;
    return strict ? <StrictMode>{tree}</StrictMode> : tree;
  };

  describe(`useExecute when the provider switches groups (${mode})`, () => {
    it('neither shows nor retries the previous group\'s failed commands and last result', async () => {
      const [roomA, roomB] = await twoRooms();
      const groupA = roomA.group('a1');
      const groupB = roomB.group('b1');
      const { api, Editor } = editorProbe();
      const view = render(wrap(groupA, <Editor />));

      await act(async () => {
        await api.current!.execute({ add: 'done in A' });
      });
      // Room A's peer stops: the next command fails with ClosedError, unexecuted.
      await groupA.close();
      await act(async () => {
        await api.current!.execute({ add: 'meant for A' }).catch(() => {});
      });
      expect(shown()).toEqual({ pending: '', failed: 'meant for A', error: 'ClosedError', last: 'done in A' });

      view.rerender(wrap(groupB, <Editor />));
      expect(shown()).toEqual(nothing);
      expect(api.current!.failed).toBeNull();
      expect(api.current!.lastResult).toBeNull();
      let retried: unknown = 'not called';
      await act(async () => {
        retried = await api.current!.retry();
      });
      expect(retried).toBeNull();
      expect(await notesOf(groupB)).toEqual([]);

      // Room B's own calls are tracked as usual.
      await act(async () => {
        await api.current!.execute({ add: 'done in B' });
      });
      expect(shown()).toEqual({ ...nothing, last: 'done in B' });
      expect(await notesOf(groupB)).toEqual(['done in B']);
    }, 90_000);

    it('settles a call in flight on the previous group there: not pending, failed or retried in the new one', async () => {
      const [roomA, roomB] = await twoRooms();
      const leaderA = await settledLeader(roomA);
      const followerA = roomA.running().find((id) => id !== leaderA)!;
      const groupA = roomA.group(followerA);
      const groupB = roomB.group('b1');
      const { api, Editor } = editorProbe();
      const view = render(wrap(groupA, <Editor />));

      // Room A's peer loses its quorum: its command stays in flight until it times out.
      roomA.partition([followerA], roomA.running().filter((id) => id !== followerA));
      let outcome = 'pending';
      act(() => {
        api.current!.execute({ add: 'in flight in A' }, { timeoutMs: 1500 }).then(
          () => (outcome = 'ok'),
          (error: Error) => (outcome = error.name),
        );
      });
      expect(text('pending')).toBe('in flight in A');

      view.rerender(wrap(groupB, <Editor />));
      expect(shown()).toEqual(nothing);
      // The caller still learns how its call ended...
      await waitFor(() => expect(outcome).not.toBe('pending'), WAIT);
      expect(outcome).not.toBe('ok');
      await act(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
      });
      // ...but room B's state never sees it, and retry() has nothing to send to room B.
      expect(shown()).toEqual(nothing);
      let retried: unknown = 'not called';
      await act(async () => {
        retried = await api.current!.retry();
      });
      expect(retried).toBeNull();
      expect(await notesOf(groupB)).toEqual([]);
    }, 90_000);
  });
}

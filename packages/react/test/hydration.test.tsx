// @vitest-environment happy-dom
// Server rendering and hydration: the server renders with a group that never started (Node, no
// Worker: its status is the initial one), the client hydrates with a group that is already online
// and has committed entries. The hooks' server snapshots are the fixed initial state, so
// hydration matches the server's HTML (no recoverable "didn't match" error), and React then
// re-renders with the live values.
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, waitFor } from '@testing-library/react';
import { renderToString } from 'react-dom/server';
import { hydrateRoot, type Root } from 'react-dom/client';
import { initialGroupStatus, type PeerId } from '@meshraft/core';
import { GroupProvider, useCommitted, useExecute, useGroupStatus, useLeader, useOnline, useQuery } from '../src/index';
import { settledLeader, startCluster, WAIT, type NotesCluster } from './support/cluster';
import type { NoteCommand, NoteResult } from './support/notes-machine';

let cluster: NotesCluster | null = null;
let root: Root | null = null;
afterEach(async () => {
  act(() => root?.unmount());
  root = null;
  cleanup();
  await cluster?.close();
  cluster = null;
});

/** A group as the server holds it: created, never started (nothing happens to it during a render). */
function serverGroup(peerId: string) {
  const unavailable = () => Promise.reject(new Error('not on the server'));
  return {
    peerId: peerId as PeerId,
    status: initialGroupStatus(peerId as PeerId),
    when: { online: unavailable, leaderChanged: unavailable, committed: unavailable },
    execute: unavailable,
    executeMany: unavailable,
    query: unavailable,
    subscribe: () => () => {},
    transferLeadership: unavailable,
    close: () => Promise.resolve(),
  };
}

function App() {
  const online = useOnline();
  const committed = useCommitted();
  const leader = useLeader();
  // A selector that returns a fresh object: its server snapshot must be cached too.
  const summary = useGroupStatus((s) => ({ role: s.role, members: s.members.voters.length }));
  const { data } = useQuery<'notes', NoteResult>('notes');
  const { pending } = useExecute<NoteCommand, number>();
  return (
    <p id="app">
      {`${online ? 'online' : 'offline'} committed=${committed} leader=${leader ?? 'none'} role=${summary.role} ` +
        `voters=${summary.members} notes=${((data as string[] | undefined) ?? []).join('|')} pending=${pending}`}
    </p>
  );
}

describe('hydration', () => {
  it('hydrates a server-rendered page without a mismatch when the client group is already online, then shows live values', async () => {
    cluster = await startCluster();
    const leader = await settledLeader(cluster);
    await cluster.group(leader).execute({ add: 'before hydration' });
    const followerId = cluster.running().find((id) => id !== leader)!;
    const clientGroup = cluster.group(followerId);
    await clientGroup.when.committed(cluster.group(leader).status.committed);

    const html = renderToString(
      <GroupProvider group={serverGroup('server-peer') as never}>
        <App />
      </GroupProvider>,
    );
    expect(html).toContain('offline committed=0 leader=none role=follower voters=0 notes= pending=0');

    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.appendChild(container);
    const recoverable: string[] = [];
    const consoleErrors: string[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => consoleErrors.push(args.map(String).join(' ').slice(0, 200));
    try {
      await act(async () => {
        root = hydrateRoot(
          container,
          <GroupProvider group={clientGroup}>
            <App />
          </GroupProvider>,
          { onRecoverableError: (error) => recoverable.push(String((error as Error).message).slice(0, 200)) },
        );
      });
    } finally {
      console.error = originalError;
    }
    expect(recoverable).toEqual([]);
    expect(consoleErrors).toEqual([]);

    // After hydration React re-renders with the client group's live status and query answer.
    const committed = clientGroup.status.committed;
    await waitFor(
      () =>
        expect(container.textContent).toBe(
          `online committed=${committed} leader=${leader} role=follower voters=3 notes=before hydration pending=0`,
        ),
      WAIT,
    );
  }, 60_000);
});

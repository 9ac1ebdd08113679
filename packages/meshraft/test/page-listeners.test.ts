// createGroup() in a browser listens for the page's pagehide/pageshow on window (a closing tab
// departs synchronously, docs/tab-lifecycle.md). Those listeners hold the group (its client, its
// state machine and all it holds): they must go once the group is closed, or every group a
// single-page app closes stays reachable from window. Until then, pagehide must reach the group,
// also while close() runs.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import { createGroup } from '../src/index';

const g = globalThis as unknown as Record<string, unknown>;
let server: SignalingServer | null = null;
afterEach(async () => {
  delete g.addEventListener;
  delete g.removeEventListener;
  await server?.close();
  server = null;
});

/** Stands in for window's listener registry (Node has no window). */
function fakeWindow() {
  const live = new Map<string, Set<(event: unknown) => void>>();
  g.addEventListener = (type: string, listener: (event: unknown) => void) => {
    if (!live.has(type)) live.set(type, new Set());
    live.get(type)!.add(listener);
  };
  g.removeEventListener = (type: string, listener: (event: unknown) => void) => live.get(type)?.delete(listener);
  return {
    count: (type: string) => live.get(type)?.size ?? 0,
    fire: (type: string, event: unknown = { persisted: false }) => [...(live.get(type) ?? [])].forEach((l) => l(event)),
  };
}

function open(signaling: string, bootstrap?: boolean) {
  return createGroup({
    key: 'a-strong-enough-group-key-123',
    signaling,
    storage: 'memory',
    worker: false,
    bootstrap,
    config: { electionTimeoutMs: 300, heartbeatMs: 50 },
    stateMachine: { apply: () => undefined, query: () => undefined },
  });
}

describe('createGroup (browser): pagehide/pageshow listeners', () => {
  it('are removed once close() has finished, also for a group closed during start-up', async () => {
    const window = fakeWindow();
    for (let i = 0; i < 3; i++) {
      const group = open('http://127.0.0.1:9'); // nobody answers: the group never starts
      expect(window.count('pagehide')).toBe(1);
      expect(window.count('pageshow')).toBe(1);
      await group.close();
      await group.started.catch(() => {});
      expect(window.count('pagehide')).toBe(0);
      expect(window.count('pageshow')).toBe(0);
    }
  }, 30_000);

  it('reach a running group until its close() has finished', async () => {
    server = await startSignalingServer({ port: 0, host: '127.0.0.1', redisUrl: null });
    const window = fakeWindow();
    const group = open(server.url, true);
    await group.started;
    await group.when.online();
    const pageHide = vi.spyOn(group, 'pageHide');
    const pageShow = vi.spyOn(group, 'pageShow');
    window.fire('pageshow', { persisted: true });
    expect(pageShow).toHaveBeenCalledWith(true);
    const closing = group.close();
    await Promise.resolve();
    // The group is leaving through the log: a tab closed now must still depart.
    window.fire('pagehide');
    expect(pageHide).toHaveBeenCalledTimes(1);
    await closing;
    expect(window.count('pagehide')).toBe(0);
    expect(window.count('pageshow')).toBe(0);
  }, 30_000);
});

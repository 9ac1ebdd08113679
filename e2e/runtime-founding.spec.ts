// Founding a brand-new group from several browsers at once. Three tabs, each in its own browser
// context (its own profile: no shared IndexedDB, BroadcastChannel or Web Locks, as on three
// devices), open together against a signaling server that has only just started. For the server's
// first reregisterBoundMs its empty room is not trusted (a restart must not make a second group),
// so each new tab waits; the others it sees in the room gossip themselves pristine (nothing local,
// no log, no group) and so do not count as a group to join. Before that rule each took the others
// for members, all three started as joiners and the group never formed. Now they found one group:
// one leader, three voters, every tab online. The same holds for tabs with fixed peer ids (the
// `peerId` option): such a tab has no slots, so it looks at its own database before deciding, and
// an empty one makes it pristine too.
//
// The spec starts its own server (a young one, which the shared server is not) on
// E2E_SIGNALING_PORT + 5.
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, uniqueName, type ConsoleErrors } from './support';
import { openPeer, stats, status, waitForGroup } from './pages/runtime/harness';
import { DEFAULT_TIMING } from './support/lifecycle';
import { startSignalingProcess, type ServerProcess } from './support/processes';

const PORT = Number(process.env.E2E_SIGNALING_PORT ?? 8788) + 5;

for (const identities of ['own', 'fixed'] as const) {
  test(`three new tabs of three browser profiles (${identities} peer ids) opened together against a freshly started signaling server found one group`, async ({ browser }) => {
    test.setTimeout(180_000);
    const server: ServerProcess = await startSignalingProcess(PORT);
    const contexts: BrowserContext[] = [];
    const watchers: ConsoleErrors[] = [];
    try {
      const key = uniqueName('founding');
      const open = async (label: string): Promise<Page> => {
        const context = await browser.newContext();
        contexts.push(context);
        const peerId = identities === 'fixed' ? { peerId: `${key}-${label}` } : {};
        const page = await openPeer(context, { key, signaling: server.url, ...DEFAULT_TIMING, ...peerId });
        watchers.push(collectConsoleErrors(page, { label }));
        return page;
      };
      const pages = await Promise.all(['tab0', 'tab1', 'tab2'].map(open));
      // Waits out the young server's window (20 s with the default client settings), then founds.
      const leader = await waitForGroup(pages, 3, 90_000);
      const all = await Promise.all(pages.map(status));
      expect(new Set(all.map((s) => s.leader))).toEqual(new Set([leader]));
      expect(all.every((s) => s.term === all[0].term)).toBe(true);
      // None of them found the room empty when it joined it but one: the server listed the others.
      const roomWasEmpty = await Promise.all(pages.map(async (p) => (await stats(p)).roomWasEmpty));
      expect(roomWasEmpty.filter((empty) => empty === true).length).toBeLessThanOrEqual(1);
    } finally {
      const errors = watchers.flatMap((w) => w.errors);
      for (const w of watchers) w.stop();
      for (const context of contexts) await context.close();
      await server.stop();
      expect(errors, 'console errors in the tabs').toEqual([]);
    }
  });
}

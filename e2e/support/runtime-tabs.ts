// The `tabs` fixture of the runtime specs (e2e/runtime-*.spec.ts): one fresh BrowserContext per test
// (its tabs share IndexedDB, sessionStorage copies and Web Locks, like tabs of one browser profile),
// a console-error watcher on every tab, and a teardown that fails the test if any tab reported one.
// Specs import `test` and `expect` from here instead of '@playwright/test'.
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { openPeer, started } from '../pages/runtime/harness';
import { collectConsoleErrors, type ConsoleErrors } from './console';
import type { PageParams } from './servers';

export interface RuntimeTabs {
  /** The test's own context: every tab opened through `open` lives here. */
  readonly context: BrowserContext;
  /** Opens a runtime tab with these query parameters, watches its console and waits until started. */
  open(params: PageParams, label: string): Promise<Page>;
  /** Watches a tab the test got some other way (e.g. a duplicated tab) for console errors. */
  watch(page: Page, label: string): void;
}

export const test = base.extend<{ tabs: RuntimeTabs }>({
  tabs: async ({ browser }, use) => {
    const context = await browser.newContext();
    const watchers: ConsoleErrors[] = [];
    const watch = (page: Page, label: string): void => {
      watchers.push(collectConsoleErrors(page, { label }));
    };
    const open = async (params: PageParams, label: string): Promise<Page> => {
      const page = await openPeer(context, params);
      // Watching starts before `started` so errors during the runtime's start-up are caught too.
      watch(page, label);
      await started(page);
      return page;
    };

    await use({ context, open, watch });

    // Runs after failed tests too: a console error is often the reason a test failed.
    const errors = watchers.flatMap((watcher) => watcher.errors);
    for (const watcher of watchers) watcher.stop();
    await context.close();
    expect(errors, 'console errors in the tabs').toEqual([]);
  },
});

export { expect };

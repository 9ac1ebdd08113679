// Opening several tabs for one spec, each in its own BrowserContext or all in one.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { collectConsoleErrors, type ConsoleErrors } from './console';

export interface OpenTabsOptions {
  /**
   * true: every tab in ONE context (shared IndexedDB, Web Locks and BroadcastChannel, like tabs of
   * one browser profile). false (default): a context per tab (nothing shared but the network).
   */
  sameContext?: boolean;
  /** Console errors to leave out of `consoleErrors()` (see collectConsoleErrors). */
  ignoreConsole?: RegExp[];
}

export interface Tabs {
  pages: Page[];
  contexts: BrowserContext[];
  /** Every console error / uncaught exception seen so far, across all tabs. */
  consoleErrors(): string[];
  /** Opens one more tab (in the shared context when sameContext, otherwise in a new one). */
  open(url: string): Promise<Page>;
  close(): Promise<void>;
}

/** Opens `count` tabs; `url` may depend on the tab number (0-based). Tabs are labelled tab0, tab1, ... */
export async function openTabs(
  browser: Browser,
  count: number,
  url: string | ((tab: number) => string),
  options: OpenTabsOptions = {},
): Promise<Tabs> {
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  const watchers: ConsoleErrors[] = [];
  const shared = options.sameContext ? await browser.newContext() : null;
  if (shared) contexts.push(shared);

  const open = async (target: string): Promise<Page> => {
    let context = shared;
    if (!context) {
      context = await browser.newContext();
      contexts.push(context);
    }
    const page = await context.newPage();
    watchers.push(collectConsoleErrors(page, { label: `tab${pages.length}`, ignore: options.ignoreConsole }));
    pages.push(page);
    await page.goto(target);
    return page;
  };

  // Opened one after another: deterministic tab numbering, and gentle on a 2-core machine.
  for (let tab = 0; tab < count; tab++) await open(typeof url === 'function' ? url(tab) : url);

  return {
    pages,
    contexts,
    open,
    consoleErrors: () => watchers.flatMap((watcher) => watcher.errors),
    async close() {
      for (const watcher of watchers) watcher.stop();
      for (const context of contexts) await context.close();
    },
  };
}

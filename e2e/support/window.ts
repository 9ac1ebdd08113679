// Waiting for and calling what a test page exposes on `window`. Paths may be dotted
// ('meshraft.status'). The lookup is written out inside each callback because Playwright
// serializes those callbacks into the page: they cannot close over helpers from this file.
import type { Page } from '@playwright/test';

/** Resolves once `window.<path>` is a function (the page finished its setup). */
export async function waitForWindowFunction(page: Page, path: string, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    (p) => {
      let value: unknown = window;
      for (const part of p.split('.')) value = value == null ? undefined : (value as Record<string, unknown>)[part];
      return typeof value === 'function';
    },
    path,
    { timeout: timeoutMs },
  );
}

/** Calls `window.<path>(...args)` in the page and returns its awaited result (must be serializable). */
export async function callWindowFunction<T>(page: Page, path: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    async ([p, a]) => {
      let owner: unknown = undefined;
      let value: unknown = window;
      for (const part of p.split('.')) {
        owner = value;
        value = value == null ? undefined : (value as Record<string, unknown>)[part];
      }
      if (typeof value !== 'function') throw new Error(`window.${p} is not a function`);
      return (await (value as (...args: unknown[]) => unknown).apply(owner, a)) as T;
    },
    [path, args] as const,
  );
}

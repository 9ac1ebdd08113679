// Collects what a page reports as broken: console.error lines and uncaught exceptions.
import type { ConsoleMessage, Page } from '@playwright/test';

export interface ConsoleErrors {
  /** Messages seen so far, each prefixed with the page's label. */
  readonly errors: string[];
  /** Returns the messages collected since the last take() (per-test checks on a shared page). */
  take(): string[];
  /** Stops listening. */
  stop(): void;
}

export interface ConsoleErrorOptions {
  /** Used as a prefix, so errors from several tabs can be told apart. */
  label?: string;
  /** Messages matching any of these are not collected (expected noise). */
  ignore?: RegExp[];
}

export function collectConsoleErrors(page: Page, options: ConsoleErrorOptions = {}): ConsoleErrors {
  const errors: string[] = [];
  const label = options.label ?? 'page';
  const keep = (text: string) => !(options.ignore ?? []).some((pattern) => pattern.test(text));
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    // Resource failures ("404 (Not Found)") only name the URL in their location.
    const where = message.location().url;
    const text = where && !message.text().includes(where) ? `${message.text()} (${where})` : message.text();
    if (keep(text)) errors.push(`[${label}] console.error: ${text}`);
  };
  const onPageError = (error: Error) => {
    const text = `${error.name}: ${error.message}`;
    if (keep(text)) errors.push(`[${label}] uncaught: ${text}`);
  };
  page.on('console', onConsole);
  page.on('pageerror', onPageError);
  return {
    errors,
    take: () => errors.splice(0),
    stop() {
      page.off('console', onConsole);
      page.off('pageerror', onPageError);
    },
  };
}

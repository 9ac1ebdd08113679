// Where the e2e servers listen (started by playwright.config.ts through scripts/e2e-servers.mjs).
export const PAGES_ORIGIN = `http://127.0.0.1:${process.env.E2E_PAGES_PORT ?? 5188}`;
export const SIGNALING_URL = `http://127.0.0.1:${process.env.E2E_SIGNALING_PORT ?? 8788}`;

export type PageParams = Record<string, string | number | boolean | undefined>;

/**
 * Absolute URL of a test page under e2e/pages, with query parameters (undefined ones are skipped).
 * Pages that need the signaling server read `?signaling=` (see e2e/pages/support/params.ts):
 *   pageUrl('runtime/index.html', { signaling: SIGNALING_URL, key: 'k1' })
 */
export function pageUrl(pagePath: string, params: PageParams = {}): string {
  const url = new URL(pagePath.replace(/^\//, ''), `${PAGES_ORIGIN}/`);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url.toString();
}

/** A name no other test run shares (database names, group keys, room ids). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

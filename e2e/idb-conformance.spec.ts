// IdbStorage in real Chromium: every case of the shared storage conformance suite, the
// IdbStorage-specific cases, and durability across a page reload. One Playwright test per case.
import { expect, test, type Page } from '@playwright/test';
import { storageConformanceCases } from '@meshraft/core/testing';
import { idbCases } from './pages/idb-cases';
import { callWindowFunction, collectConsoleErrors, pageUrl, uniqueName, waitForWindowFunction, type ConsoleErrors } from './support';

interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

interface StoredSummary {
  hardState: unknown;
  last: { index: number; term: number };
  entryCount: number;
  snapshotIndex: number | null;
  snapshotBytes: number;
  firstCommandBytes: number[];
}

// More random histories than the suite's own, on one page (MESHRAFT_IDB_HISTORIES and
// MESHRAFT_IDB_HISTORIES_FROM run other seeds, as the simulator's seed variables do).
const HISTORIES = Number(process.env.MESHRAFT_IDB_HISTORIES ?? 40);
const HISTORIES_FROM = Number(process.env.MESHRAFT_IDB_HISTORIES_FROM ?? 101);

// The names are read in Node so each case is its own test; the page must list the same ones.
const caseNames = [...storageConformanceCases().map((c) => c.name), ...idbCases.map((c) => c.name)];

test.describe('IdbStorage in Chromium', () => {
  let page: Page;
  let consoleErrors: ConsoleErrors;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    consoleErrors = collectConsoleErrors(page, { label: 'idb-conformance' });
    await page.goto(pageUrl('idb-conformance.html'));
    await waitForWindowFunction(page, 'runConformanceCase');
  });

  test.afterAll(async () => {
    consoleErrors.stop();
    await page.context().close();
  });

  test.afterEach(() => {
    expect(consoleErrors.take(), 'console errors in the page').toEqual([]);
  });

  test('the page runs exactly the cases the suite defines', async () => {
    const listed = await callWindowFunction<string[]>(page, 'listConformanceCases');
    expect(listed).toEqual(caseNames);
    expect(storageConformanceCases().length).toBeGreaterThan(0);
  });

  for (const name of caseNames) {
    test(name, async () => {
      const result = await callWindowFunction<CaseResult>(page, 'runConformanceCase', name);
      expect(result.error ?? '', `case "${name}" failed`).toBe('');
      expect(result.ok).toBe(true);
    });
  }

  test(`idb: ${HISTORIES} more random histories (seeds ${HISTORIES_FROM}-${HISTORIES_FROM + HISTORIES - 1}, 150 batches each) read back as the contract says`, async () => {
    test.setTimeout(60_000 + HISTORIES * 3_000);
    const failure = await callWindowFunction<CaseResult | null>(page, 'runRandomHistories', HISTORIES_FROM, HISTORIES, 150);
    expect(failure?.error ?? '', 'the first random history that failed').toBe('');
  });

  test('idb: a page reload keeps everything persisted', async () => {
    const dbName = uniqueName('reload');
    const written = await callWindowFunction<StoredSummary>(page, 'writeForReload', dbName);
    expect(written).toMatchObject({ last: { index: 600, term: 5 }, entryCount: 450, snapshotIndex: 150 });

    await page.reload();
    await waitForWindowFunction(page, 'readAfterReload');
    const reloaded = await callWindowFunction<StoredSummary>(page, 'readAfterReload', dbName);
    expect(reloaded).toEqual(written);
  });
});

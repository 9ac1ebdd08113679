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

interface CrashRun {
  seed: number;
  reported: number;
  kept: number;
  batches: number;
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
// Histories written by a Worker that is killed mid-way (MESHRAFT_IDB_CRASHES, _FROM likewise).
const CRASHES = Number(process.env.MESHRAFT_IDB_CRASHES ?? 16);
const CRASHES_FROM = Number(process.env.MESHRAFT_IDB_CRASHES_FROM ?? 1);

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

  test(`idb: a Worker killed with batches in flight leaves a prefix of them, each whole, and nothing it was told was stored is lost (${CRASHES} random histories)`, async () => {
    test.setTimeout(60_000 + CRASHES * 5_000);
    const { runs, failure } = await callWindowFunction<{ runs: CrashRun[]; failure: CaseResult | null }>(page, 'runCrashHistories', CRASHES_FROM, CRASHES, 120);
    expect(failure?.error ?? '', 'the first crash history that failed').toBe('');
    expect(runs).toHaveLength(CRASHES);
    // Not vacuous: most kills land before the history's end, so the store holds a strict prefix.
    const cut = runs.filter((run) => run.kept < run.batches).length;
    expect(cut, JSON.stringify(runs)).toBeGreaterThanOrEqual(Math.ceil(CRASHES / 2));
    const beyondReport = runs.filter((run) => run.kept > run.reported).length;
    test.info().annotations.push({ type: 'kills', description: `${runs.length} runs: ${cut} cut before the end, ${beyondReport} kept batches settled after the last report` });
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

// Shared helpers for e2e specs. See e2e/README.md.
export { PAGES_ORIGIN, SIGNALING_URL, pageUrl, uniqueName, type PageParams } from './servers';
export { collectConsoleErrors, type ConsoleErrors, type ConsoleErrorOptions } from './console';
export { waitForWindowFunction, callWindowFunction } from './window';
export { openTabs, type OpenTabsOptions, type Tabs } from './tabs';
// Type only: the fixture itself is imported from './support/runtime-tabs', because it depends on
// e2e/pages/runtime/harness.ts, which imports this index (a runtime re-export would be a cycle).
export type { RuntimeTabs } from './runtime-tabs';

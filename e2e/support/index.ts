// Shared helpers for e2e specs. See e2e/README.md.
export { PAGES_ORIGIN, SIGNALING_URL, pageUrl, uniqueName, type PageParams } from './servers';
export { collectConsoleErrors, type ConsoleErrors, type ConsoleErrorOptions } from './console';
export { waitForWindowFunction, callWindowFunction } from './window';
export { openTabs, type OpenTabsOptions, type Tabs } from './tabs';

// Types of main-thread-trace.mjs (plain JavaScript so the browser benchmark can load it too).
import type { Browser, Page } from '@playwright/test';

export interface MainThreadTask {
  /** Start, on the page's performance.now() timeline (ms since its time origin). */
  start: number;
  /** Wall-clock duration (ms): what a 'longtask' entry reports. */
  wall: number;
  /** CPU time the main thread ran during the task (ms). */
  cpu: number;
  /** JavaScript functions called at the task's top level ("name file:line"), for attribution. */
  calls: string[];
}

export interface MainThreadTrace {
  tasks: MainThreadTask[];
  /** Chromium reported that it dropped trace data: tasks may be missing. */
  dataLoss: boolean;
  /** First and last event of the page's main thread in the trace (page timeline, ms). */
  covers: { from: number; to: number };
}

/** Start a browser-wide trace with what tasks, JS calls and performance marks need. */
export function startMainThreadTrace(browser: Browser): Promise<void>;

/**
 * Stop the trace and return `page`'s main-thread tasks. The page is found, and its clock lined up
 * with the trace's, through a performance mark it sets now.
 */
export function stopMainThreadTrace(browser: Browser, page: Page): Promise<MainThreadTrace>;

/** The traced task behind a long-task entry (page clock), or null: see main-thread-trace.mjs. */
export function taskBehind(entry: { startTime: number; duration: number }, tasks: readonly MainThreadTask[]): MainThreadTask | null;

// CPU time of a tab's main-thread tasks, from a Chromium trace (Chromium only).
// A PerformanceObserver 'longtask' measures wall-clock time: on a loaded machine a task of a few
// milliseconds of work becomes "long" when the OS does not schedule the thread. The trace records,
// per task, both its wall time (`dur`) and the CPU time the thread actually ran (`tdur`), so a
// spec can tell the page's own long work from a starved thread.
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

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { data?: { functionName?: string; url?: string; lineNumber?: number } };
}

/** Start a browser-wide trace with what tasks, JS calls and performance marks need. */
export async function startMainThreadTrace(browser: Browser): Promise<void> {
  await browser.startTracing(undefined, { categories: ['toplevel', 'devtools.timeline', 'blink.user_timing', '__metadata'] });
}

/**
 * Stop the trace and return `page`'s main-thread tasks. The page is found, and its clock lined up
 * with the trace's, through a performance mark it sets now.
 */
export async function stopMainThreadTrace(browser: Browser, page: Page): Promise<MainThreadTask[]> {
  const markName = `trace-sync-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const markTime = await page.evaluate((name) => performance.mark(name).startTime, markName);
  const events = (JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mark = events.find((e) => e.name === markName && e.cat.includes('blink.user_timing'));
  if (!mark) throw new Error('the trace has no performance mark of the page: cannot find its main thread');
  const toPageMs = (ts: number) => markTime + (ts - mark.ts) / 1000;
  const thread = events.filter((e) => e.pid === mark.pid && e.tid === mark.tid && e.ph === 'X').sort((a, b) => a.ts - b.ts);
  const tasks: MainThreadTask[] = [];
  let end = -Infinity;
  for (const e of thread) {
    if (e.ts < end) {
      // Inside the current task: a nested RunTask is part of it; note the JavaScript it calls.
      const data = e.args?.data;
      const current = tasks[tasks.length - 1];
      if (e.name === 'FunctionCall' && data) {
        const call = `${data.functionName || '(anonymous)'} ${(data.url ?? '').split('/').slice(-2).join('/')}:${data.lineNumber ?? '?'}`;
        if (!current.calls.includes(call)) current.calls.push(call);
      }
      continue;
    }
    if (e.name !== 'ThreadControllerImpl::RunTask') continue;
    end = e.ts + (e.dur ?? 0);
    tasks.push({ start: toPageMs(e.ts), wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? 0) / 1000, calls: [] });
  }
  return tasks;
}

// CPU time of a tab's main-thread tasks, from a Chromium trace (Chromium only). Shared by the e2e
// specs and the browser benchmark (plain JavaScript, so `node bench/*.mjs` can load it; the types
// are in main-thread-trace.d.mts).
// A PerformanceObserver 'longtask' measures wall-clock time: on a loaded machine a task of a few
// milliseconds of work becomes "long" when the OS does not schedule the thread. The trace records,
// per task, both its wall time (`dur`) and the CPU time the thread actually ran (`tdur`), so a
// spec can tell the page's own long work from a starved thread.
//
// The trace is driven over the DevTools protocol directly (not browser.startTracing) because only
// the protocol's `tracingComplete` event says whether Chromium dropped trace data: a starved tracing
// service can lose a renderer's buffered chunks, and then a task is missing from the trace without
// the page having done anything wrong.

/** @type {WeakMap<import('@playwright/test').Browser, import('@playwright/test').CDPSession>} */
const sessions = new WeakMap();

/** Start a browser-wide trace with what tasks, JS calls and performance marks need. */
export async function startMainThreadTrace(browser) {
  const session = await browser.newBrowserCDPSession();
  sessions.set(browser, session);
  await session.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { recordMode: 'recordUntilFull', includedCategories: ['toplevel', 'devtools.timeline', 'blink.user_timing', '__metadata'] },
  });
}

async function readStream(session, handle) {
  const parts = [];
  for (;;) {
    const chunk = await session.send('IO.read', { handle, size: 1 << 22 });
    parts.push(Buffer.from(chunk.data, chunk.base64Encoded ? 'base64' : 'utf8'));
    if (chunk.eof) break;
  }
  await session.send('IO.close', { handle });
  return Buffer.concat(parts).toString('utf8');
}

/** Complete ('X') events as they are; begin/end ('B'/'E') pairs, as exported for some slices, joined. */
function slicesOf(events) {
  const slices = [];
  const open = [];
  for (const e of events) {
    if (e.ph === 'X') slices.push({ name: e.name, ts: e.ts, dur: e.dur ?? 0, tdur: e.tdur ?? 0, data: e.args?.data });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const begin = open.pop();
      if (begin) slices.push({ name: begin.name, ts: begin.ts, dur: e.ts - begin.ts, tdur: e.tts !== undefined && begin.tts !== undefined ? e.tts - begin.tts : 0, data: begin.args?.data });
    }
  }
  return slices.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
}

/**
 * Stop the trace and return `page`'s main-thread tasks. The page is found, and its clock lined up
 * with the trace's, through a performance mark it sets now.
 */
export async function stopMainThreadTrace(browser, page) {
  const session = sessions.get(browser);
  if (!session) throw new Error('stopMainThreadTrace without startMainThreadTrace');
  sessions.delete(browser);
  const markName = `trace-sync-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const markTime = await page.evaluate((name) => performance.mark(name).startTime, markName);
  const complete = new Promise((resolve) => session.once('Tracing.tracingComplete', resolve));
  await session.send('Tracing.end');
  const { stream, dataLossOccurred } = await complete;
  if (!stream) throw new Error('the trace came back without a stream');
  const text = await readStream(session, stream);
  await session.detach();
  const parsed = JSON.parse(text);
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mark = events.find((e) => e.name === markName && e.cat.includes('blink.user_timing'));
  if (!mark) throw new Error('the trace has no performance mark of the page: cannot find its main thread');
  const toPageMs = (ts) => markTime + (ts - mark.ts) / 1000;
  const thread = events.filter((e) => e.pid === mark.pid && e.tid === mark.tid);
  const tasks = [];
  let end = -Infinity;
  for (const slice of slicesOf(thread)) {
    if (slice.ts < end) {
      // Inside the current task: a nested RunTask is part of it; note the JavaScript it calls.
      const current = tasks[tasks.length - 1];
      if (slice.name === 'FunctionCall' && slice.data && current) {
        const { functionName, url, lineNumber } = slice.data;
        const call = `${functionName || '(anonymous)'} ${(url ?? '').split('/').slice(-2).join('/')}:${lineNumber ?? '?'}`;
        if (!current.calls.includes(call)) current.calls.push(call);
      }
      continue;
    }
    if (slice.name !== 'ThreadControllerImpl::RunTask') continue;
    end = slice.ts + slice.dur;
    tasks.push({ start: toPageMs(slice.ts), wall: slice.dur / 1000, cpu: slice.tdur / 1000, calls: [] });
  }
  let first = Infinity;
  let last = -Infinity;
  for (const e of thread) {
    if (e.ts <= 0) continue; // metadata events carry no time
    first = Math.min(first, e.ts);
    last = Math.max(last, e.ts + (e.dur ?? 0));
  }
  const covers = first <= last ? { from: toPageMs(first), to: toPageMs(last) } : { from: 0, to: 0 };
  return { tasks, dataLoss: dataLossOccurred, covers };
}

/**
 * The traced task behind a long-task entry (`startTime` and `duration` on the page's clock): the one
 * whose slice reaches into the entry's interior, or null. Not "the same start and length": the entry
 * is timed by the scheduler around the task, the slice by the task runner inside it, and a thread
 * starved between the two moves either edge by however long it waited. Tasks on one thread never
 * overlap, so no other task's slice reaches into the entry's interior; entry times are coarsened to
 * whole milliseconds, hence the 2 ms trimmed off each edge.
 */
export function taskBehind(entry, tasks) {
  return tasks.find((t) => t.start < entry.startTime + entry.duration - 2 && t.start + t.wall > entry.startTime + 2) ?? null;
}

// A tab opened after 20,000 commands catches up, fetching from at least 2 peers, without a long task
// of its own on its main thread: the engine and the catch-up scheduler run in the Worker, the main
// thread applies entries in <= 8 ms slices. The catch-up scheduler asks the leader only for what no
// other peer holds (it is the busiest peer), so "at least 2 peers" needs two followers: 3 source tabs.
//
// Long tasks are watched from navigation on (PerformanceObserver 'longtask', buffered, flushed before
// reading), and a deliberate 120 ms task proves the observer reports them in this tab. Wall-clock
// long tasks also happen when the OS does not run the tab's thread (on a 2-core machine with four
// tabs, their workers and other jobs, traces show tasks of 50-110 ms wall time with 0.4-10 ms of
// CPU time). So a Chromium trace of the same period gives each task's CPU time, and the check is
// that no main-thread task ran 50 ms or more of CPU: the part this code controls.
import { callWindowFunction, uniqueName } from './support';
import { expect, test } from './support/runtime-tabs';
import { stats, status, waitForGroup, waitForSameState } from './pages/runtime/harness';
import type { LongTaskRecord } from './pages/runtime/long-tasks';
import { startMainThreadTrace, stopMainThreadTrace, taskBehind } from './support/main-thread-trace.mjs';

const COMMANDS = 20_000;
/** A task this long blocks input and rendering visibly: the Long Tasks API threshold. */
const LONG_TASK_MS = 50;

test('a tab opened after 20,000 commands catches up from >= 2 peers with no main-thread task of 50 ms CPU', async ({ tabs }) => {
  test.setTimeout(600_000);
  const key = uniqueName('catchup');
  const first = await tabs.open({ key }, 'src0');
  await expect.poll(async () => (await status(first)).role, { timeout: 30_000 }).toBe('leader');
  const sources = [first, await tabs.open({ key }, 'src1'), await tabs.open({ key }, 'src2')];
  await waitForGroup(sources, 3);

  // Commands come from every source tab (the followers' are forwarded to the leader).
  const shares = [7000, 7000, COMMANDS - 14_000];
  const ends = await Promise.all(sources.map((page, i) => callWindowFunction<number>(page, 'meshraft.fill', shares[i], 100, 500, 2)));
  const target = Math.max(...ends);
  await waitForSameState(sources, target, 180_000);

  // Trace the browser from before the late tab opens: its main-thread tasks with their CPU time.
  const browser = tabs.context.browser()!;
  await startMainThreadTrace(browser);
  const late = await tabs.open({ key }, 'late');
  await expect.poll(async () => (await status(late)).applied, { timeout: 300_000, intervals: [500] }).toBeGreaterThanOrEqual(target);
  const caughtUpAt = await late.evaluate(() => performance.now());
  // The observer must be able to see a long task in this very tab: a deliberate 120 ms one, after the
  // checked window. The observers were flushed (takeRecords) when the record is read.
  const probe = await callWindowFunction<{ start: number; end: number }>(late, 'meshraft.busy', 120);
  const trace = await stopMainThreadTrace(browser, late);
  const traced = trace.tasks;
  const record = await callWindowFunction<LongTaskRecord>(late, 'meshraft.longTasks');
  expect(record.supported.longtask, "this Chromium reports 'longtask' entries").toBe(true);
  const sawProbe = record.tasks.some((t) => t.startTime <= probe.start + 1 && t.startTime + t.duration >= probe.end - 2);
  expect(sawProbe, `the deliberate 120 ms task at ${probe.start.toFixed(0)} ms among ${JSON.stringify(record.tasks)}`).toBe(true);
  expect(traced.some((t) => t.calls.some((c) => c.startsWith('deliberateLongTask')) && t.wall >= 118), 'the trace shows the deliberate task').toBe(true);

  // From navigation (time origin) until caught up: page load, start-up and the whole catch-up.
  const inWindow = (start: number, duration: number) => start + duration > 0 && start < caughtUpAt;
  const observed = record.tasks.filter((t) => inWindow(t.startTime, t.duration));
  const explained = observed.map((t) => ({ ...t, traced: taskBehind(t, traced) }));
  const report = explained.map((t) => `${t.startTime.toFixed(0)} ms: ${t.duration} ms wall, ${t.traced ? `${t.traced.cpu.toFixed(1)} ms CPU in ${t.traced.calls.join(', ') || 'no JS'}` : 'not in the trace'}`);
  const busiest = traced.filter((t) => inWindow(t.start, t.wall)).sort((a, b) => b.cpu - a.cpu)[0];
  test.info().annotations.push(
    { type: 'wall-clock long tasks during catch-up', description: report.join('; ') || 'none' },
    { type: 'most CPU in one main-thread task', description: busiest ? `${busiest.cpu.toFixed(1)} ms (${busiest.wall.toFixed(1)} ms wall) in ${busiest.calls.join(', ') || 'no JS'}` : 'none' },
  );
  // A long task counts against the page when its main thread really ran that long (CPU time). A task
  // of a few ms of CPU that took 50+ ms of wall time was waiting for a core: on a loaded machine
  // (other tabs, other jobs) the OS decides that, not this code.
  const ours = traced.filter((t) => inWindow(t.start, t.wall) && t.cpu >= LONG_TASK_MS);
  expect(ours, `main-thread tasks with >= ${LONG_TASK_MS} ms of CPU time from navigation until caught up`).toEqual([]);
  const near = (t: { startTime: number }) => traced.filter((task) => Math.abs(task.start - t.startTime) < 100).map((task) => `${task.start.toFixed(1)}+${task.wall.toFixed(1)} (${task.cpu.toFixed(1)} CPU)`);
  const unexplained = explained.filter((t) => t.traced === null).map((t) => ({ ...t, near: near(t) }));
  expect(unexplained, `wall-clock long tasks the trace must account for (trace data lost: ${trace.dataLoss}, covers ${trace.covers.from.toFixed(0)}-${trace.covers.to.toFixed(0)} ms)`).toEqual([]);
  const peersUsed = await late.evaluate(() => window.meshraft.catchUpMaxPeers);
  expect(peersUsed, 'distinct peers that served catch-up chunks').toBeGreaterThanOrEqual(2);
  // The same fact from the wire: catch-up replies carrying entries, counted per sender in the worker.
  const servedBy = (await stats(late)).frames?.catchUpChunksFrom ?? {};
  expect(Object.keys(servedBy).length, `catch-up chunks by sender: ${JSON.stringify(servedBy)}`).toBeGreaterThanOrEqual(2);
  await waitForSameState([...sources, late], target, 120_000);
});

// Main-thread long tasks of this tab, from navigation on, for specs and the browser benchmark.
// Two observers, both `buffered` so entries from before this module ran (page load) are included:
// - 'longtask': every task over 50 ms on the main thread, whatever ran in it;
// - 'long-animation-frame': frames over 50 ms with the scripts that ran in them (source URL,
//   function, how it was invoked), so a long task can be told apart as ours or not.
// Entries reach an observer's callback asynchronously: read through flush(), which takes the records
// still queued first. busy() runs a deliberate long task, proving the observers see one here.

export interface LongTask {
  startTime: number;
  duration: number;
}

export interface LongFrameScript {
  sourceURL: string;
  sourceFunctionName: string;
  invoker: string;
  startTime: number;
  duration: number;
}

export interface LongFrame {
  startTime: number;
  duration: number;
  /** The frame's time beyond 50 ms not spent rendering: what a long task would report as blocking. */
  blockingDuration: number;
  scripts: LongFrameScript[];
}

export interface LongTaskRecord {
  /** Whether this browser reports 'longtask' / 'long-animation-frame' entries at all. */
  supported: { longtask: boolean; longAnimationFrame: boolean };
  tasks: LongTask[];
  frames: LongFrame[];
}

// The entry types of the Long Animation Frames API (not in TypeScript's DOM lib yet).
interface ScriptTiming extends PerformanceEntry {
  sourceURL: string;
  sourceFunctionName: string;
  invoker: string;
}
interface AnimationFrameTiming extends PerformanceEntry {
  blockingDuration: number;
  scripts: ScriptTiming[];
}

const supportedTypes = PerformanceObserver.supportedEntryTypes;
const supported = { longtask: supportedTypes.includes('longtask'), longAnimationFrame: supportedTypes.includes('long-animation-frame') };
const tasks: LongTask[] = [];
const frames: LongFrame[] = [];

const keepTasks = (entries: PerformanceEntryList) => {
  for (const entry of entries) tasks.push({ startTime: entry.startTime, duration: entry.duration });
};
const keepFrames = (entries: PerformanceEntryList) => {
  for (const entry of entries as AnimationFrameTiming[]) {
    frames.push({
      startTime: entry.startTime,
      duration: entry.duration,
      blockingDuration: entry.blockingDuration,
      scripts: entry.scripts.map((s) => ({ sourceURL: s.sourceURL, sourceFunctionName: s.sourceFunctionName, invoker: s.invoker, startTime: s.startTime, duration: s.duration })),
    });
  }
};

const taskObserver = new PerformanceObserver((list) => keepTasks(list.getEntries()));
if (supported.longtask) taskObserver.observe({ type: 'longtask', buffered: true });
const frameObserver = new PerformanceObserver((list) => keepFrames(list.getEntries()));
if (supported.longAnimationFrame) frameObserver.observe({ type: 'long-animation-frame', buffered: true });

/** Everything seen since navigation, records still queued for the observers included. */
export function flushLongTasks(): LongTaskRecord {
  keepTasks(taskObserver.takeRecords());
  keepFrames(frameObserver.takeRecords());
  return { supported, tasks: [...tasks], frames: [...frames] };
}

/** Runs a task that keeps the main thread busy for `ms`; resolves with when it ran. */
export function busy(ms: number): Promise<{ start: number; end: number }> {
  return new Promise((resolve) =>
    setTimeout(function deliberateLongTask() {
      const start = performance.now();
      while (performance.now() - start < ms) {
        // spin: the point is to block the main thread
      }
      resolve({ start, end: performance.now() });
    }, 0),
  );
}

// Runs @meshraft/core's engine warm-up script (host/engine-warm-up.ts) in the engine Worker a moment
// after the engine started, one step per task, so that the code of a leader's departure or crash
// is compiled before the first one happens instead of while every tab waits on it. Each step is a
// few engine calls on throwaway engines; the Worker's own engine handles its messages in between.
// Not run for an engine on the main thread (the `worker: false` option): there the compilation
// would be UI-thread time, which the warm-up exists to move off the path that matters.
import { engineWarmUp, type Clock, type WarmUpReport } from '@meshraft/core';

/** After the engine started: its first moments are the tab's own start-up (joining, catching up). */
export const WARM_UP_DELAY_MS = 500;

/** The part of a Clock the warm-up uses (the Worker passes core's realClock). */
export type WarmUpTimers = Pick<Clock, 'setTimeout' | 'clearTimeout'>;

export interface WarmUpRun {
  /** The script's report once it ended; null when stopped first or when a step threw. */
  readonly done: Promise<WarmUpReport | null>;
  /** No further step runs (the engine is closing). */
  stop(): void;
}

export function startWarmUp(timers: WarmUpTimers, delayMs = WARM_UP_DELAY_MS, steps: Iterator<unknown, WarmUpReport> = engineWarmUp()): WarmUpRun {
  let handle: unknown = null;
  let finish: (report: WarmUpReport | null) => void = () => {};
  const done = new Promise<WarmUpReport | null>((resolve) => {
    finish = (report) => {
      handle = null;
      finish = () => {};
      resolve(report);
    };
  });
  const step = () => {
    let next: IteratorResult<unknown, WarmUpReport>;
    try {
      next = steps.next();
    } catch {
      // A warm-up that fails only warms less: it must never disturb the engine beside it.
      return finish(null);
    }
    if (next.done) finish(next.value);
    else handle = timers.setTimeout(step, 0);
  };
  handle = timers.setTimeout(step, delayMs);
  return {
    done,
    stop: () => {
      if (handle !== null) timers.clearTimeout(handle);
      finish(null);
    },
  };
}

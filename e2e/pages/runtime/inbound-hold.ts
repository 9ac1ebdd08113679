// Test-only hook: hold every frame this tab receives from its peers, then release them in arrival
// order. While held the tab hears nothing from its peers (it falls behind, as over a slow link)
// while what it sends still goes out. Frames arrive two ways: over WebRTC on this thread (held by
// wrapping the `onmessage` handler the WebRTC library assigns on each RTCDataChannel) and over the
// same-browser channel straight into the engine Worker (held there: the engine Worker is started from
// engine-worker-hold.ts, the runtime's worker module plus channel-hold.ts). Must be imported before
// the runtime creates its Worker and channels.
import { HOLD, RELEASE } from './hold-protocol';
import { holdOnMessage } from './message-hold';

// The data channels' hold, on this thread.
const dataChannelHold = holdOnMessage(RTCDataChannel.prototype, 'RTCDataChannel');

/** The runtime's engine Worker (the latest one started), started from engine-worker-hold.ts. */
let engineWorker: Worker | null = null;
const NativeWorker = Worker;
window.Worker = class extends NativeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    // The runtime names its engine Worker `meshraft-<peer id>`.
    const engine = options?.name?.startsWith('meshraft-') === true;
    super(engine ? new URL('./engine-worker-hold.ts', import.meta.url) : url, options);
    if (engine) engineWorker = this;
  }
};

/** Asks the engine Worker's hold (engine-worker-hold.ts) and waits for its answer. */
function askEngineWorker(type: string): Promise<{ count?: number }> {
  const worker = engineWorker;
  if (!worker) return Promise.resolve({ count: 0 });
  return new Promise((resolve) => {
    const listener = (event: MessageEvent<{ type?: unknown; count?: number }>) => {
      if (event.data?.type !== type) return;
      worker.removeEventListener('message', listener);
      resolve(event.data);
    };
    worker.addEventListener('message', listener);
    worker.postMessage({ type });
  });
}

/** From now on, frames received are kept instead of delivered (resolves once both paths hold). */
export async function holdInbound(): Promise<void> {
  dataChannelHold.hold();
  await askEngineWorker(HOLD);
}

/** Deliver every held frame in arrival order, and stop holding; returns how many were held (both paths). */
export async function releaseInbound(): Promise<number> {
  const count = dataChannelHold.release();
  return count + ((await askEngineWorker(RELEASE)).count ?? 0);
}

// Messages between inbound-hold.ts (page) and engine-worker-hold.ts (engine Worker).

/** Page -> worker: start holding; worker -> page: holding from now on. */
export const HOLD = 'test-hold-inbound';
/** Page -> worker: deliver the held frames; worker -> page: `{ count }` delivered. */
export const RELEASE = 'test-release-inbound';

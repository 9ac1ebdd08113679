// Test-only engine Worker for the runtime page: the runtime's own worker module, with a hold on the
// frames that reach it over the same-browser channel (its BroadcastChannels). inbound-hold.ts
// starts this module instead of the runtime's and drives the hold with the messages of
// hold-protocol.ts (the runtime's worker ignores message types it does not know).
/// <reference lib="webworker" />
import { channelHold } from './channel-hold';
import 'meshraft/worker';
import { HOLD, RELEASE } from './hold-protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.addEventListener('message', (event: MessageEvent<{ type?: unknown }>) => {
  if (event.data?.type === HOLD) {
    channelHold.hold();
    scope.postMessage({ type: HOLD });
  } else if (event.data?.type === RELEASE) {
    scope.postMessage({ type: RELEASE, count: channelHold.release() });
  }
});

// Test-only, inside the engine Worker (engine-worker-hold.ts): the hold on what this worker's
// BroadcastChannels receive. Imported before the runtime's worker module opens any channel.
/// <reference lib="webworker" />
import { holdOnMessage } from './message-hold';

export const channelHold = holdOnMessage(BroadcastChannel.prototype, 'BroadcastChannel');

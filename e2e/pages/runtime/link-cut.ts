// Test-only hook: cut every WebRTC link of this tab for good. cutLinks() closes the tab's data
// channels (both ends see their link go down at once) and from then on drops what any data channel
// of this tab would send or receive, so a redialled connection never authenticates again. The tab
// itself, its engine Worker and its end of the same-browser channel keep running: what this shows
// is that the same-browser channel follows the mesh's links. Must be imported before the runtime
// creates its channels.
import { wrapOnMessage } from './message-hold';

let cut = false;
const channels = new Set<RTCDataChannel>();

wrapOnMessage(RTCDataChannel.prototype, 'RTCDataChannel', (channel, deliver) => {
  channels.add(channel as RTCDataChannel);
  return (event) => {
    if (!cut) deliver(event);
  };
});

const send = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'send');
if (typeof send?.value !== 'function') throw new Error('RTCDataChannel.prototype.send is not a method');
const nativeSend = send.value as RTCDataChannel['send'];

Object.defineProperty(RTCDataChannel.prototype, 'send', {
  ...send,
  value(this: RTCDataChannel, data: never) {
    if (!cut) nativeSend.call(this, data);
  },
});

/** Cuts every link of this tab, now and for the rest of its life. */
export function cutLinks(): void {
  cut = true;
  for (const channel of channels) channel.close();
  channels.clear();
}

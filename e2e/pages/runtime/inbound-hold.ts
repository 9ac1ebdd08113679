// Test-only hook: hold every frame this tab receives over WebRTC, then release them in arrival
// order. While held the tab hears nothing from its peers (it falls behind, as over a slow link)
// while what it sends still goes out. Works by wrapping the `onmessage` handler that the WebRTC
// library assigns on each RTCDataChannel; it must be imported before the runtime creates channels.

let holding = false;
const held: Array<() => void> = [];

const original = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage');
if (!original?.set || !original.get) throw new Error('RTCDataChannel.prototype.onmessage is not an accessor');
const { get, set } = original;

Object.defineProperty(RTCDataChannel.prototype, 'onmessage', {
  configurable: true,
  enumerable: original.enumerable,
  get(this: RTCDataChannel) {
    return get.call(this);
  },
  set(this: RTCDataChannel, handler: ((this: RTCDataChannel, event: MessageEvent) => unknown) | null) {
    if (handler === null) return set.call(this, null);
    const channel = this;
    set.call(this, (event: MessageEvent) => {
      if (holding) held.push(() => handler.call(channel, event));
      else handler.call(channel, event);
    });
  },
});

/** From now on, frames received are kept instead of delivered. */
export function holdInbound(): void {
  holding = true;
}

/** Deliver every held frame in arrival order, and stop holding; returns how many were held. */
export function releaseInbound(): number {
  holding = false;
  const count = held.length;
  for (const deliver of held.splice(0)) deliver();
  return count;
}

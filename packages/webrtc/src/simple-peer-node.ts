// Node entry for simple-peer: the package main plus a WebRTC implementation (@roamhq/wrtc).
// Not imported by index.ts so browser bundles never see node:module.
//   const mesh = createPeerMesh({ ...options, ...nodePeerDeps() });
import { createRequire } from 'node:module';
import SimplePeerMain from 'simple-peer';
import type { SimplePeerConstructor, WrtcLike } from './types';

export const SimplePeer = SimplePeerMain as unknown as SimplePeerConstructor;

/** Loads `@roamhq/wrtc` (a native addon; install it next to the app that runs in Node). */
export function loadWrtc(): WrtcLike {
  const require = createRequire(import.meta.url);
  return require('@roamhq/wrtc') as WrtcLike;
}

/** The two options a Node peer needs: `{ SimplePeer, wrtc }`. */
export function nodePeerDeps(): { SimplePeer: SimplePeerConstructor; wrtc: WrtcLike } {
  return { SimplePeer, wrtc: loadWrtc() };
}

// The browser's simple-peer bundle, loaded on demand: Node users inject their own constructor
// (PeerMeshOptions.SimplePeer) and never load it.
import type { SimplePeerConstructor } from './types';

let browserSimplePeer: Promise<SimplePeerConstructor> | null = null;

/** The bundled simple-peer constructor; a failed load is tried again by the next caller. */
export function loadBrowserSimplePeer(): Promise<SimplePeerConstructor> {
  browserSimplePeer ??= import('./simple-peer-browser').then(
    (module) => module.SimplePeer,
    (error: unknown) => {
      browserSimplePeer = null;
      throw error;
    },
  );
  return browserSimplePeer;
}

/**
 * Starts loading the browser's simple-peer bundle (about 140 KB) now. A mesh waits for it before it
 * joins its signaling room, so a page that knows it will open one (while it still derives a room id,
 * say) can call this first and keep the load off that path. Errors surface in the mesh that needs it.
 */
export function preloadSimplePeer(): void {
  loadBrowserSimplePeer().catch(() => {});
}

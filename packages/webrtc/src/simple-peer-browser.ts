// Browser entry for simple-peer: its prebuilt bundle carries its own Buffer/stream shims, so the
// page needs no Node polyfills. The mesh imports this lazily when no SimplePeer is injected.
import bundle from 'simple-peer/simplepeer.min.js';
import type { SimplePeerConstructor } from './types';

export const SimplePeer = bundle as SimplePeerConstructor;

// Physical floors for bench/browser.mjs, measured in the same run as the Raft numbers: a raw
// data-channel round trip between two tabs (the authenticated mesh, no Raft, no Worker) and one
// small IndexedDB readwrite transaction. Query: key, signaling, peerId.
import { createPeerMesh, deriveRoomAndAuthKey, type PeerMesh } from '@meshraft/webrtc';

declare global {
  interface Window {
    baseline: {
      peers(): string[];
      /** `count` sequential pings to `to` on the control channel; round-trip times in ms. */
      ping(to: string, count: number): Promise<number[]>;
      /** `count` sequential single-put readwrite transactions; durations in ms. */
      idb(count: number): Promise<number[]>;
    };
  }
}

const params = new URLSearchParams(location.search);
const { room, authKey } = await deriveRoomAndAuthKey(params.get('key') ?? 'baseline-default-group-key');
const mesh: PeerMesh = createPeerMesh({
  signalingUrl: params.get('signaling') ?? 'http://127.0.0.1:8788',
  room,
  peerId: params.get('peerId') ?? `b-${Math.random().toString(36).slice(2, 10)}`,
  authKey,
  iceServers: [],
});

const PING = 1;
const PONG = 2;
let waiting: ((at: number) => void) | null = null;
mesh.on('message', (from, bytes) => {
  if (bytes[0] === PING) mesh.send(from, Uint8Array.of(PONG, ...bytes.subarray(1)), 'control');
  else if (bytes[0] === PONG) waiting?.(performance.now());
});

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(`baseline-${Math.random().toString(36).slice(2)}`, 1);
    request.onupgradeneeded = () => request.result.createObjectStore('kv');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

window.baseline = {
  peers: () => mesh.peers(),
  async ping(to, count) {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const sent = performance.now();
      const back = new Promise<number>((resolve) => (waiting = resolve));
      mesh.send(to, Uint8Array.of(PING, i & 0xff), 'control');
      times.push((await back) - sent);
    }
    waiting = null;
    return times;
  },
  async idb(count) {
    const db = await openDb();
    const times: number[] = [];
    const value = new Uint8Array(100);
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('kv', 'readwrite', { durability: 'default' });
        tx.objectStore('kv').put(value, i);
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      times.push(performance.now() - start);
    }
    db.close();
    return times;
  },
};

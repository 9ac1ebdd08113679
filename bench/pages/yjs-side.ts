// The Yjs comparison in the same tab: a Y.Doc with one Y.Map shared through y-webrtc with its
// defaults, except that no public signaling server is contacted (signaling: []): tabs of one
// browser then sync over y-webrtc's BroadcastChannel, which is how it connects same-browser tabs.
import * as Y from 'yjs';
import { WebrtcProvider } from 'y-webrtc';

export interface YjsSide {
  /** Peers y-webrtc sees over BroadcastChannel (the writer waits for the others). */
  bcPeers(): number;
  /** `count` map writes, `gapMs` apart; write times by mark id. */
  writes(count: number, gapMs: number, firstMark: number): Promise<{ m: number; start: number }[]>;
  /** Mark -> when this tab saw the remote write. */
  seenTimes(): [number, number][];
}

export function startYjs(room: string): YjsSide {
  const doc = new Y.Doc();
  const provider = new WebrtcProvider(room, doc, { signaling: [] });
  const map = doc.getMap<number>('bench');
  const seen = new Map<number, number>();
  map.observe((event) => {
    if (event.transaction.local) return;
    const at = performance.now();
    for (const key of event.keysChanged) seen.set(Number(key), at);
  });
  return {
    bcPeers: () => (provider.room as unknown as { bcConns: Set<string> } | null)?.bcConns.size ?? 0,
    async writes(count, gapMs, firstMark) {
      const out: { m: number; start: number }[] = [];
      for (let i = 0; i < count; i++) {
        const m = firstMark + i;
        const start = performance.now();
        map.set(String(m), m);
        out.push({ m, start });
        await new Promise((r) => setTimeout(r, gapMs));
      }
      return out;
    },
    seenTimes: () => [...seen],
  };
}

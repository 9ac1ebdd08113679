// One benchmark tab (bench/browser.mjs and bench/trace.mjs drive it through window.bench): a meshraft
// peer and, side by side in the same page, a Yjs document shared with y-webrtc, so both are measured
// in the same tabs on the same machine. Query: key, signaling, peerId, voters (static membership),
// electionTimeoutMs, heartbeatMs, compactAfterEntries, yroom (Yjs room; absent: no Yjs).
// Imported first: its observers start before anything else runs (and see page load via `buffered`).
import { busy, flushLongTasks, type LongTaskRecord } from '../../e2e/pages/runtime/long-tasks';
import { createGroup, type GroupStats, type GroupStatus, type MeshraftGroup } from 'meshraft';
import { BenchStore, type BenchCommand, type BenchQuery } from './bench-store';
import { ClockSync, type ClockOffset } from './clock-sync';
import type { YjsSide } from './yjs-side';

type BenchGroup = MeshraftGroup<BenchCommand, BenchQuery, number | string | null, number>;

interface Timed {
  ms: number;
  start: number;
  end: number;
  longTasks: LongTaskRecord['tasks'];
}

declare global {
  interface Window {
    bench: {
      group: BenchGroup;
      store: BenchStore;
      started(): Promise<void>;
      /** performance.now() when the module started running (page load until here is navigation). */
      loadedAt: number;
      /** performance.now() when status first said online (null: not yet). */
      onlineAt: number | null;
      status(): GroupStatus;
      stats(): Promise<GroupStats>;
      longTasks(): LongTaskRecord;
      busy(ms: number): Promise<{ start: number; end: number }>;
      /** `count` sequential execute() calls (marked), `gapMs` apart; start times by mark id. */
      writes(count: number, gapMs: number, firstMark: number): Promise<{ m: number; start: number; end: number }[]>;
      /** Mark -> when this tab applied it. */
      appliedTimes(): [number, number][];
      /** Offsets of the other tabs' clocks relative to this one. */
      clockOffsets(tabs: string[]): Promise<Record<string, ClockOffset>>;
      /** `count` execute() of `bytes` bytes, `inFlight` at a time. */
      throughput(count: number, bytes: number, inFlight: number): Promise<Timed>;
      /** `count` commands through executeMany in batches of `batch`, `inFlight` batches at a time. */
      throughputMany(count: number, bytes: number, batch: number, inFlight: number): Promise<Timed>;
      /** Writes `count` distinct keys of `bytes` bytes through executeMany; resolves with the last index. */
      fill(count: number, bytes: number, batch: number, inFlight: number): Promise<number>;
      yjs: YjsSide | null;
      error: string | null;
    };
  }
}

const params = new URLSearchParams(location.search);
const loadedAt = performance.now();
const number = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined);
const voters = params.get('voters')?.split(',');
const peerId = params.get('peerId') ?? undefined;
const store = new BenchStore();

const group: BenchGroup = createGroup({
  key: params.get('key') ?? 'bench-default-group-key',
  signaling: params.get('signaling') ?? 'http://127.0.0.1:8788',
  stateMachine: store,
  peerId,
  bootstrap: voters ? { voters, learners: [] } : undefined,
  ...(params.get('durability') === 'strict' && { durability: 'strict' as const }),
  config: {
    ...(number('electionTimeoutMs') !== undefined && { electionTimeoutMs: number('electionTimeoutMs') }),
    ...(number('heartbeatMs') !== undefined && { heartbeatMs: number('heartbeatMs') }),
    ...(number('compactAfterEntries') !== undefined && { compactAfterEntries: number('compactAfterEntries') }),
    ...(number('maxInflightAppends') !== undefined && { maxInflightAppends: number('maxInflightAppends') }),
  },
});

const clock = new ClockSync(peerId ?? 'anonymous', `bench-clock-${params.get('key')}`);
const statusElement = document.getElementById('status')!;
// The status line is redrawn at most once a frame: the status changes with every commit, and
// rewriting the DOM that often cost the measured tabs ~0.4 ms per commit (bench/profile.mjs).
let drawPending = false;
group.subscribe(() => {
  const s = group.status;
  if (s.online && window.bench.onlineAt === null) window.bench.onlineAt = performance.now();
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    const now = group.status;
    statusElement.textContent = `${now.peerId} ${now.role} term=${now.term} leader=${now.leader} applied=${now.applied} online=${now.online}`;
  });
});

async function timed(run: () => Promise<unknown>): Promise<Timed> {
  const start = performance.now();
  await run();
  const end = performance.now();
  const longTasks = flushLongTasks().tasks.filter((t) => t.startTime + t.duration > start && t.startTime < end);
  return { ms: end - start, start, end, longTasks };
}

let fillSeq = 0;

window.bench = {
  group,
  store,
  loadedAt,
  onlineAt: null,
  error: null,
  started: () => Promise.all([group.started, yjsLoaded]).then(() => undefined),
  status: () => structuredClone(group.status),
  stats: () => group.stats(),
  longTasks: flushLongTasks,
  busy,
  async writes(count, gapMs, firstMark) {
    const out: { m: number; start: number; end: number }[] = [];
    for (let i = 0; i < count; i++) {
      const m = firstMark + i;
      performance.mark(`bench-execute-${m}`);
      const start = performance.now();
      await group.execute({ k: 'w', v: String(m), m });
      const end = performance.now();
      performance.mark(`bench-resolved-${m}`);
      out.push({ m, start, end });
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    }
    return out;
  },
  appliedTimes: () => [...store.appliedAt],
  async clockOffsets(tabs) {
    const out: Record<string, ClockOffset> = {};
    for (const tab of tabs) out[tab] = await clock.offsetOf(tab);
    return out;
  },
  throughput: (count, bytes, inFlight) =>
    timed(async () => {
      const v = 'x'.repeat(Math.max(0, bytes - 10));
      let issued = 0;
      const lane = async () => {
        while (issued < count) {
          issued++;
          await group.execute({ k: 't', v });
        }
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
    }),
  throughputMany: (count, bytes, batch, inFlight) =>
    timed(async () => {
      const v = 'x'.repeat(Math.max(0, bytes - 10));
      let issued = 0;
      const lane = async () => {
        while (issued < count) {
          const size = Math.min(batch, count - issued);
          issued += size;
          await group.executeMany(Array.from({ length: size }, () => ({ k: 't', v })));
        }
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
    }),
  async fill(count, bytes, batch, inFlight) {
    let issued = 0;
    let last = 0;
    const lane = async () => {
      while (issued < count) {
        const size = Math.min(batch, count - issued);
        issued += size;
        const commands = Array.from({ length: size }, () => {
          const k = `f${fillSeq++}`;
          return { k, v: k.padEnd(Math.max(1, bytes - 12), '.') };
        });
        const range = await group.executeMany(commands);
        last = Math.max(last, range.end);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    return last;
  },
  yjs: null,
};
// Yjs is loaded only by the tabs that run it: a tab of the catch-up or snapshot rows is a meshraft
// app alone, and evaluating Yjs's modules at page load was a long task of its own there.
const yroom = params.get('yroom');
const yjsLoaded = yroom === null ? Promise.resolve() : import('./yjs-side').then(({ startYjs }) => void (window.bench.yjs = startYjs(yroom)));
group.started.catch((error: Error) => (window.bench.error = `${error.name}: ${error.message}`));

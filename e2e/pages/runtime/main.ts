// Runtime e2e page: one meshraft peer per tab, driven by Playwright through window.meshraft.
// Query parameters: key (group key), signaling (URL), room (testing.room override),
// peerId, bootstrap ('true' | 'false'), voters / learners (static membership, comma-separated ids), worker ('false' to run the engine on the main thread),
// preference ('observer'; default 'normal'),
// localChannel ('false': data channels only between tabs of this browser),
// electionTimeoutMs / heartbeatMs / autoRemoveAfterMs / maxVoters (config overrides).
// Imported first: its observers start before the runtime does (and see page load through `buffered`).
import { busy, flushLongTasks, type LongTaskRecord } from './long-tasks';
// Before the runtime creates its data channels (it wraps their message handlers).
import { holdInbound, releaseInbound } from './inbound-hold';
import { cutLinks } from './link-cut';
import { postLocalFrame, type LocalFrameShape } from './local-frames';
import { createGroup, type GroupStats, type GroupStatus, type MeshraftGroup } from 'meshraft';
import { Register, type RegisterCommand, type RegisterQuery, type RegisterResult, type RegisterSummary } from './register';
import type { StoredTombstone } from './tombstone';
import { Writer, type WriterOptions } from './writer';

type RegisterGroup = MeshraftGroup<RegisterCommand, RegisterQuery, string | null | RegisterSummary, RegisterResult>;

declare global {
  interface Window {
    meshraft: {
      group: RegisterGroup;
      /** Main-thread long tasks and long animation frames since navigation (flushes the observers). */
      longTasks(): LongTaskRecord;
      /** A deliberate long task of `ms` on the main thread (proves the long-task observers work). */
      busy(ms: number): Promise<{ start: number; end: number }>;
      /** Test-only: keep every frame received from peers from now on, both paths (the tab falls behind). */
      holdInbound(): Promise<void>;
      /** Deliver the held frames in order and stop holding; returns how many were held. */
      releaseInbound(): Promise<number>;
      /** Test-only: cut every WebRTC link of this tab for good (link-cut.ts). */
      cutLinks(): void;
      /** Test-only: post a message on the same-browser channel from `via` to `to`, claiming `from` (local-frames.ts). */
      postLocalFrame(via: string, from: string, to: string, shape: LocalFrameShape): Promise<void>;
      /** Plain-data status for page.evaluate. */
      status(): GroupStatus;
      set(key: string, value: string): Promise<number>;
      /** Compare-and-set: the log index and whether the value was swapped. */
      cas(key: string, expected: string | null, value: string): Promise<{ index: number; swapped: boolean }>;
      /** `count` commands of `bytes` bytes each, `inFlight` executeMany batches at a time. */
      fill(count: number, bytes: number, batch: number, inFlight: number): Promise<number>;
      get(key: string, consistency: 'strong' | 'weak'): Promise<{ result: string | null; position: number }>;
      summary(): Promise<RegisterSummary>;
      stats(): Promise<GroupStats>;
      /** Names of this origin's IndexedDB databases that start with `meshraft:`. */
      databases(): Promise<string[]>;
      /** This profile's tombstones of the group, by peer id, as stored in localStorage (the notice, `knew` included, and `at`, `own`, `before`). */
      tombstones(): Promise<Record<string, StoredTombstone>>;
      /** Peer ids this profile's localStorage lists as departed from the group (tombstones). */
      departedIds(): Promise<string[]>;
      /** Starts the history-recording client workload (writer.ts); stopWriter() ends it. */
      startWriter(options: WriterOptions): void;
      stopWriter(): Promise<number>;
      /** Resolves when the group started; rejects with the startup error. */
      started(): Promise<void>;
      /** Opens a same-origin copy of this page with window.open: Chromium copies sessionStorage into it. */
      duplicate(): void;
      /** `count` sequential execute() calls; the latency of each in ms (bench). */
      latencies(count: number): Promise<number[]>;
      /** `count` execute() calls of `bytes`-byte commands, `inFlight` at a time; elapsed ms (bench). */
      throughput(count: number, bytes: number, inFlight: number): Promise<number>;
      /** The most source peers any catch-up status reported (0: never caught up through a session). */
      catchUpMaxPeers: number;
      error: string | null;
    };
  }
}

const params = new URLSearchParams(location.search);
const number = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined);
const bootstrapParam = params.get('bootstrap');
// `voters=a,b,c`: a static membership every tab starts from (createGroup's bootstrap: Membership).
const voters = params.get('voters')?.split(',');
const learners = params.get('learners')?.split(',') ?? [];

const groupKey = params.get('key') ?? 'e2e-default-group-key';
const group: RegisterGroup = createGroup({
  key: groupKey,
  signaling: params.get('signaling') ?? 'http://127.0.0.1:8788',
  stateMachine: new Register(),
  peerId: params.get('peerId') ?? undefined,
  bootstrap: voters ? { voters, learners } : bootstrapParam === null ? undefined : bootstrapParam === 'true',
  worker: params.get('worker') !== 'false',
  preference: params.get('preference') === 'observer' ? 'observer' : 'normal',
  localChannel: params.get('localChannel') !== 'false',
  ...(params.has('durability') && { durability: params.get('durability') as 'relaxed' | 'strict' }),
  config: {
    ...(number('electionTimeoutMs') !== undefined && { electionTimeoutMs: number('electionTimeoutMs') }),
    ...(number('heartbeatMs') !== undefined && { heartbeatMs: number('heartbeatMs') }),
    ...(number('autoRemoveAfterMs') !== undefined && { autoRemoveAfterMs: number('autoRemoveAfterMs') }),
    ...(number('maxVoters') !== undefined && { maxVoters: number('maxVoters') }),
  },
  testing: params.has('room') ? { room: params.get('room')! } : undefined,
});

const statusElement = document.getElementById('status')!;
group.subscribe(() => {
  const s = group.status;
  if (s.catchUp && window.meshraft) window.meshraft.catchUpMaxPeers = Math.max(window.meshraft.catchUpMaxPeers, s.catchUp.peersUsed);
  statusElement.textContent = `${s.peerId} ${s.role} term=${s.term} leader=${s.leader} committed=${s.committed} applied=${s.applied} online=${s.online}`;
});

const writer = new Writer(group);

window.meshraft = {
  group,
  longTasks: flushLongTasks,
  busy,
  holdInbound,
  releaseInbound,
  cutLinks,
  postLocalFrame: async (via, from, to, shape) => postLocalFrame(groupKey, (await group.stats()).room!, via, from, to, shape),
  catchUpMaxPeers: 0,
  error: null,
  status: () => structuredClone(group.status),
  set: async (key, value) => (await group.execute({ set: key, value })).index,
  async cas(key, expected, value) {
    const { index, result } = await group.execute({ cas: key, expected, value });
    return { index, swapped: typeof result === 'object' && result.swapped };
  },
  async fill(count, bytes, batch, inFlight) {
    const pad = 'x'.repeat(Math.max(0, bytes - 10));
    let issued = 0;
    let last = 0;
    const worker = async () => {
      while (issued < count) {
        const size = Math.min(batch, count - issued);
        issued += size;
        const range = await group.executeMany(Array.from({ length: size }, () => ({ pad })));
        last = Math.max(last, range.end);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return last;
  },
  get: async (key, consistency) => {
    const { result, position } = await group.query({ get: key }, consistency);
    return { result: result as string | null, position };
  },
  summary: async () => (await group.query({ summary: true }, 'weak')).result as RegisterSummary,
  stats: () => group.stats(),
  async latencies(count) {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await group.execute({ set: 'latency', value: String(i) });
      times.push(performance.now() - start);
    }
    return times;
  },
  async throughput(count, bytes, inFlight) {
    const pad = 'x'.repeat(Math.max(0, bytes - 10));
    let issued = 0;
    const start = performance.now();
    const lane = async () => {
      while (issued < count) {
        issued++;
        await group.execute({ pad });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
    return performance.now() - start;
  },
  databases: async () => (await indexedDB.databases()).map((d) => d.name ?? '').filter((name) => name.startsWith('meshraft:')),
  async tombstones() {
    // The runtime's tombstones (meshraft's browser/local-slots.ts): one localStorage item per peer,
    // own records under one prefix and relayed notices under another (an own record wins).
    const { room } = await group.stats();
    const out: Record<string, StoredTombstone> = {};
    for (const prefix of [`meshraft:departed-relayed:${room}:`, `meshraft:departed:${room}:`]) {
      for (const key of Object.keys(localStorage)) if (key.startsWith(prefix)) out[key.slice(prefix.length)] = JSON.parse(localStorage.getItem(key)!) as StoredTombstone;
    }
    return out;
  },
  departedIds: async () => Object.keys(await window.meshraft.tombstones()),
  startWriter: (options) => writer.start(options),
  stopWriter: () => writer.stop(),
  started: () => group.started,
  duplicate: () => void window.open(location.href, '_blank'),
};
group.started.catch((error: Error) => (window.meshraft.error = `${error.name}: ${error.message}`));

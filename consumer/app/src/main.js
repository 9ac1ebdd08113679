// The consumer app's page, bundled by Vite, webpack and esbuild alike: one meshraft peer per tab,
// driven by consumer/run.mjs through window.app. Query: key, signaling, electionTimeoutMs, heartbeatMs,
// worker ('false': the engine runs on the main thread, loaded on demand), machine ('registers': the
// Registers state machine and its writer, for the chaos check; otherwise the Counter),
// compactAfterEntries (the engine's compaction threshold; the chaos check on a compacting log sets it low).
import { createGroup } from 'meshraft';
import { Counter } from './counter.mjs';
import { Registers } from './registers.mjs';
import { startWriter } from './writer.mjs';
import { exposeApp } from './window-app.mjs';

const params = new URLSearchParams(location.search);
const number = (name, fallback) => (params.has(name) ? Number(params.get(name)) : fallback);

const group = createGroup({
  key: params.get('key') ?? 'consumer-app-default-key',
  signaling: params.get('signaling') ?? 'http://127.0.0.1:8787',
  stateMachine: params.get('machine') === 'registers' ? new Registers() : new Counter(),
  worker: params.get('worker') !== 'false',
  config: {
    electionTimeoutMs: number('electionTimeoutMs', 1000),
    heartbeatMs: number('heartbeatMs', 100),
    ...(params.has('compactAfterEntries') ? { compactAfterEntries: number('compactAfterEntries', 0) } : {}),
  },
});

let writer = null;

exposeApp(group, {
  /** Runtime counters (frames, routes, mesh): the chaos check prints them when a group does not settle. */
  stats: async () => JSON.parse(JSON.stringify(await group.stats())),
  /**
   * Registers only: starts this tab's writer (options: client, keys, pauseMs); it reports every
   * operation to `window.meshraftHistory`, a function the chaos check exposes to its pages.
   */
  startWriter: (options) => {
    if (writer) throw new Error('the writer is already running');
    if (typeof window.meshraftHistory !== 'function') throw new Error('window.meshraftHistory is not exposed');
    writer = startWriter(group, options, (event) => window.meshraftHistory(event));
  },
  /**
   * Registers only: appends `count` puts of key 'pre' in one executeMany, with the values
   * `${prefix}${from}` .. `${prefix}${from + count - 1}` (each padded with `pad` characters, so the log
   * and its snapshots grow as an app's would); resolves with the batch's first and last index.
   */
  preload: async (prefix, from, count, pad = 0) => {
    const tail = pad > 0 ? `:${'x'.repeat(pad)}` : '';
    const commands = Array.from({ length: count }, (_, i) => ({ put: 'pre', value: `${prefix}${from + i}${tail}` }));
    // A batch of 2,000 can take longer than the default timeout on a loaded machine; the check
    // needs it done, not a TimeoutError (whose outcome it could not count).
    const { start, end } = await group.executeMany(commands, { timeoutMs: 120_000 });
    return { start, end };
  },
  /** Stops the writer after the operation in flight; resolves with how many operations it issued. */
  stopWriter: async () => (writer ? writer.stop() : 0),
});

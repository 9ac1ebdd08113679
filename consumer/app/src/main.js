// The consumer app's page, bundled by Vite, webpack and esbuild alike: one meshraft peer per tab,
// driven by consumer/run.mjs through window.app. Query: key, signaling, electionTimeoutMs, heartbeatMs,
// worker ('false': the engine runs on the main thread, loaded on demand), machine ('registers': the
// Registers state machine and its writer, for the chaos check; otherwise the Counter).
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
  config: { electionTimeoutMs: number('electionTimeoutMs', 1000), heartbeatMs: number('heartbeatMs', 100) },
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
  /** Stops the writer after the operation in flight; resolves with how many operations it issued. */
  stopWriter: async () => (writer ? writer.stop() : 0),
});

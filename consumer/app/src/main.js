// The consumer app's page, bundled by Vite, webpack and esbuild alike: one meshraft peer per tab,
// driven by consumer/run.mjs through window.app. Query: key, signaling, electionTimeoutMs, heartbeatMs,
// worker ('false': the engine runs on the main thread, loaded on demand).
import { createGroup } from 'meshraft';
import { Counter } from './counter.mjs';

const params = new URLSearchParams(location.search);
const number = (name, fallback) => (params.has(name) ? Number(params.get(name)) : fallback);

const group = createGroup({
  key: params.get('key') ?? 'consumer-app-default-key',
  signaling: params.get('signaling') ?? 'http://127.0.0.1:8787',
  stateMachine: new Counter(),
  worker: params.get('worker') !== 'false',
  config: { electionTimeoutMs: number('electionTimeoutMs', 1000), heartbeatMs: number('heartbeatMs', 100) },
});

window.app = {
  error: null,
  /** Resolves once the group started; rejects with the startup error. */
  started: () => group.started.then(() => true),
  status: () => JSON.parse(JSON.stringify(group.status)),
  execute: async (add) => (await group.execute({ add })).index,
  query: async (what, consistency) => {
    const { result, position } = await group.query(what, consistency);
    return { result, position };
  },
  close: () => group.close(),
};
group.started.catch((error) => (window.app.error = `${error.name}: ${error.message}`));

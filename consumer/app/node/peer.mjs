#!/usr/bin/env node
// A plain Node 20 peer of the consumer app: `node node/peer.mjs <key> <signaling-url>` joins the
// group (of browser tabs, usually) through meshraft/node, with WebRTC from @roamhq/wrtc.
// consumer/run.mjs drives it like a tab: one JSON request per stdin line
//   {"id":1,"op":"started"|"status"|"execute"|"query"|"close", "add"?: n, "what"?: q, "consistency"?: c}
// answered by one JSON line on stdout: {"id":1,"ok":true,"value":...} or {"id":1,"ok":false,"error":"..."}.
// stdin closing also closes the group and ends the process.
import { createInterface } from 'node:readline';
import { createGroup } from 'meshraft/node';
import { Counter } from '../src/counter.mjs';

const [key, signaling] = process.argv.slice(2);
if (!key || !signaling) {
  console.error('usage: node node/peer.mjs <key> <signaling-url>');
  process.exit(2);
}

const group = createGroup({
  key,
  signaling,
  stateMachine: new Counter(),
  config: { electionTimeoutMs: 1000, heartbeatMs: 100 },
});

const ops = {
  started: () => group.started.then(() => true),
  status: () => group.status,
  execute: async (request) => (await group.execute({ add: request.add })).index,
  query: async (request) => {
    const { result, position } = await group.query(request.what, request.consistency);
    return { result, position };
  },
  close: () => group.close().then(() => true),
};

const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    reply({ id: null, ok: false, error: `not JSON: ${line}` });
    return;
  }
  const op = ops[request.op];
  if (!op) return reply({ id: request.id, ok: false, error: `unknown op ${request.op}` });
  try {
    reply({ id: request.id, ok: true, value: await op(request) });
  } catch (error) {
    reply({ id: request.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
});
lines.on('close', async () => {
  await group.close().catch(() => {});
  process.exit(0);
});

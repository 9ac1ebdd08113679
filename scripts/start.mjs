#!/usr/bin/env node
// `npm start`: the signaling server plus the demo app, and the URL to open in several tabs.
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const signalPort = Number(process.env.SIGNAL_PORT ?? 8787);
const demoPort = Number(process.env.DEMO_PORT ?? 5173);
const host = process.env.HOST ?? '127.0.0.1';

const children = [];
function start(name, args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  child.stdout.on('data', (chunk) => process.stdout.write(`[${name}] ${chunk}`));
  child.on('exit', (code) => {
    console.log(`[${name}] exited with ${code}; stopping.`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

function shutdown(code) {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

start('signal', ['packages/signaling/bin/meshraft-signal.mjs', '--port', String(signalPort), '--host', host]);
start('demo', ['node_modules/vite/bin/vite.js', 'apps/demo', '--port', String(demoPort), '--host', host, '--strictPort'], {
  VITE_SIGNALING_URL: `http://${host}:${signalPort}`,
});

setTimeout(() => {
  console.log(`\n  meshraft demo: open http://${host}:${demoPort}/ in two or three tabs.`);
  console.log(`  (signaling server: http://${host}:${signalPort}/healthz)\n`);
}, 1500);

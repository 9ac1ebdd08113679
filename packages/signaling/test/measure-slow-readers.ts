// Load probe, not a test: N clients join one room, stop reading, keep answering engine.io pings and
// sending 'alive' blindly, and send each other signals at just under the per-socket rate limit.
// Reports the server process's RSS, /healthz latency and how many of the clients it dropped.
//
//   npx tsx packages/signaling/test/measure-slow-readers.ts [clients=20] [seconds=30] [-- extra CLI flags]

import { readFileSync } from 'node:fs';
import { spawnCli } from './cli-process';
import { RawSocketIoClient } from './raw-socketio-client';

const [clientsArg, secondsArg, ...rest] = process.argv.slice(2);
const CLIENTS = Number(clientsArg ?? 20);
const SECONDS = Number(secondsArg ?? 30);
const extraFlags = rest[0] === '--' ? rest.slice(1) : rest;
const SIGNALS_PER_SECOND = 45; // default limit is 50/s per socket
const SIGNAL_BYTES = 60_000; // default payload limit is 64 KiB

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function healthLatencyMs(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/healthz`);
  await response.text();
  return Math.round(performance.now() - started);
}

const { child, url: listening } = spawnCli(['--port', '0', '--quiet', ...extraFlags], { ...process.env, REDIS_URL: '' });
const url = await listening;
const pid = child.pid ?? 0;
const room = 'room-slow-readers-000000';
const clients: RawSocketIoClient[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const client = await RawSocketIoClient.connect(url);
  const ack = await client.emitWithAck('join', { room, peerId: `h${i}` });
  if (!(ack as { ok?: boolean }).ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
  clients.push(client);
}
const data = 'x'.repeat(SIGNAL_BYTES);
for (const client of clients) {
  client.stopReading();
  client.startBlindHeartbeat(1000);
}
let sent = 0;
const senders = clients.map((client, i) =>
  setInterval(() => {
    const to = `h${(i + 1 + (sent % (CLIENTS - 1))) % CLIENTS}`;
    client.emit('signal', { to, data });
    sent += 1;
  }, 1000 / SIGNALS_PER_SECOND),
);

console.log(`server pid ${pid}, ${CLIENTS} non-reading clients, ${SIGNALS_PER_SECOND} signals/s of ${SIGNAL_BYTES} B each`);
console.log('t(s)\trss(MB)\thealthz(ms)\tclients closed\tpeers');
let peakRss = 0;
let worstHealth = 0;
for (let second = 2; second <= SECONDS; second += 2) {
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rss = rssMb(pid);
  const latency = await healthLatencyMs(url);
  const health = (await (await fetch(`${url}/healthz`)).json()) as { peers: number };
  peakRss = Math.max(peakRss, rss);
  worstHealth = Math.max(worstHealth, latency);
  const closed = clients.filter((c) => c.closed).length;
  console.log(`${second}\t${rss}\t${latency}\t\t${closed}\t\t${health.peers}`);
}
for (const timer of senders) clearInterval(timer);
for (const client of clients) client.close();
child.kill('SIGTERM');
console.log(`peak RSS ${peakRss} MB, worst /healthz ${worstHealth} ms, signals sent ${sent}`);

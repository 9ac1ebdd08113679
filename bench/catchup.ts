// Catch-up benchmark (a measurement, not a test): one CatchUpSession fetches 100,000
// entries of 100 bytes from 1, 2 and 4 source peers (plus a leader, which the scheduler uses last)
// in a virtual-time network where every directed link has a bandwidth cap and a latency.
// Message sizes are the real encoded frames (the codec). Writes bench/results/catchup.json.
// Usage: npm run bench:catchup   (env: BENCH_CATCHUP_ENTRIES, BENCH_CATCHUP_SOURCES="1,2,4")
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerCatchUpRequest, arraySource, CatchUpSession } from '../packages/core/src/catchup/index';
import { encodeMessage } from '../packages/core/src/codec/index';
import { defaultRaftConfig } from '../packages/core/src/config';
import type { Message } from '../packages/core/src/messages';
import type { LogEntry, PeerId } from '../packages/core/src/types';

const conditions = {
  entries: Number(process.env.BENCH_CATCHUP_ENTRIES ?? 100_000),
  entryDataBytes: 100,
  linkBytesPerSec: 1_000_000,
  linkLatencyMs: 20,
  batchSize: defaultRaftConfig.catchUpBatchSize,
  requestTimeoutMs: defaultRaftConfig.catchUpRequestTimeoutMs,
  tickMs: 50,
  leaderIncluded: true,
  timeBase: 'virtual',
};
const SOURCES = (process.env.BENCH_CATCHUP_SOURCES ?? '1,2,4').split(',').map(Number);
const OUTPUT = path.join(fileURLToPath(new URL('..', import.meta.url)), 'bench/results/catchup.json');

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

/** A tiny discrete-event network: FIFO links with a bandwidth cap and a fixed latency. */
class CappedNetwork {
  now = 0;
  private events: Event[] = [];
  private seq = 0;
  private readonly linkFreeAt = new Map<string, number>();
  bytesSent = 0;

  /** Schedules delivery of `bytes` over link from→to: queued behind earlier sends on that link. */
  send(from: PeerId, to: PeerId, bytes: number, deliver: () => void): void {
    const link = `${from}->${to}`;
    const start = Math.max(this.now, this.linkFreeAt.get(link) ?? 0);
    const done = start + (bytes / conditions.linkBytesPerSec) * 1000;
    this.linkFreeAt.set(link, done);
    this.bytesSent += bytes;
    this.at(done + conditions.linkLatencyMs, deliver);
  }

  at(at: number, run: () => void): void {
    const event = { at, seq: this.seq++, run };
    // Events are few (one in flight per peer plus ticks): a sorted insert is enough.
    let i = this.events.length;
    while (i > 0 && (this.events[i - 1].at > at || (this.events[i - 1].at === at && this.events[i - 1].seq > event.seq))) i--;
    this.events.splice(i, 0, event);
  }

  step(): boolean {
    const next = this.events.shift();
    if (!next) return false;
    this.now = Math.max(this.now, next.at);
    next.run();
    return true;
  }
}

function makeLog(n: number): LogEntry[] {
  const log: LogEntry[] = [];
  for (let i = 1; i <= n; i++) {
    const data = new Uint8Array(conditions.entryDataBytes);
    data.fill(i & 0xff);
    log.push({ index: i, term: 1 + Math.floor(i / 25_000), kind: 'command', data });
  }
  return log;
}

function runOnce(log: LogEntry[], sourcePeers: number) {
  const n = log.length;
  const sources = Array.from({ length: sourcePeers }, (_, i) => `source${i + 1}`);
  const everyone = [...sources, 'leader'];
  const source = arraySource({ entries: log, committed: n });
  const net = new CappedNetwork();
  const session = new CatchUpSession({
    self: 'me',
    leader: 'leader',
    peers: everyone,
    from: 1,
    to: n,
    localSnapshotIndex: 0,
    prevTerm: 0,
    batchSize: conditions.batchSize,
    requestTimeoutMs: conditions.requestTimeoutMs,
    snapshotChunkBytes: defaultRaftConfig.snapshotChunkBytes,
    firstRequestId: 1,
    now: 0,
  });
  let received = 0;
  const flush = () => {
    for (const envelope of session.takeOutbox()) {
      const peer = envelope.to;
      const request = envelope.message;
      net.send('me', peer, encodeMessage(request).length, () => {
        const reply = answerCatchUpRequest(source, request);
        if (!reply) return;
        const frame = encodeMessage(reply);
        net.send(peer, 'me', frame.length, () => deliver(peer, reply));
      });
    }
    for (const out of session.takeOutput()) if (out.kind === 'entries') received += out.entries.length;
  };
  const deliver = (peer: PeerId, message: Message) => {
    session.receive(peer, message, net.now);
    flush();
  };
  const tick = () => {
    session.tick(net.now);
    flush();
    if (!session.done) net.at(net.now + conditions.tickMs, tick);
  };
  session.start(0);
  flush();
  net.at(conditions.tickMs, tick);
  while (!session.done && net.step()) {
    // run the virtual clock until the session completes
  }
  if (received !== n) throw new Error(`expected ${n} entries, got ${received}`);
  const stats = session.stats();
  const seconds = net.now / 1000;
  return {
    sourcePeers,
    entries: n,
    entriesPerSec: Math.round(n / seconds),
    requests: stats.requestsSent,
    virtualSeconds: Math.round(seconds * 1000) / 1000,
    availabilityRequests: stats.availabilityRequests,
    peersUsed: session.progress().peersUsed,
    chunksByPeer: stats.chunksByPeer,
    megabytesOnWire: Math.round(net.bytesSent / 1e4) / 100,
  };
}

const log = makeLog(conditions.entries);
const results = SOURCES.map((k) => runOnce(log, k));
const base = results.find((r) => r.sourcePeers === 1);
const rows = results.map((r) => ({ ...r, speedupVs1: base ? Math.round((r.entriesPerSec / base.entriesPerSec) * 100) / 100 : null }));

mkdirSync(path.dirname(OUTPUT), { recursive: true });
writeFileSync(OUTPUT, JSON.stringify({ conditions, results: rows }, null, 2) + '\n');

console.log(`catch-up of ${conditions.entries} entries x ${conditions.entryDataBytes} B, links ${conditions.linkBytesPerSec / 1e6} MB/s, ${conditions.linkLatencyMs} ms latency, batch ${conditions.batchSize} (virtual time)`);
console.table(
  rows.map((r) => ({
    sources: r.sourcePeers,
    'entries/s': r.entriesPerSec,
    seconds: r.virtualSeconds,
    requests: r.requests,
    'peers used': r.peersUsed,
    'leader chunks': r.chunksByPeer.leader ?? 0,
    speedup: r.speedupVs1,
  })),
);
console.log(`wrote ${path.relative(process.cwd(), OUTPUT)}`);

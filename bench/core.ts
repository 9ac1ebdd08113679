// `npm run bench:core`: throughput of the sans-IO engine in one process. Not a test.
//
// Three RaftNode peers, instant in-memory persistence (each Ready's batch is appended to a plain
// array and acknowledged at once, like MemoryStorage without the promise hop), and a direct-call
// network (a synchronous FIFO of envelopes). Real wall-clock time. N closed-loop clients each keep
// one command outstanding at the leader; a command counts once the leader has applied it.
//   batching on:  all commands queued since the last loop are proposed in ONE propose call and
//                 AppendEntries carry up to 512 entries;
//   batching off: one propose call per command and maxBatchEntries = 1.
// Writes bench/results/core.json and prints a table.
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RaftNode, resolveConfig, seededRandom, type Envelope, type LogEntry, type PeerId, type RaftConfig } from '@meshraft/core';

const WARMUP_MS = 400;
const DURATION_MS = 2000;
const CLIENTS = [1, 64, 1024];
const PEERS: PeerId[] = ['a', 'b', 'c'];

interface Result {
  clients: number;
  batching: boolean;
  commandsPerSec: number;
  proposeCalls: number;
  meanBatch: number;
}

class BenchPeer {
  readonly log: LogEntry[] = []; // the "disk": appended, never read back
  applied = 0;
  constructor(readonly node: RaftNode) {}
}

function makeCluster(config: RaftConfig): BenchPeer[] {
  const membership = { voters: [...PEERS], learners: [] };
  return PEERS.map(
    (id, i) =>
      new BenchPeer(
        new RaftNode({
          id,
          config,
          preference: i === 0 ? 'normal' : { reluctant: 4 }, // 'a' wins the first election
          random: seededRandom(i + 1),
          now: performance.now(),
          state: { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] },
          bootstrap: membership,
        }),
      ),
  );
}

function run(clients: number, batching: boolean): Result {
  const config = resolveConfig({
    electionTimeoutMs: 300,
    electionJitterMs: 100,
    heartbeatMs: 50,
    bootstrapDelayMs: 0,
    maxBatchEntries: batching ? 512 : 1,
  });
  const peers = makeCluster(config);
  const byId = new Map(peers.map((p) => [p.node.id, p]));
  const wire: Array<{ from: PeerId; env: Envelope }> = [];
  // Commands waiting to be proposed (client ids), and clients waiting for an index to apply.
  let queued: number[] = [];
  const waiting = new Map<number, number[]>();
  const proposalClients = new Map<number, number[]>();
  let requestId = 0;
  let seq = 0;
  let committed = 0;
  let proposeCalls = 0;
  let proposedCommands = 0;
  const payload = new Uint8Array(16).fill(7);

  const pump = (peer: BenchPeer) => {
    const node = peer.node;
    while (node.hasReady()) {
      const ready = node.ready();
      for (const e of ready.persist.entries) peer.log.push(e); // "persist" instantly
      for (const env of ready.messages) wire.push({ from: node.id, env });
      for (const e of ready.committed) {
        peer.applied = e.index;
        const done = peer === leader ? waiting.get(e.index) : undefined;
        if (done) {
          waiting.delete(e.index);
          committed += done.length;
          queued.push(...done);
        }
      }
      for (const p of ready.proposals) {
        const owners = proposalClients.get(p.requestId) ?? [];
        proposalClients.delete(p.requestId);
        if (!p.ok) {
          queued.push(...owners); // retry
          continue;
        }
        // All commands of one proposal commit together: wake them when `end` is applied.
        const list = waiting.get(p.end) ?? [];
        list.push(...owners);
        waiting.set(p.end, list);
      }
      node.storageDone(ready.token);
    }
  };
  const deliverAll = () => {
    for (let i = 0; i < wire.length; i++) {
      const { from, env } = wire[i];
      const to = byId.get(env.to)!;
      to.node.receive(from, env.message, performance.now());
      pump(to);
    }
    wire.length = 0;
  };
  const tickAll = () => {
    const now = performance.now();
    for (const p of peers) {
      p.node.tick(now);
      pump(p);
    }
    deliverAll();
  };

  // Elect a leader.
  let leader: BenchPeer | null = null;
  const electBy = performance.now() + 5000;
  while (!leader) {
    tickAll();
    leader = peers.find((p) => p.node.status().role === 'leader' && p.node.status().committed > 0) ?? null;
    if (performance.now() > electBy) throw new Error('no leader elected');
  }
  const lead: BenchPeer = leader;
  for (let c = 0; c < clients; c++) queued.push(c);

  const start = performance.now();
  let measureFrom = -1;
  let committedAtStart = 0;
  let lastTick = start;
  for (;;) {
    const now = performance.now();
    if (measureFrom < 0 && now - start >= WARMUP_MS) {
      measureFrom = now;
      committedAtStart = committed;
    }
    if (measureFrom >= 0 && now - measureFrom >= DURATION_MS) break;
    if (queued.length > 0) {
      const batch = queued;
      queued = [];
      if (batching) {
        const id = ++requestId;
        proposalClients.set(id, batch);
        lead.node.propose(id, batch.map(() => payload), { clientId: 'bench', seq }, now);
        seq += batch.length;
        proposeCalls++;
      } else {
        for (const c of batch) {
          const id = ++requestId;
          proposalClients.set(id, [c]);
          lead.node.propose(id, [payload], { clientId: `c${c}`, seq: seq++ }, now);
          proposeCalls++;
        }
      }
      proposedCommands += batch.length;
    }
    pump(lead);
    deliverAll();
    if (now - lastTick >= 10) {
      lastTick = now;
      tickAll();
    }
    if (lead.node.status().role !== 'leader') throw new Error('leader lost during the benchmark');
  }
  const seconds = (performance.now() - measureFrom) / 1000;
  return {
    clients,
    batching,
    commandsPerSec: Math.round((committed - committedAtStart) / seconds),
    proposeCalls,
    meanBatch: Math.round((proposedCommands / Math.max(1, proposeCalls)) * 10) / 10,
  };
}

function main(): void {
  const results: Result[] = [];
  for (const batching of [false, true]) {
    for (const clients of CLIENTS) {
      const r = run(clients, batching);
      results.push(r);
      console.log(`clients=${String(clients).padStart(4)} batching=${String(batching).padEnd(5)} ${String(r.commandsPerSec).padStart(9)} cmd/s`);
    }
  }
  const conditions = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    date: new Date().toISOString(),
    peers: PEERS.length,
    warmupMs: WARMUP_MS,
    durationMs: DURATION_MS,
    storage: 'instant in-memory (synchronous append, storageDone at once)',
    network: 'direct-call synchronous FIFO',
    clientModel: 'closed loop: each client keeps one command outstanding at the leader; counted when applied at the leader',
    payloadBytes: 16,
  };
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'core.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify({ conditions, results: results.map(({ clients, batching, commandsPerSec, meanBatch }) => ({ clients, batching, commandsPerSec, meanBatch })) }, null, 2) + '\n',
  );
  console.log('\n| clients | batching | commands/s | mean commands per propose |');
  console.log('|--------:|:--------:|-----------:|--------------------------:|');
  for (const r of results) console.log(`| ${r.clients} | ${r.batching ? 'yes' : 'no'} | ${r.commandsPerSec} | ${r.meanBatch} |`);
  console.log(`\nwrote ${out}`);
}

main();

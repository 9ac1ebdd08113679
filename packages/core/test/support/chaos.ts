// Randomized fault injection over EngineHarness with Raft invariant checks after every step:
// election safety, log matching, committed entries never change, leader completeness, and
// convergence once faults heal. A smaller cousin of packages/sim, for engine-level tests.
import { seededRandom } from '../../src/rng';
import type { LogEntry, PeerId, Random } from '../../src/types';
import type { InjectedBugs } from '../../src/config';
import { EngineHarness } from './engine-harness';

export interface ChaosOptions {
  seed: number;
  peers: number;
  /** Virtual ms of faults, then the same again healed. */
  durationMs: number;
  bugs?: InjectedBugs;
  /** Compaction and catch-up paths under faults: small compaction threshold (snapshots) and a low catch-up threshold. */
  compaction?: boolean;
}

const key = (e: LogEntry) => `${e.term}:${e.kind}:${e.kind === 'command' ? new TextDecoder().decode(e.data) : ''}`;

export function runChaos(options: ChaosOptions): { violations: string[]; committed: number; installs: number; sessions: number } {
  const ids = Array.from({ length: options.peers }, (_, i) => `p${i}`);
  const h = new EngineHarness({ ids, seed: options.seed, config: { electionTimeoutMs: 300, electionJitterMs: 200, heartbeatMs: 50, bootstrapDelayMs: 100, forwardTimeoutMs: 1000, maxBatchEntries: 3, ...(options.compaction ? { compactAfterEntries: 30, catchUpThreshold: 8, catchUpBatchSize: 5, snapshotChunkBytes: 64, catchUpRequestTimeoutMs: 200 } : {}) }, bugs: options.bugs });
  const rnd: Random = seededRandom(options.seed ^ 0x5eed);
  const violations: string[] = [];
  const leaderOfTerm = new Map<number, PeerId>();
  const committedAt = new Map<number, string>();
  let seq = 0;

  let checks = 0;
  const check = () => {
    checks++;
    for (const [id, node] of h.nodes) {
      const s = node.status();
      if (s.role === 'leader') {
        const prev = leaderOfTerm.get(s.term);
        if (prev !== undefined && prev !== id) violations.push(`two leaders in term ${s.term}: ${prev}, ${id}`);
        leaderOfTerm.set(s.term, id);
      }
      for (const e of h.applied.get(id)!) {
        const k = key(e);
        const seen = committedAt.get(e.index);
        if (seen === undefined) committedAt.set(e.index, k);
        else if (seen !== k) violations.push(`index ${e.index} applied as ${seen} and ${k} (${id})`);
      }
      h.applied.set(id, []);
    }
    // Log matching over the in-memory logs (every 10th step: it is quadratic).
    const nodes = [...h.nodes.values()];
    for (let i = 0; i < nodes.length && checks % 10 === 0; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i].log;
        const b = nodes[j].log;
        const last = Math.min(a.lastIndex(), b.lastIndex());
        let matchedFrom = 0;
        for (let x = last; x >= 1; x--) {
          if (a.termAt(x) !== undefined && a.termAt(x) === b.termAt(x)) {
            matchedFrom = x;
            break;
          }
        }
        for (let x = Math.max(a.firstIndex(), b.firstIndex()); x <= matchedFrom; x++) {
          if (key(a.entryAt(x)!) !== key(b.entryAt(x)!)) violations.push(`log matching broken at ${x} between ${nodes[i].id} and ${nodes[j].id}`);
        }
      }
    }
    // Leader completeness: a leader holds every committed entry.
    for (const node of nodes) {
      if (node.status().role !== 'leader') continue;
      for (const [index, k] of committedAt) {
        if (index <= node.log.snapshotIndex) continue; // compacted: covered by its snapshot
        const e = node.log.entryAt(index);
        if (!e || key(e) !== k) violations.push(`leader ${node.id} (term ${node.term}) lacks committed ${index}`);
      }
    }
  };

  const step = (faulty: boolean, propose = true) => {
    h.now += 10;
    for (const [id, node] of h.nodes) {
      node.tick(h.now);
      h.drain(id);
    }
    if (faulty && rnd() < 0.01) {
      const victim = ids[Math.floor(rnd() * ids.length)];
      h.isolate(victim);
    }
    if (faulty && rnd() < 0.01) h.heal();
    if (faulty && rnd() < 0.005) {
      const victim = ids[Math.floor(rnd() * ids.length)];
      h.start(victim); // crash + restart from disk
    }
    if (propose && rnd() < 0.3) {
      const at = ids[Math.floor(rnd() * ids.length)];
      seq++;
      h.propose(at, seq, [`v${seq}`], `c-${at}`, seq);
    }
    // Deliver in random order; some messages are delayed, lost or duplicated.
    const pending = h.network;
    h.network = [];
    for (const m of pending) {
      const r = rnd();
      if (faulty && r < 0.1) continue; // lost
      if (faulty && r < 0.3) {
        h.network.push(m); // delayed to a later step
        continue;
      }
      if (faulty && r < 0.35) h.network.push(m); // duplicated: delivered now and later
      const at = Math.floor(rnd() * (h.network.length + 1));
      h.network.splice(at, 0, m);
    }
    const count = h.network.length;
    for (let i = 0; i < count && h.network.length > 0; i++) h.deliverOne();
    check();
  };

  for (let t = 0; t < options.durationMs; t += 10) step(true);
  h.heal();
  for (let t = 0; t < options.durationMs; t += 10) step(false);
  // Convergence: one leader, everyone online with the same commit index and log.
  for (let t = 0; t < 3000; t += 10) step(false, false);
  const statuses = [...h.nodes.values()].map((n) => n.status());
  if (h.leaders().length !== 1) violations.push(`no single leader after healing: ${h.leaders().join(',')}`);
  const commits = new Set(statuses.map((s) => s.committed));
  if (commits.size !== 1) violations.push(`commit indexes differ after healing: ${[...commits].join(',')}`);
  const installs = [...h.readies].filter((r) => r.ready.persist.snapshot && r.ready.snapshotToInstall).length;
  const sessions = [...h.nodes.values()].reduce((n, node) => n + node.catchUp.sessions, 0);
  return { violations, committed: Math.max(...statuses.map((s) => s.committed)), installs, sessions };
}

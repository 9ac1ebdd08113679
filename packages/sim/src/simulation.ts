// One simulated run: a seed and a scenario in, a verdict out. Builds the cluster, drives virtual
// time, stops at the first invariant violation, requires convergence after the faults heal, and
// finally checks the client history for linearizability.
import type { InjectedBugs, Membership } from '@meshraft/core';
import { ClientDriver } from './clients';
import { EventQueue } from './event-queue';
import { FaultInjector } from './faults';
import { InvariantMonitor, type Violation } from './invariants';
import { checkKvHistory } from './lin-checker';
import { SimNetwork } from './network';
import { getScenario, scenarioNames, type ScenarioPlan } from './scenarios';
import { Dice, Stream, streamRandom } from './seeds';
import { SimPeer, type PeerEvents } from './sim-peer';
import { Trace } from './trace';

export interface SimOptions {
  seed: number;
  /** Scenario name (default 'basic'). */
  scenario?: string;
  peers?: number;
  /** One or more InjectedBugs switches (tests only). */
  bugs?: InjectedBugs;
  /** Receives every trace line as it happens. */
  echo?: (line: string) => void;
}

export interface SimStats {
  peers: number;
  virtualMs: number;
  steps: number;
  ops: number;
  unknownOps: number;
  committed: number;
  leaderTerms: number;
  messages: number;
  faults: number;
}

export interface SimResult {
  seed: number;
  scenario: string;
  ok: boolean;
  violation: Violation | null;
  /** Hash over the whole trace: equal for two runs of one seed. */
  traceHash: string;
  traceTail: string[];
  stats: SimStats;
  /** The exact command that replays this run. */
  replay: string;
}

export function replayCommand(options: SimOptions): string {
  let cmd = `npm run sim -- --seeds 1 --from ${options.seed}`;
  if (options.scenario && options.scenario !== 'basic') cmd += ` --scenario ${options.scenario}`;
  if (options.peers !== undefined) cmd += ` --peers ${options.peers}`;
  for (const [bug, on] of Object.entries(options.bugs ?? {})) if (on) cmd += ` --bug ${bug}`;
  return cmd;
}

export function runSimulation(options: SimOptions): SimResult {
  const scenarioName = options.scenario ?? 'basic';
  const scenario = getScenario(scenarioName);
  if (!scenario) throw new RangeError(`unknown scenario '${scenarioName}' (known: ${scenarioNames().join(', ')})`);
  const { seed } = options;
  const plan = scenario.plan(new Dice(streamRandom(seed, Stream.scenario)), { peers: options.peers });

  const queue = new EventQueue();
  const trace = new Trace(60, options.echo ?? null);
  const monitor = new InvariantMonitor(() => queue.now);
  const peers: SimPeer[] = [];
  const byId = new Map<string, SimPeer>();
  const network = new SimNetwork(queue, new Dice(streamRandom(seed, Stream.network)), (from, to, m) => byId.get(to)?.deliver(from, m), plan.links);
  const storageDice = new Dice(streamRandom(seed, Stream.storage));
  const bootstrap: Membership = {
    voters: plan.peers.filter((p) => p.preference !== 'observer').map((p) => p.id),
    learners: plan.peers.filter((p) => p.preference === 'observer').map((p) => p.id),
  };
  // Peers report to the fault injector, which is created after them.
  let faults: FaultInjector | null = null;
  const events: PeerEvents = {
    leaderElected: (peer, term) => faults?.leaderElected(peer, term),
    voteGranted: (peer, to) => faults?.voteGranted(peer, to),
    leaderCommitted: (peer, term, commit) => faults?.leaderCommitted(peer, term, commit),
  };
  const env = {
    seed,
    queue,
    network,
    monitor,
    trace,
    config: plan.config,
    bugs: options.bugs,
    bootstrap,
    fsyncDelay: () => plan.fsyncMs[0] + storageDice.random() * (plan.fsyncMs[1] - plan.fsyncMs[0]),
    events,
  };
  plan.peers.forEach((spec, i) => {
    const peer = new SimPeer(spec.id, i, spec.preference, env);
    peers.push(peer);
    byId.set(spec.id, peer);
  });
  faults = new FaultInjector(queue, new Dice(streamRandom(seed, Stream.faults)), peers, network, trace, plan.faults);
  const clients = new ClientDriver(queue, new Dice(streamRandom(seed, Stream.clients)), peers, plan.clients, trace);

  for (const peer of peers) {
    peer.start();
    // Every peer ticks on its own phase, forever (a crashed or paused peer ignores its ticks).
    const tick = () => {
      peer.tick();
      queue.after(plan.tickMs, tick);
    };
    queue.at(1 + (peer.index * plan.tickMs) / peers.length, tick);
  }
  faults.start();
  clients.start(100);

  const deadline = plan.faults.healAt + plan.livenessBoundMs;
  let converged = false;
  while (monitor.ok) {
    if (queue.now >= plan.faults.healAt && !clients.busy && isConverged(peers)) {
      converged = true;
      break;
    }
    if (!queue.step(deadline)) break;
  }
  if (monitor.ok && !converged) monitor.fail('liveness', `no convergence within ${plan.livenessBoundMs}ms after healing:\n${describePeers(peers)}`);
  if (monitor.ok) {
    const verdict = checkKvHistory(clients.history);
    if (verdict.status === 'violation') monitor.fail('linearizability', `key '${verdict.key}' is not linearizable:\n${verdict.detail}`);
    else if (verdict.status === 'gave-up') monitor.fail('linearizability', `checker gave up on key '${verdict.key}' after ${verdict.explored} steps`);
  }

  const violation = monitor.violation;
  return {
    seed,
    scenario: scenarioName,
    ok: violation === null,
    violation,
    traceHash: trace.digest(),
    traceTail: trace.tail(30),
    stats: {
      peers: peers.length,
      virtualMs: Math.round(queue.now),
      steps: queue.steps,
      ops: clients.history.length,
      unknownOps: clients.unknownOutcomes,
      committed: monitor.committedCount,
      leaderTerms: monitor.leaderTerms,
      messages: network.stats.sent,
      faults: Object.values(faults.counts).reduce((a, b) => a + (b ?? 0), 0),
    },
    replay: replayCommand({ ...options, scenario: scenarioName }),
  };
}

/** One leader known to all, every log fully committed and applied, identical state machines. */
function isConverged(peers: SimPeer[]): boolean {
  const first = peers[0];
  if (!first.isUp || first.paused || !first.lastStatus) return false;
  const leader = first.lastStatus.role === 'leader' ? first.id : first.lastStatus.leader;
  if (leader === null) return false;
  const { committed, term } = first.lastStatus;
  const state = first.kv.fingerprint();
  for (const p of peers) {
    const s = p.lastStatus;
    if (!p.isUp || p.paused || !s) return false;
    const knows = s.role === 'leader' ? p.id === leader : s.leader === leader;
    if (!knows || s.term !== term || s.committed !== committed || s.lastIndex !== committed) return false;
    if (p.kv.appliedIndex !== committed || p.kv.fingerprint() !== state) return false;
  }
  return true;
}

function describePeers(peers: SimPeer[]): string {
  return peers
    .map((p) => {
      const s = p.lastStatus;
      if (!p.isUp || !s) return `  ${p.id}: down`;
      return `  ${p.id}: ${s.role} term=${s.term} leader=${s.leader} commit=${s.committed} last=${s.lastIndex} applied=${p.kv.appliedIndex}${p.paused ? ' paused' : ''}`;
    })
    .join('\n');
}

/** The multi-line failure report: seed, invariant, trace tail and the replay command. */
export function formatFailure(result: SimResult): string {
  const v = result.violation;
  if (!v) return '';
  return [
    `FAIL seed ${result.seed} (scenario ${result.scenario}): ${v.invariant} at ${v.time.toFixed(1)}ms`,
    v.message,
    'trace tail:',
    ...result.traceTail.map((l) => `  ${l}`),
    `replay: ${result.replay}`,
  ].join('\n');
}

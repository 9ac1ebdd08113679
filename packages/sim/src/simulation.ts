// One simulated run: a seed and a scenario in, a verdict out. Builds the cluster, drives virtual
// time, stops at the first invariant violation, requires convergence after the faults heal, and
// finally checks the client history for linearizability.
import type { Membership } from '@meshraft/core';
import { ChurnDriver, countMembershipChanges } from './churn';
import type { SimBugs } from './cli-args';
import { SignalingDirectory } from './directory';
import { TabsDriver } from './tabs';
import type { TabsCounts } from './tabs-plan';
import { ClientDriver } from './clients';
import { Cluster } from './cluster';
import { describePeers, isConverged } from './convergence';
import { EventQueue } from './event-queue';
import { FaultInjector } from './faults';
import { InvariantMonitor, type Violation } from './invariants';
import { checkKvHistory } from './lin-checker';
import { SimNetwork } from './network';
import { getScenario, scenarioNames, type ScenarioPlan } from './scenarios';
import { Dice, Stream, streamRandom } from './seeds';
import type { PeerEnv, PeerEvents } from './sim-peer';
import { Trace } from './trace';

export interface SimOptions {
  seed: number;
  /** Scenario name (default 'basic'). */
  scenario?: string;
  peers?: number;
  /** Bug switches of the engine (InjectedBugs) or of the simulated tab lifecycle (tests only). */
  bugs?: SimBugs;
  /** Receives every trace line as it happens. */
  echo?: (line: string) => void;
  /**
   * Overrides the scenario's FaultPlan.linkEvents: false replays a tabs seed as the simulator
   * modelled cuts before links reported each one (a seed found then takes the same path again).
   */
  linkEvents?: boolean;
}

export interface SimStats {
  /** Peers that ran at some point (initial ones plus those that joined mid-run). */
  peers: number;
  virtualMs: number;
  steps: number;
  ops: number;
  unknownOps: number;
  committed: number;
  leaderTerms: number;
  messages: number;
  faults: number;
  /** Links a cut reported lost (peerDown both ways) and whole again (peerUp both ways); scenarios with FaultPlan.linkEvents only. */
  linksLost: number;
  linksBack: number;
  /** Learners added by committed configuration entries (automatic membership). */
  joins: number;
  /** Learners promoted to voters by committed configuration entries. */
  promotions: number;
  /** Members removed after they called leave(). */
  leaves: number;
  /** Members removed without asking (the leader's auto-removal of silent members). */
  autoRemovals: number;
  /** Peers killed for good by the scenario (never restarted). */
  kills: number;
  /** Snapshots the engines accepted from their state machines (stored by compaction). */
  snapshotsTaken: number;
  /** Snapshots fetched by catch-up and installed into a state machine. */
  snapshotInstalls: number;
  /** Catch-up sessions started by any engine. */
  catchUpSessions: number;
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
  /** Tab life counters (the 'tabs' scenario only). */
  tabs: (TabsCounts & { signalingRestarts: number }) | null;
}

export function replayCommand(options: SimOptions): string {
  let cmd = `npm run sim -- --seeds 1 --from ${options.seed}`;
  if (options.scenario && options.scenario !== 'basic') cmd += ` --scenario ${options.scenario}`;
  if (options.peers !== undefined) cmd += ` --peers ${options.peers}`;
  for (const [bug, on] of Object.entries(options.bugs ?? {})) if (on) cmd += ` --bug ${bug}`;
  if (options.linkEvents !== undefined) cmd += ` --link-events ${options.linkEvents ? 'on' : 'off'}`;
  return cmd;
}

/** Who bootstraps: every initial peer in one configuration, or only the first (the others join). */
function bootstrapFor(plan: ScenarioPlan): (index: number) => Membership | undefined {
  const specs = plan.peers;
  if (plan.bootstrap === 'first') return (i) => (i === 0 ? { voters: [specs[0].id], learners: [] } : undefined);
  const all: Membership = {
    voters: specs.filter((p) => p.preference !== 'observer').map((p) => p.id),
    learners: specs.filter((p) => p.preference === 'observer').map((p) => p.id),
  };
  return () => all;
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
  let cluster: Cluster | null = null;
  const network = new SimNetwork(queue, new Dice(streamRandom(seed, Stream.network)), (from, to, m) => cluster?.get(to)?.deliver(from, m), plan.links);
  const storageDice = new Dice(streamRandom(seed, Stream.storage));
  // Peers report to the fault injector and the churn driver, which are created after the cluster.
  let faults: FaultInjector | null = null;
  let churn: ChurnDriver | null = null;
  let tabs: TabsDriver | null = null;
  const events: PeerEvents = {
    leaderElected: (peer, term) => faults?.leaderElected(peer, term),
    voteGranted: (peer, to) => faults?.voteGranted(peer, to),
    voteSentEarly: (peer) => faults?.voteSentEarly(peer),
    leaderCommitted: (peer, term, commit) => {
      faults?.leaderCommitted(peer, term, commit);
      tabs?.leaderCommitted(peer);
    },
    removed: (peer) => {
      churn?.removed(peer);
      tabs?.removed(peer);
    },
    departureSeen: (peer, notice) => tabs?.departureSeen(peer, notice),
    frozen: (peer) => tabs?.frozen(peer),
    membersChanged: (peer) => tabs?.membersChanged(peer),
  };
  const env: PeerEnv = {
    seed,
    queue,
    network,
    monitor,
    trace,
    config: plan.config,
    bugs: options.bugs,
    fsyncDelay: () => plan.fsyncMs[0] + storageDice.random() * (plan.fsyncMs[1] - plan.fsyncMs[0]),
    events,
  };
  const peers = new Cluster(env, queue, trace, plan.tickMs);
  cluster = peers;
  const bootstrap = bootstrapFor(plan);
  if (!plan.tabs) plan.peers.forEach((spec, i) => peers.create(spec.id, spec.preference, bootstrap(i)));
  const faultPlan = options.linkEvents === undefined ? plan.faults : { ...plan.faults, linkEvents: options.linkEvents };
  faults = new FaultInjector(queue, new Dice(streamRandom(seed, Stream.faults)), peers, network, trace, faultPlan);
  const clients = new ClientDriver(queue, new Dice(streamRandom(seed, Stream.clients)), () => peers.active(), plan.clients, trace);
  let directory: SignalingDirectory | null = null;
  if (plan.tabs) {
    directory = new SignalingDirectory(queue, new Dice(streamRandom(seed, Stream.directory)), trace, plan.tabs.directory, options.bugs?.trustEmptyRoomAfterRestart);
    tabs = new TabsDriver(queue, new Dice(streamRandom(seed, Stream.tabs)), new Dice(streamRandom(seed, Stream.liveness)), new Dice(streamRandom(seed, Stream.workers)), peers, network, directory, monitor, trace, plan.tabs, () => clients.writing, options.bugs);
  }
  if (plan.churn) {
    const committed = () => monitor.committedConfigs().at(-1)?.membership ?? null;
    churn = new ChurnDriver(queue, new Dice(streamRandom(seed, Stream.churn)), peers, trace, plan.churn, committed);
  }

  // Every peer ticks on its own phase, forever (a crashed or paused peer ignores its ticks).
  const initial = [...peers.peers];
  for (const peer of initial) peers.launch(peer, 1 + (peer.index * plan.tickMs) / initial.length);
  // Peers that start together but do not share a bootstrap configuration find each other (peerUp).
  if (plan.bootstrap === 'first') peers.reconnectAll();
  faults.start();
  churn?.start();
  directory?.start();
  tabs?.start();
  clients.start(100);

  const deadline = plan.faults.healAt + plan.livenessBoundMs;
  let converged = false;
  const everMember = (id: string) => monitor.everMember(id);
  while (monitor.ok) {
    if (queue.now >= plan.faults.healAt && !clients.busy && isConverged(peers, everMember)) {
      converged = true;
      break;
    }
    if (!queue.step(deadline)) break;
  }
  if (monitor.ok && !converged && (tabs?.promisesConvergence() ?? true)) monitor.fail('liveness', `no convergence within ${plan.livenessBoundMs}ms after healing:\n${describePeers(peers)}`);
  if (monitor.ok) tabs?.finish();
  if (monitor.ok) {
    const verdict = checkKvHistory(clients.history);
    if (verdict.status === 'violation') monitor.fail('linearizability', `key '${verdict.key}' is not linearizable:\n${verdict.detail}`);
    else if (verdict.status === 'gave-up') monitor.fail('linearizability', `checker gave up on key '${verdict.key}' after ${verdict.explored} steps`);
  }

  const violation = monitor.violation;
  const ran = peers.peers.filter((p) => p.joined);
  const sum = (f: (p: (typeof ran)[number]) => number) => ran.reduce((a, p) => a + f(p), 0);
  return {
    seed,
    scenario: scenarioName,
    ok: violation === null,
    violation,
    traceHash: trace.digest(),
    traceTail: trace.tail(30),
    stats: {
      peers: ran.length,
      virtualMs: Math.round(queue.now),
      steps: queue.steps,
      ops: clients.history.length,
      unknownOps: clients.unknownOutcomes,
      committed: monitor.committedCount,
      leaderTerms: monitor.leaderTerms,
      messages: network.stats.sent,
      faults: Object.values(faults.counts).reduce((a, b) => a + (b ?? 0), 0),
      linksLost: faults.links.lost,
      linksBack: faults.links.back,
      ...countMembershipChanges(monitor, churn?.leavers ?? new Set()),
      kills: churn?.counts.kills ?? 0,
      snapshotsTaken: sum((p) => p.counters.snapshotsTaken),
      snapshotInstalls: sum((p) => p.counters.snapshotInstalls),
      catchUpSessions: sum((p) => p.catchUpSessions),
    },
    tabs: tabs ? { ...tabs.tally(), signalingRestarts: directory?.restarts ?? 0 } : null,
    replay: replayCommand({ ...options, scenario: scenarioName }),
  };
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

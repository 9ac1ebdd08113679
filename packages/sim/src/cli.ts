// `npm run sim -- --seeds N --from S`: runs seeds S..S+N-1, prints every failure (seed, invariant,
// trace tail, replay command), progress and a summary line; exits 1 on any violation, 2 on bad usage.
import { pathToFileURL } from 'node:url';
import { CliArgsError, parseCliArgs, usage, type CliArgs } from './cli-args';
import { formatFailure, runSimulation } from './simulation';

export interface CliSummary {
  seeds: number;
  passed: number;
  failed: number;
  failures: Array<{ seed: number; violation: string; replay: string }>;
  /**
   * The tab scenarios' counters (TabsCounts) summed over every seed run, and how many runs counted
   * each at least once: how often a scan reached a shape (a re-founding, a frozen restart, a
   * stranded group), which pass/fail alone does not say. Absent for the other scenarios.
   */
  tabTotals?: Record<string, { total: number; runs: number }>;
}

export function runCli(args: CliArgs, out: (line: string) => void, err: (line: string) => void): CliSummary {
  const summary: CliSummary = { seeds: args.seeds, passed: 0, failed: 0, failures: [] };
  const log = args.json ? err : out;
  const started = Date.now();
  const progressEvery = Math.max(1, Math.min(100, Math.ceil(args.seeds / 10)));
  for (let i = 0; i < args.seeds; i++) {
    const seed = args.from + i;
    const result = runSimulation({
      seed,
      scenario: args.scenario,
      peers: args.peers,
      bugs: args.bugs,
      linkEvents: args.linkEvents,
      echo: args.verbose ? log : undefined,
    });
    if (args.hashes && !args.verbose) log(`seed ${seed}: ${result.ok ? 'ok' : 'FAIL'} trace=${result.traceHash}`);
    if (result.tabs) addTabTotals(summary, result.tabs);
    if (args.verbose) log(`seed ${seed}: ${result.ok ? 'ok' : 'FAIL'} ${JSON.stringify(result.stats)} trace=${result.traceHash}`);
    if (result.ok) {
      summary.passed++;
    } else {
      summary.failed++;
      const v = result.violation!;
      summary.failures.push({ seed, violation: `${v.invariant}: ${v.message.split('\n')[0]}`, replay: result.replay });
      log(formatFailure(result));
    }
    if ((i + 1) % progressEvery === 0 && i + 1 < args.seeds) {
      log(`[${String(i + 1).padStart(String(args.seeds).length)}/${args.seeds}] ${summary.failed} failed, ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
  }
  const bugs = Object.keys(args.bugs);
  log(
    `sim ${args.scenario}${bugs.length ? ` (bugs: ${bugs.join(', ')})` : ''}: seeds ${args.from}..${args.from + args.seeds - 1}: ` +
      `${summary.passed} passed, ${summary.failed} failed in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  if (args.json) out(JSON.stringify(summary));
  return summary;
}

function addTabTotals(summary: CliSummary, counts: object): void {
  const totals = (summary.tabTotals ??= {});
  for (const [name, value] of Object.entries(counts)) {
    if (typeof value !== 'number') continue;
    const slot = (totals[name] ??= { total: 0, runs: 0 });
    slot.total += value;
    if (value > 0) slot.runs++;
  }
}

function main(): void {
  let args: CliArgs;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof CliArgsError)) throw e;
    if (e.message) console.error(`sim: ${e.message}`);
    console.error(usage);
    process.exitCode = 2;
    return;
  }
  const summary = runCli(args, (l) => console.log(l), (l) => console.error(l));
  process.exitCode = summary.failed > 0 ? 1 : 0;
}

// Run only as a program (tests import runCli).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();

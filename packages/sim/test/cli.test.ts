// The simulator's command line: flags, refusals of bad input, and per-seed digests that make two
// runs (or two builds) comparable seed by seed.
import { describe, expect, it } from 'vitest';
import { CliArgsError, parseCliArgs } from '../src/cli-args';
import { runCli } from '../src/cli';
import { runSimulation } from '../src/simulation';

function linesOf(argv: string[]): string[] {
  const lines: string[] = [];
  runCli(parseCliArgs(argv), (l) => lines.push(l), (l) => lines.push(l));
  return lines;
}

describe('sim command line', () => {
  it('parses its flags and refuses bad ones with CliArgsError', () => {
    expect(parseCliArgs(['--seeds', '3', '--from', '9', '--scenario', 'churn', '--hashes'])).toMatchObject({ seeds: 3, from: 9, scenario: 'churn', hashes: true });
    expect(() => parseCliArgs(['--seeds', '0'])).toThrow(CliArgsError);
    expect(() => parseCliArgs(['--scenario', 'nope'])).toThrow(CliArgsError);
    expect(() => parseCliArgs(['--bug', 'nope'])).toThrow(CliArgsError);
    expect(parseCliArgs(['--link-events', 'off'])).toMatchObject({ linkEvents: false });
    expect(() => parseCliArgs(['--link-events', 'maybe'])).toThrow(CliArgsError);
  });

  it('--hashes prints one digest per seed, the same on a replay and different between seeds', () => {
    const first = linesOf(['--seeds', '2', '--from', '41', '--hashes']).filter((l) => l.startsWith('seed '));
    const again = linesOf(['--seeds', '2', '--from', '41', '--hashes']).filter((l) => l.startsWith('seed '));
    expect(first).toHaveLength(2);
    expect(first[0]).toMatch(/^seed 41: ok trace=[0-9a-f]+\/\d+$/);
    expect(again).toEqual(first);
    expect(first[0].split('trace=')[1]).not.toBe(first[1].split('trace=')[1]);
  });
});

describe('--json', () => {
  it("sums the tab scenarios' counters over the seeds run, with how many runs counted each", () => {
    const lines: string[] = [];
    const summary = runCli(parseCliArgs(['--seeds', '2', '--from', '5', '--scenario', 'tabs', '--json']), (l) => lines.push(l), () => undefined);
    const runs = [5, 6].map((seed) => runSimulation({ seed, scenario: 'tabs' }).tabs!);
    expect(summary.tabTotals?.closed).toEqual({ total: runs[0].closed + runs[1].closed, runs: runs.filter((r) => r.closed > 0).length });
    expect(summary.tabTotals?.strandedGroups?.total).toBe(runs[0].strandedGroups + runs[1].strandedGroups);
    expect(JSON.parse(lines[0])).toEqual(summary);
    expect(runCli(parseCliArgs(['--seeds', '1', '--from', '5', '--scenario', 'churn']), () => undefined, () => undefined).tabTotals).toBeUndefined();
  });
});

describe('--link-events', () => {
  it('off models cuts as before links reported them (the engines hear of no link lost or back), and the replay command keeps the flag', () => {
    const off = runSimulation({ seed: 504772757, scenario: 'tabs-reload', linkEvents: false });
    const on = runSimulation({ seed: 504772757, scenario: 'tabs-reload' });
    expect(on.stats.linksLost).toBeGreaterThan(0);
    expect(off.stats.linksLost).toBe(0);
    expect(off.stats.linksBack).toBe(0);
    expect(off.replay).toBe('npm run sim -- --seeds 1 --from 504772757 --scenario tabs-reload --link-events off');
    expect(on.replay).not.toContain('--link-events');
    // The seed's find (a notice lost to a partition) is covered twice over now: by the link events,
    // and by peers with no leader passing their notices on again; it passes either way.
    expect(on.ok && off.ok).toBe(true);
  });
});

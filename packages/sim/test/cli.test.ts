// The simulator's command line: flags, refusals of bad input, and per-seed digests that make two
// runs (or two builds) comparable seed by seed.
import { describe, expect, it } from 'vitest';
import { CliArgsError, parseCliArgs } from '../src/cli-args';
import { runCli } from '../src/cli';

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

describe('--link-events', () => {
  it("off replays a tabs seed as cuts were modelled before links reported them: the notice lost to a partition is never passed on again (tabs-reload 504772757), and the replay command says so", () => {
    const lines: string[] = [];
    const summary = runCli(parseCliArgs(['--seeds', '1', '--from', '504772757', '--scenario', 'tabs-reload', '--link-events', 'off']), (l) => lines.push(l), (l) => lines.push(l));
    expect(summary.failed).toBe(1);
    expect(summary.failures[0].replay).toBe('npm run sim -- --seeds 1 --from 504772757 --scenario tabs-reload --link-events off');
    expect(runCli(parseCliArgs(['--seeds', '1', '--from', '504772757', '--scenario', 'tabs-reload']), () => {}, () => {}).failed).toBe(0);
  });
});

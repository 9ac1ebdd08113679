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

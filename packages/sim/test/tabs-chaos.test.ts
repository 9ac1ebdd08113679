// The tabs-chaos scenario: the packed-app chaos check (consumer/lib/chaos.mjs) at the simulator's
// speed: the tabs of one profile closed, reloaded, crashed and opened at random, leaders among
// them, down to a single tab, while clients write; then every crashed identity is adopted and the
// group must converge, linearizable, with no committed write lost; likewise over two and three
// profiles (devices), and with actions that take every tab at once (tabs-chaos-all). The runs must
// be clean AND must really go through what the scenario claims, so the counters are asserted too.
import { beforeAll, describe, expect, it } from 'vitest';
import { formatFailure, runSimulation, type SimResult } from '../src/index';

const SEEDS = 30;
/** Each block's runs happen in its beforeAll, synchronously: on a loaded 2-core machine that takes a while. */
const RUNS_TIMEOUT_MS = 300_000;

type TabsTotals = NonNullable<SimResult['tabs']>;
/** The counters that are plain numbers (everyTabActions counts by kind). */
type TabsCount = Exclude<keyof TabsTotals, 'everyTabActions'>;

describe('tabs-chaos scenario', () => {
  const results: SimResult[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= SEEDS; seed++) results.push(runSimulation({ seed, scenario: 'tabs-chaos' }));
  }, RUNS_TIMEOUT_MS);

  it(`${SEEDS} tabs-chaos seeds run without any violation`, () => {
    const failures = results.filter((r) => !r.ok).map(formatFailure);
    expect(failures, failures.join('\n\n')).toEqual([]);
  });

  it('closes, reloads, crashes (adopted later), re-founds from a lone tab, and the clients complete over 300 operations in every run', () => {
    const total = (key: TabsCount) => results.reduce((sum, r) => sum + r.tabs![key], 0);
    const runsWith = (key: TabsCount) => results.filter((r) => r.tabs![key] > 0).length;
    // Every run closes, reloads and crashes tabs many times over.
    for (const key of ['closed', 'reloads', 'crashes'] as const) expect(runsWith(key)).toBe(SEEDS);
    expect(total('closed')).toBeGreaterThan(SEEDS * 15);
    expect(total('reloads')).toBeGreaterThan(SEEDS * 8);
    // Each crashed identity is adopted by a tab opened later (at most one waits at a time).
    expect(total('adoptions')).toBe(total('crashes'));
    // New identities on departed tabs' slots, and a lone tab reloading onto its own data.
    expect(total('successions')).toBeGreaterThan(SEEDS * 10);
    expect(runsWith('refounds')).toBe(SEEDS);
    // Leaders crashed: their followers were told by the lock and took turns to campaign.
    expect(runsWith('leaderGoneTurns')).toBeGreaterThan(SEEDS / 2);
    // One group per run, and none stranded: the chaos keeps within what the group promises.
    expect(results.every((r) => r.tabs!.bootstraps === 1 && r.tabs!.strandedGroups === 0)).toBe(true);
    // The clients wrote through the chaos (hundreds of operations per run), not only before it.
    expect(results.every((r) => r.stats.ops > 300)).toBe(true);
  });
});

describe('tabs-chaos-two scenario', () => {
  const results: SimResult[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= SEEDS; seed++) results.push(runSimulation({ seed, scenario: 'tabs-chaos-two' }));
  }, RUNS_TIMEOUT_MS);

  it(`${SEEDS} tabs-chaos-two seeds run without any violation (no fork: two devices never both re-found)`, () => {
    const failures = results.filter((r) => !r.ok).map(formatFailure);
    expect(failures, failures.join('\n\n')).toEqual([]);
  });

  it('with tabs on two devices: restarts the signaling server, and frozen tabs re-found', () => {
    const runsWith = (key: TabsCount) => results.filter((r) => r.tabs![key] > 0).length;
    expect(runsWith('signalingRestarts')).toBe(SEEDS);
    // Frozen tabs still re-found where the departures were their own device's (5 runs in 30).
    expect(runsWith('frozenRestarts')).toBeGreaterThan(SEEDS / 10);
    expect(runsWith('crashes')).toBe(SEEDS);
    expect(results.every((r) => r.tabs!.bootstraps === 1)).toBe(true);
    // Two devices' frozen tabs no longer wait for each other: the profile that holds the last
    // departure, or the tie-break's winner, re-founds (none of these 30 ends stranded; 13 did
    // before the frozen-room evidence).
    expect(runsWith('strandedGroups')).toBeLessThanOrEqual(3);
  });
});

describe('tabs-chaos-three scenario', () => {
  // Re-foundings after voters departed on all three devices are rarer (5 runs in the first 100).
  const THREE_SEEDS = 80;
  const results: SimResult[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= THREE_SEEDS; seed++) results.push(runSimulation({ seed, scenario: 'tabs-chaos-three' }));
  }, RUNS_TIMEOUT_MS);

  it(`${THREE_SEEDS} tabs-chaos-three seeds run without any violation (no fork: no two of three devices re-found)`, () => {
    const failures = results.filter((r) => !r.ok).map(formatFailure);
    expect(failures, failures.join('\n\n')).toEqual([]);
  });

  it('re-founds groups whose voters departed on three devices', () => {
    const runsWith = (key: TabsCount) => results.filter((r) => r.tabs![key] > 0).length;
    expect(runsWith('refoundsAcrossThreeDevices')).toBeGreaterThan(0);
    expect(runsWith('frozenRestarts')).toBeGreaterThan(THREE_SEEDS / 10);
    expect(runsWith('signalingRestarts')).toBe(THREE_SEEDS);
  });
});

describe('tabs-chaos-all scenario', () => {
  const results: SimResult[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= SEEDS; seed++) results.push(runSimulation({ seed, scenario: 'tabs-chaos-all' }));
  }, RUNS_TIMEOUT_MS);

  it(`${SEEDS} tabs-chaos-all seeds run without any violation`, () => {
    const failures = results.filter((r) => !r.ok).map(formatFailure);
    expect(failures, failures.join('\n\n')).toEqual([]);
  });

  it('two tabs close together, every tab closes and reopens, every tab crashes and is restored, every tab reloads at once: each in most runs, and every crashed identity is adopted', () => {
    const runsWith = (kind: keyof TabsTotals['everyTabActions']) => results.filter((r) => r.tabs!.everyTabActions[kind] > 0).length;
    for (const kind of ['close-two', 'close-all', 'crash-all', 'reload-all'] as const) expect(runsWith(kind), kind).toBeGreaterThan(SEEDS / 2);
    const total = (key: TabsCount) => results.reduce((sum, r) => sum + r.tabs![key], 0);
    expect(total('adoptions')).toBe(total('crashes'));
    // With every tab gone, a reopened tab re-founds the group from this profile's data: in every run.
    expect(results.every((r) => r.tabs!.refounds > 0)).toBe(true);
    expect(results.every((r) => r.tabs!.bootstraps === 1 && r.tabs!.strandedGroups === 0)).toBe(true);
    expect(results.every((r) => r.stats.ops > 300)).toBe(true);
  });
});

describe('tabs-chaos-all-two scenario', () => {
  const ALL_TWO_SEEDS = 12;
  const results: SimResult[] = [];
  beforeAll(() => {
    for (let seed = 1; seed <= ALL_TWO_SEEDS; seed++) results.push(runSimulation({ seed, scenario: 'tabs-chaos-all-two' }));
  }, RUNS_TIMEOUT_MS);

  it(`${ALL_TWO_SEEDS} tabs-chaos-all-two seeds run without any violation (no fork: two devices never both re-found), with every tab closed, crashed and reloaded at once over two devices`, () => {
    const failures = results.filter((r) => !r.ok).map(formatFailure);
    expect(failures, failures.join('\n\n')).toEqual([]);
    for (const kind of ['close-all', 'crash-all', 'reload-all'] as const) {
      expect(results.filter((r) => r.tabs!.everyTabActions[kind] > 0).length, kind).toBeGreaterThan(ALL_TWO_SEEDS / 2);
    }
    expect(results.every((r) => r.tabs!.signalingRestarts > 0 && r.tabs!.bootstraps === 1)).toBe(true);
  });
});

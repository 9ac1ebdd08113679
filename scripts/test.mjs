#!/usr/bin/env node
// `npm test`: every test in the repository, across all runners, with one closing total line.
//   0. TypeScript: the whole workspace type-checks in strict mode (counted as one test).
//   1. Vitest: unit, property, scenario and Node integration tests of every package (files a
//      crashed test worker left unfinished run once more, and the log says so).
//   2. The deterministic simulator: many seeded runs per scenario (each seed counts as one test).
//   2b. The codec/engine fuzzer: 20,000 hostile frames against the codec and an engine group
//      (`npm run fuzz -- --frames 20000`; the whole run counts as one test).
//   3. Playwright: e2e tests in real Chromium (Debian's package; installed here when missing).
//   4. The consumer smoke test (consumer/run.mjs): the packages built, packed and installed into a
//      fresh app outside the workspace, then used from Vite, webpack, esbuild, Node, tsc, Chromium and
//      Firefox (each of its checks counts as one test).
// Ends with `N passed, N failed` and exits non-zero when anything failed or a runner broke.
// `node scripts/test.mjs consumer typecheck` runs only the named steps
// (typecheck, vitest, sim, fuzz, playwright, consumer).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { ensureChromium } from './chromium.mjs';
import { ensureRedisServer } from './redis.mjs';

const root = new URL('..', import.meta.url).pathname;
const results = 'test-results';
mkdirSync(`${root}${results}`, { recursive: true });

/** An integer from the environment, or `fallback` when unset; anything else stops the run. */
function envInteger(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer in ${min}..${max}, got '${raw}'`);
    process.exit(2);
  }
  return value;
}

// Seeds move with the commit: each commit explores simulator runs and property cases the previous
// ones did not, and one commit always replays the same ones. Both are printed; a failure prints its
// own replay command with the actual seed (the simulator) or its seed and path (fast-check).
const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || 'unknown';
const commitDigest = createHash('sha256').update(commit).digest();
const seedOffset = envInteger('MESHRAFT_SEED_OFFSET', commitDigest.readUInt32BE(0) % 1_000_000_000, 0, 1_000_000_000);
const propertySeed = envInteger('MESHRAFT_PROPERTY_SEED', commitDigest.readInt32BE(4), -(2 ** 31), 2 ** 31 - 1);
const seedsLine = `seeds: MESHRAFT_SEED_OFFSET=${seedOffset} (simulator seeds from ${seedOffset + 1}) MESHRAFT_PROPERTY_SEED=${propertySeed} (fast-check), commit ${commit.slice(0, 12)}`;
console.log(seedsLine);

/**
 * Simulator runs per scenario (8,200 in all by default; the tabs scenario, where held-out seeds
 * still found bugs, gets the most; tabs-chaos, tabs-chaos-two and tabs-chaos-three run the
 * packed-app chaos check's schedule on one, two and three profiles, about a fifth of a second a
 * seed, and tabs-chaos-all and tabs-chaos-all-two add its actions that take every tab at once; tabs-slow-disk
 * runs tabs-chaos-all-two with IndexedDB-speed writes). tabs-reload (reloads among the crashes and
 * reopens) runs 300: it was a hunting scenario while it still found rare liveness failures, and
 * 4,000 seeds at four offsets have passed since its last fix.
 */
const simSeeds = Number(process.env.MESHRAFT_SIM_SEEDS ?? 2000);
const simRuns = [
  { scenario: 'basic', seeds: simSeeds },
  { scenario: 'sleepy-leader', seeds: simSeeds / 4 },
  { scenario: 'vote-crash', seeds: simSeeds / 4 },
  { scenario: 'leader-churn', seeds: simSeeds / 4 },
  { scenario: 'churn', seeds: Number(process.env.MESHRAFT_CHURN_SEEDS ?? 1000) },
  { scenario: 'tabs', seeds: Number(process.env.MESHRAFT_TABS_SEEDS ?? 2000) },
  { scenario: 'tabs-reload', seeds: Number(process.env.MESHRAFT_TABS_RELOAD_SEEDS ?? 300) },
  { scenario: 'tabs-chaos', seeds: Number(process.env.MESHRAFT_TABS_CHAOS_SEEDS ?? 400) },
  { scenario: 'tabs-chaos-two', seeds: Number(process.env.MESHRAFT_TABS_CHAOS_TWO_SEEDS ?? 200) },
  { scenario: 'tabs-chaos-three', seeds: Number(process.env.MESHRAFT_TABS_CHAOS_THREE_SEEDS ?? 200) },
  { scenario: 'tabs-chaos-all', seeds: Number(process.env.MESHRAFT_TABS_CHAOS_ALL_SEEDS ?? 300) },
  { scenario: 'tabs-chaos-all-two', seeds: Number(process.env.MESHRAFT_TABS_CHAOS_ALL_TWO_SEEDS ?? 150) },
  { scenario: 'tabs-slow-disk', seeds: Number(process.env.MESHRAFT_TABS_SLOW_DISK_SEEDS ?? 150) },
]
  .filter((run) => run.seeds > 0)
  .map((run) => ({ ...run, from: seedOffset + 1 }));

/** Hostile frames for the fuzz step (its seed moves with the commit, like the simulator's). */
const fuzzFrames = envInteger('MESHRAFT_FUZZ_FRAMES', 20_000, 1, 100_000_000);

const steps = ['typecheck', 'vitest', 'sim', 'fuzz', 'playwright', 'consumer'];
const only = process.argv.slice(2);
for (const step of only) if (!steps.includes(step)) throw new Error(`unknown step "${step}" (${steps.join(', ')})`);
const wanted = (step) => only.length === 0 || only.includes(step);

const totals = { passed: 0, failed: 0 };
const broken = [];

function run(label, command, args, env = {}) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const child = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return child.status ?? 1;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(`${root}${path}`, 'utf8'));
  } catch {
    return null;
  }
}

function count(label, passed, failed, status) {
  totals.passed += passed;
  totals.failed += failed;
  console.log(`--- ${label}: ${passed} passed, ${failed} failed (exit ${status})`);
  if (status !== 0 && failed === 0) broken.push(`${label} exited ${status} without reporting a failed test`);
}

// 0. Type check
if (wanted('typecheck')) {
  const status = run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  count('typecheck', status === 0 ? 1 : 0, status === 0 ? 0 : 1, status);
}

// 1. Vitest (the signaling scale-out test spawns a real redis-server from REDIS_SERVER_BIN)
if (wanted('vitest')) {
  try {
    process.env.REDIS_SERVER_BIN = ensureRedisServer();
  } catch (error) {
    // Keep going: the scale-out test then fails loudly on its own, and the other tests still run.
    broken.push(`redis-server unavailable: ${error instanceof Error ? error.message : String(error)}`);
  }
  const out = `${results}/vitest.json`;
  rmSync(`${root}${out}`, { force: true });
  // Fixed-seed properties read MESHRAFT_PROPERTY_SEED (the catch-up ones their own CATCHUP_SEED).
  const seeds = { MESHRAFT_PROPERTY_SEED: String(propertySeed), CATCHUP_SEED: process.env.CATCHUP_SEED ?? String(propertySeed) };
  const vitest = (files, output) => run('vitest', 'npx', ['vitest', 'run', ...files, '--reporter=default', '--reporter=json', `--outputFile.json=${output}`], seeds);
  let status = vitest([], out);
  const report = readJson(out);
  if (!report) broken.push('vitest produced no report');
  let passed = report?.numPassedTests ?? 0;
  let failed = report?.numFailedTests ?? 0;
  // A test worker that dies (the native WebRTC addon of the Node integration tests has crashed
  // a fork under load, once in many runs) leaves its file's remaining tests unfinished, with
  // nothing failed. Those files alone run once more, in a fresh process, and count from there;
  // anything else that makes vitest exit non-zero without a failed test still breaks the run.
  const unfinished = (report?.testResults ?? []).filter((file) => file.assertionResults.some((test) => test.status === 'pending'));
  if (status !== 0 && failed === 0 && unfinished.length > 0) {
    const files = unfinished.map((file) => relative(root, file.name));
    console.log(`\nvitest exited ${status} with ${unfinished.length} file(s) left unfinished by a test worker that exited: ${files.join(', ')}; running them once more`);
    const again = `${results}/vitest-unfinished.json`;
    rmSync(`${root}${again}`, { force: true });
    status = vitest(files, again);
    const rerun = readJson(again);
    if (!rerun) broken.push('vitest produced no report for the re-run of unfinished files');
    const passedBefore = unfinished.reduce((sum, file) => sum + file.assertionResults.filter((test) => test.status === 'passed').length, 0);
    passed += (rerun?.numPassedTests ?? 0) - passedBefore;
    failed += rerun?.numFailedTests ?? 0;
  }
  count('vitest', passed, failed, status);
}

// 2. Simulator seeds (--json prints the summary on stdout; progress and failures go to stderr)
for (const sim of wanted('sim') ? simRuns : []) {
  const args = ['tsx', 'packages/sim/src/cli.ts', '--scenario', sim.scenario, '--seeds', String(sim.seeds), '--from', String(sim.from), '--json'];
  console.log(`\n=== sim ${sim.scenario}: npx ${args.join(' ')}`);
  const child = spawnSync('npx', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  let report = null;
  try {
    report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
  } catch {
    broken.push(`sim ${sim.scenario} produced no summary`);
  }
  count(`sim ${sim.scenario}`, report?.passed ?? 0, report?.failed ?? 0, child.status ?? 1);
}

// 2b. Fuzzer (--json prints one report line on stdout; PASS counts as one passed test)
if (wanted('fuzz')) {
  const args = ['tsx', 'scripts/fuzz/cli.ts', '--frames', String(fuzzFrames), '--seed', String(seedOffset + 1), '--json'];
  console.log(`\n=== fuzz: npx ${args.join(' ')}`);
  const child = spawnSync('npx', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  let report = null;
  try {
    report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
  } catch {
    broken.push('fuzz produced no report');
  }
  if (report) console.log(JSON.stringify(report));
  const passed = report?.result === 'PASS';
  count('fuzz', passed ? 1 : 0, report && !passed ? 1 : 0, child.status ?? 1);
}

// 3. Playwright e2e in Chromium
if (wanted('playwright')) {
  const chromium = ensureChromium();
  const out = `${results}/e2e.json`;
  rmSync(`${root}${out}`, { force: true });
  const status = run('playwright', 'npx', ['playwright', 'test'], { CHROMIUM_PATH: chromium });
  const report = readJson(out);
  if (!report) broken.push('playwright produced no report');
  const stats = report?.stats ?? {};
  count('playwright', (stats.expected ?? 0) + (stats.flaky ?? 0), stats.unexpected ?? 0, status);
}

// 4. Consumer smoke test (its own browsers: Debian's chromium and firefox-esr, installed when missing)
if (wanted('consumer')) {
  const out = `${results}/consumer.json`;
  rmSync(`${root}${out}`, { force: true });
  const status = run('consumer', process.execPath, ['consumer/run.mjs']);
  const report = readJson(out);
  if (!report) broken.push('the consumer test produced no report');
  count('consumer', report?.passed ?? 0, report?.failed ?? 0, status);
}

for (const problem of broken) console.log(`!!! ${problem}`);
if (totals.failed > 0 || broken.length > 0) console.log(`\nTo run with the same ${seedsLine}`);
console.log(`\n${totals.passed} passed, ${totals.failed + broken.length} failed`);
process.exit(totals.failed > 0 || broken.length > 0 ? 1 : 0);

// `npm run fuzz -- --frames N [--seed S] [--json]`: hostile frames against the codec and an engine
// group. Deterministic by seed.
//
// Every frame goes through tryDecodeMessage (and, for a sample, decodeMessage): the only failure
// allowed is a DecodeError with a known reason. Frames that decode are handed to one of three
// voters as if sent by an outsider peer; the group is ticked and given honest work between frames,
// checked for two leaders in one term after every step, and probed for liveness (elect a leader,
// commit a command on all voters) every --probe-every frames and at the end.
//
// Terms up to CODEC_LIMITS.maxTerm are delivered: the engine must refuse the jumps that would leave
// the group without a term to elect with (engine/bounds.ts), which the liveness probes check.
//
// Prints frames, exceptions other than the typed ones, decode results by reason, peak RSS and heap;
// exits 1 on any untyped exception, a split term or a failed liveness probe.
import { DecodeError, type DecodeErrorReason } from '../../packages/core/src/errors';
import { decodeMessage, tryDecodeMessage } from '../../packages/core/src/codec/index';
import { seededRandom } from '../../packages/core/src/rng';
import { FuzzGroup, VOTERS } from './fuzz-group';
import { emptyCommandsFrame, emptyMapsFrame, FRAME_KINDS, hostileFrame, type FrameKind } from './hostile-frames';
import { chance, int, pick } from './valid-messages';

interface Options {
  frames: number;
  seed: number;
  probeEvery: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { frames: 10_000, seed: 1, probeEvery: 50_000, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${arg} needs a non-negative integer`);
      return v;
    };
    if (arg === '--frames') options.frames = value();
    else if (arg === '--seed') options.seed = value();
    else if (arg === '--probe-every') options.probeEvery = Math.max(1, value());
    else if (arg === '--json') options.json = true;
    else throw new Error(`unknown argument ${arg} (use --frames N --seed S [--probe-every N] [--json])`);
  }
  return options;
}

const REASONS: DecodeErrorReason[] = ['too-large', 'bad-cbor', 'bad-version', 'bad-shape', 'unknown-type', 'out-of-range'];

function main(): number {
  const options = parseArgs(process.argv.slice(2));
  const rng = seededRandom(options.seed);
  const group = new FuzzGroup(options.seed);
  const decoded: Record<DecodeErrorReason | 'ok', number> = { ok: 0, 'too-large': 0, 'bad-cbor': 0, 'bad-version': 0, 'bad-shape': 0, 'unknown-type': 0, 'out-of-range': 0 };
  const byKind = Object.fromEntries(FRAME_KINDS.map((k) => [k, { frames: 0, accepted: 0 }])) as Record<FrameKind, { frames: number; accepted: number }>;
  let untyped = 0;
  let firstUntyped: string | null = null;
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const untypedError = (error: unknown, where: string) => {
    untyped++;
    firstUntyped ??= `${where}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  };

  group.probe(); // the group works before the barrage
  // Each memory bomb at least once, whatever the run's length: empty maps first, empty byte strings halfway.
  const bombs = new Map([[0, emptyMapsFrame], [Math.max(1, Math.floor(options.frames / 2)), emptyCommandsFrame]]);
  for (let i = 0; i < options.frames; i++) {
    const bomb = bombs.get(i);
    const frame = bomb ? { kind: 'memory-bomb' as const, bytes: bomb() } : hostileFrame(rng, group.view());
    byKind[frame.kind].frames++;
    let result: ReturnType<typeof tryDecodeMessage> | null = null;
    try {
      result = tryDecodeMessage(frame.bytes);
    } catch (error) {
      untypedError(error, `tryDecodeMessage (${frame.kind})`);
    }
    if (result && !result.ok && !(result.error instanceof DecodeError && REASONS.includes(result.error.reason))) {
      untypedError(result.error, `tryDecodeMessage result (${frame.kind})`);
    }
    if (i % 64 === 0) {
      // decodeMessage must throw DecodeError and nothing else
      try {
        decodeMessage(frame.bytes);
      } catch (error) {
        if (!(error instanceof DecodeError)) untypedError(error, `decodeMessage (${frame.kind})`);
      }
    }
    if (result?.ok) {
      decoded.ok++;
      byKind[frame.kind].accepted++;
      group.inject(pick(rng, VOTERS), result.message);
    } else if (result) {
      decoded[result.error.reason]++;
    }
    if (frame.kind === 'memory-bomb') sample();
    if (i % 25 === 24) group.run(10 + int(rng, 40), chance(rng, 0.2));
    if (i % 1000 === 999) sample();
    if (i % options.probeEvery === options.probeEvery - 1) group.probe();
    if (!options.json && i % 100_000 === 99_999) process.stderr.write(`fuzz: ${i + 1} frames\n`);
  }
  group.probe();
  sample();
  group.countRefusals();

  const stats = group.stats;
  const failed = untyped > 0 || stats.engineExceptions > 0 || stats.splitTerms.length > 0 || stats.probesFailed > 0;
  const report = {
    frames: options.frames,
    seed: options.seed,
    untypedExceptions: untyped,
    firstUntypedException: firstUntyped,
    decoded,
    byKind,
    engine: stats,
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    peakHeapMiB: Math.round(peakHeap / 2 ** 20),
    result: failed ? 'FAIL' : 'PASS',
  };
  if (options.json) {
    console.log(JSON.stringify(report));
  } else {
    console.log(`frames: ${report.frames} (seed ${report.seed})`);
    console.log(`exceptions other than DecodeError: ${untyped}${firstUntyped ? ` (first: ${firstUntyped})` : ''}`);
    console.log(`decoded: ${decoded.ok}; refused by reason: ${REASONS.map((r) => `${r} ${decoded[r]}`).join(', ')}`);
    console.log(`by kind (frames/accepted): ${FRAME_KINDS.map((k) => `${k} ${byKind[k].frames}/${byKind[k].accepted}`).join(', ')}`);
    console.log(`engine: delivered ${stats.delivered} (withheld: ${stats.withheld} giving authority), refused by the engines: ${stats.refusals.termJumps} term jumps, ${stats.refusals.campaigns} campaigns, ${stats.refusals.proposals} proposals, ${stats.refusals.appends} appends, exceptions ${stats.engineExceptions}, split terms ${stats.splitTerms.length}, liveness probes ${stats.probesPassed} passed / ${stats.probesFailed} failed, highest term ${stats.highestTerm}, honest messages refused by the codec ${stats.honestEncodeRefused} (encode) / ${stats.honestDecodeRefused} (decode)`);
    if (stats.firstEngineException) console.log(`first engine exception: ${stats.firstEngineException}`);
    console.log(`peak RSS ${report.peakRssMiB} MiB, peak heap ${report.peakHeapMiB} MiB`);
    console.log(`fuzz: ${report.result}`);
  }
  return failed ? 1 : 0;
}

process.exitCode = main();

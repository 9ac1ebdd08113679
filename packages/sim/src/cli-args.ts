// Command-line parsing for `npm run sim`. Bad input yields a CliArgsError with a usage hint.
import type { InjectedBugs } from '@meshraft/core/testing';
import { scenarioNames } from './scenarios';

export interface CliArgs {
  seeds: number;
  from: number;
  peers?: number;
  verbose: boolean;
  /** Print each seed's trace digest (two builds with equal digests behaved identically). */
  hashes: boolean;
  json: boolean;
  bugs: SimBugs;
  scenario: string;
  /** --link-events on|off: overrides the scenario's FaultPlan.linkEvents (SimOptions.linkEvents). */
  linkEvents?: boolean;
}

export class CliArgsError extends Error {}

/** Bugs of the tab-lifecycle rules (the simulated runtime, not the engine). */
export interface LifecycleBugs {
  /** A starting tab adopts a departed identity as if it had crashed: it votes again. */
  adoptDepartedIdentities?: boolean;
  /** An empty room is trusted right after a signaling restart. */
  trustEmptyRoomAfterRestart?: boolean;
  /** Running tabs never delete the databases nobody can use any more. */
  keepUnusableSlots?: boolean;
  /** A profile takes departures learnt from another device's notices as its own when it decides to re-found. */
  trustOtherDevicesDepartures?: boolean;
  /** The tie-break of condition 6 reads other devices' voters as having known of no departure. */
  ignoreWhatOtherDevicesKnew?: boolean;
  /** Condition 6 of the founding rules is judged on the union of the judged configurations' voters, not on each apart. */
  judgeUnionOfVoters?: boolean;
  /** A new identity taking over a departed slot keeps the commit index stored there, past the departed notice. */
  keepCommitOnHandOver?: boolean;
  /** A new identity taking over a departed slot keeps the entries of a term later than the departed notice's. */
  keepLaterTermsOnHandOver?: boolean;
  /** A frozen tab reads a departed slot it may re-found on whole, not as its take-over will leave it. */
  readDepartedSlotWhole?: boolean;
  /** A new identity taking over a departed slot keeps the commit index up to the notice's final position, past what the departed page had seen committed. */
  commitUpToNoticeOnHandOver?: boolean;
}

export type SimBugs = InjectedBugs & LifecycleBugs;

export const knownBugs: ReadonlyArray<keyof SimBugs> = [
  'commitPreviousTerm',
  'forgetVote',
  'readWithoutQuorum',
  'noNoopOnElection',
  'skipPassedOverClaims',
  'succeedPastLaterConfiguration',
  'adoptDepartedIdentities',
  'trustEmptyRoomAfterRestart',
  'keepUnusableSlots',
  'trustOtherDevicesDepartures',
  'ignoreWhatOtherDevicesKnew',
  'keepCommitOnHandOver',
  'judgeUnionOfVoters',
  'keepLaterTermsOnHandOver',
  'readDepartedSlotWhole',
  'commitUpToNoticeOnHandOver',
];

export const usage = `usage: npm run sim -- [--seeds N] [--from S] [--scenario NAME] [--peers 3..7] [--bug NAME]... [--verbose] [--hashes] [--json]
  --seeds N        number of seeds to run (default 100)
  --from S         first seed (default 1)
  --scenario NAME  one of: ${scenarioNames().join(', ')} (default basic)
  --peers N        force the cluster size (3..7)
  --bug NAME       enable a bug switch (engine or tab lifecycle): ${knownBugs.join(', ')}
  --link-events on|off  whether a cut reports peerDown/peerUp (the tabs scenarios: on; off replays seeds found before)
  --verbose        print every trace line and per-seed stats
  --hashes         print one line per seed with its trace digest (compare two builds' behaviour)
  --json           print a machine-readable summary { seeds, passed, failed, failures } on stdout`;

function integer(flag: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min || n > max) throw new CliArgsError(`${flag} needs an integer in ${min}..${max}, got ${raw}`);
  return n;
}

export function parseCliArgs(argv: string[]): CliArgs {
  const args: CliArgs = { seeds: 100, from: 1, verbose: false, hashes: false, json: false, bugs: {}, scenario: 'basic' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    switch (flag) {
      case '--seeds':
        args.seeds = integer(flag, value(), 1, 10_000_000);
        break;
      case '--from':
        args.from = integer(flag, value(), 0, 0xffffffff);
        break;
      case '--peers':
        args.peers = integer(flag, value(), 3, 7);
        break;
      case '--verbose':
        args.verbose = true;
        break;
      case '--hashes':
        args.hashes = true;
        break;
      case '--json':
        args.json = true;
        break;
      case '--bug': {
        const name = value();
        if (!knownBugs.includes(name as keyof SimBugs)) throw new CliArgsError(`unknown bug '${name}' (known: ${knownBugs.join(', ')})`);
        args.bugs[name as keyof SimBugs] = true;
        break;
      }
      case '--scenario': {
        const name = value();
        if (name === undefined || !scenarioNames().includes(name)) throw new CliArgsError(`unknown scenario '${name}' (known: ${scenarioNames().join(', ')})`);
        args.scenario = name;
        break;
      }
      case '--link-events': {
        const v = value();
        if (v !== 'on' && v !== 'off') throw new CliArgsError(`--link-events needs on or off, got ${v}`);
        args.linkEvents = v === 'on';
        break;
      }
      case '--help':
      case '-h':
        throw new CliArgsError('');
      default:
        throw new CliArgsError(`unknown option '${flag}'`);
    }
  }
  return args;
}

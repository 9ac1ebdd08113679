// Encodes proposals' commands in time slices, in the order the proposals were made. An app that
// keeps executeMany busy calls it again from the task that resolved its previous batch (an apply
// slice); encoding thousands of commands there in one go made that task a long one on the UI thread
// (bench/browser.mjs, executeMany). A batch that fits in the calling task's share is encoded at once,
// as before, so a single command still leaves in the task that proposed it; a longer one continues
// in later tasks, and proposals made meanwhile wait behind it, so they reach the host in call order
// (their client seqs stay in that order too).
import { ValueBatchEncoder } from '../codec/value-codec';
import type { Clock } from './clock';

export interface EncodeRequest {
  /** Read as encoding reaches them: the caller passes an array nobody changes any more. */
  commands: readonly unknown[];
  /** Every command encoded: views into one buffer, and their total size. */
  encoded(commands: Uint8Array[], bytes: number): void;
  /** A command could not be encoded (what the codec threw), or the encoder stopped (stop()'s error). */
  failed(error: unknown): void;
}

interface Job {
  request: EncodeRequest;
  batch: ValueBatchEncoder;
  failed: boolean;
  error: unknown;
}

/** Share of the calling task: it may already have run an apply slice (the applier's first slice is 3 ms too). */
const CALLER_SLICE_MS = 3;
/** The clock is read after this many commands or bytes: reading it costs about as much as encoding a small command. */
const CHECK_EVERY_COMMANDS = 16;
const CHECK_EVERY_BYTES = 32 * 1024;

export class CommandEncoder {
  /** Slices that ran in a later task than the proposal's (stats, tests). */
  laterSlices = 0;
  private readonly queue: Job[] = [];
  private scheduled: unknown = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly sliceMs: number,
  ) {}

  encode(request: EncodeRequest): void {
    if (this.stopped) return;
    this.queue.push({ request, batch: new ValueBatchEncoder(request.commands.length), failed: false, error: undefined });
    // Behind another proposal still encoding: its slices carry this one on.
    if (this.queue.length === 1) this.run(Math.min(this.sliceMs, CALLER_SLICE_MS));
  }

  /** Fails every proposal not encoded yet with `errorFor(its commands)`; encodes nothing more. */
  stop(errorFor: (commands: readonly unknown[]) => unknown): void {
    this.stopped = true;
    if (this.scheduled !== null) this.clock.clearTimeout(this.scheduled);
    this.scheduled = null;
    for (const job of this.queue.splice(0)) job.request.failed(errorFor(job.request.commands));
  }

  private run(budgetMs: number): void {
    this.scheduled = null;
    const start = this.clock.now();
    const outOfTime = () => this.clock.now() - start >= budgetMs;
    while (this.queue.length > 0 && !this.stopped) {
      const job = this.queue[0];
      if (!this.advance(job, outOfTime)) break;
      this.queue.shift();
      if (job.failed) job.request.failed(job.error);
      else job.request.encoded(job.batch.finish(), job.batch.bytes);
      if (outOfTime()) break;
    }
    if (this.queue.length > 0 && !this.stopped) {
      // Yield so the thread can render and handle input (defer: no 4 ms clamp, as the applier).
      const next = () => {
        this.laterSlices++;
        this.run(this.sliceMs);
      };
      this.scheduled = this.clock.defer ? this.clock.defer(next) : this.clock.setTimeout(next, 0);
    }
  }

  /** Encodes `job` until it is done or failed (true) or the slice's time ran out (false). */
  private advance(job: Job, outOfTime: () => boolean): boolean {
    const { batch, request } = job;
    const total = request.commands.length;
    let untilCheck = CHECK_EVERY_COMMANDS;
    let checkAtBytes = batch.bytes + CHECK_EVERY_BYTES;
    while (batch.count < total) {
      try {
        batch.add(request.commands[batch.count]);
      } catch (error) {
        job.failed = true;
        job.error = error;
        return true;
      }
      if (--untilCheck > 0 && batch.bytes < checkAtBytes) continue;
      if (batch.count < total && outOfTime()) return false;
      untilCheck = CHECK_EVERY_COMMANDS;
      checkAtBytes = batch.bytes + CHECK_EVERY_BYTES;
    }
    return true;
  }
}

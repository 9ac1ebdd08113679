// A client workload for the chaos spec: put / get (strong) / compare-and-set on a few keys, one
// operation at a time, each reported to the spec (Node) through a binding the spec exposes on the
// browser context, before it is issued and after it completes. The spec keeps the history itself,
// stamped with its own clock: a tab that closes or reloads mid-operation leaves a call without a
// return (outcome unknown), and every interval Node records contains the real one.
import type { RegisterCommand, RegisterQuery, RegisterResult, RegisterSummary } from './register';
import type { MeshraftGroup } from 'meshraft';

export type WriterInput =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'cas'; key: string; expected: string | null; value: string };
export type WriterOutput = { kind: 'put' } | { kind: 'get'; value: string | null } | { kind: 'cas'; swapped: boolean };

export type HistoryEvent =
  | { type: 'call'; id: string; input: WriterInput }
  | { type: 'return'; id: string; output: WriterOutput }
  | { type: 'fail'; id: string; error: string };

export interface WriterOptions {
  /** Names this tab's operations (unique across the run: a reloaded tab gets a new one). */
  client: string;
  keys: string[];
  /** Pause between operations (ms). */
  pauseMs: number;
}

declare global {
  interface Window {
    /** Exposed by the spec (BrowserContext.exposeBinding): records one history event. */
    meshraftHistory?: (event: HistoryEvent) => Promise<void>;
  }
}

type Group = MeshraftGroup<RegisterCommand, RegisterQuery, string | null | RegisterSummary, RegisterResult>;

export class Writer {
  private running = false;
  private loop: Promise<number> | null = null;

  constructor(private readonly group: Group) {}

  start(options: WriterOptions): void {
    if (this.running) throw new Error('the writer is already running');
    const record = window.meshraftHistory;
    if (!record) throw new Error('window.meshraftHistory is not exposed');
    this.running = true;
    this.loop = this.run(options, record);
  }

  /** Stops after the operation in flight; resolves with how many operations were issued. */
  async stop(): Promise<number> {
    this.running = false;
    return (await this.loop) ?? 0;
  }

  private async run(options: WriterOptions, record: (event: HistoryEvent) => Promise<void>): Promise<number> {
    // The last value this client saw per key: what its cas expects, so some of them swap.
    const seen = new Map<string, string | null>();
    let n = 0;
    while (this.running) {
      const id = `${options.client}:${n++}`;
      const key = options.keys[Math.floor(Math.random() * options.keys.length)];
      const dice = Math.random();
      const input: WriterInput =
        dice < 0.4 ? { kind: 'put', key, value: id } : dice < 0.7 ? { kind: 'get', key } : { kind: 'cas', key, expected: seen.get(key) ?? null, value: id };
      await record({ type: 'call', id, input });
      try {
        const output = await this.issue(input);
        if (output.kind === 'get') seen.set(key, output.value);
        if (input.kind === 'put') seen.set(key, input.value);
        if (input.kind === 'cas' && output.kind === 'cas' && output.swapped) seen.set(key, input.value);
        await record({ type: 'return', id, output });
      } catch (error) {
        await record({ type: 'fail', id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
    return n;
  }

  private async issue(input: WriterInput): Promise<WriterOutput> {
    switch (input.kind) {
      case 'put':
        await this.group.execute({ set: input.key, value: input.value });
        return { kind: 'put' };
      case 'get': {
        const { result } = await this.group.query({ get: input.key }, 'strong');
        return { kind: 'get', value: result as string | null };
      }
      case 'cas': {
        const { result } = await this.group.execute({ cas: input.key, expected: input.expected, value: input.value });
        if (typeof result !== 'object' || result === null) throw new Error(`cas answered ${JSON.stringify(result)}`);
        return { kind: 'cas', swapped: result.swapped };
      }
    }
  }
}

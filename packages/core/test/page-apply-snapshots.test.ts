// The page's half of a replica (GroupClient: Applier, exactly-once table, SnapshotTaker, the group
// snapshot codec), checked against a plain model: fed a committed log in random chunks, asked for
// snapshots at random points while it applies in short time slices, it applies every (clientId,
// seq) once in log order; a second page started from any of its snapshots plus the rest of the log
// (overlapping what the snapshot covers, as a restart's replay does) ends in the same state; and
// both then snapshot the same bytes, which catch-up relies on when it fetches one snapshot's pieces
// from several peers. The simulator models the state machine with its own store, so this is where
// the browser's path is checked. Retried tags (the same seq logged twice) and tight exactly-once
// limits (eviction, floors) are part of the input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeValue } from '../src/codec/index';
import { GroupClient } from '../src/host/group-client';
import { createInProcessPorts } from '../src/host/ports';
import { seededRandom } from '../src/rng';
import type { LogEntry, Snapshot, StateMachine } from '../src/types';
import { propertySeed } from './property-seed';
import { FakeHost } from './support-cluster/fake-host';
import { ManualClock } from './support-cluster/manual-clock';
import { flushMicrotasks } from './support-cluster/wait';

/** The consumer app's Registers reduced to its applied list: every applied command's value, in order. */
class AppliedList implements StateMachine<string, 'applied', number, string[]> {
  applied: string[] = [];
  apply(value: string): number {
    this.applied.push(value);
    return this.applied.length;
  }
  query(): string[] {
    return this.applied;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.applied));
  }
  restore(bytes: Uint8Array): void {
    this.applied = JSON.parse(new TextDecoder().decode(bytes)) as string[];
  }
}

type Limits = { maxRunsPerClient: number; maxClients: number } | undefined;

function page(limits: Limits) {
  const clock = new ManualClock();
  const machine = new AppliedList();
  const ports = createInProcessPorts();
  const host = new FakeHost(ports.host);
  const client = new GroupClient<string, 'applied', string[], number>({
    peerId: 'p1', port: ports.client, stateMachine: machine, clock, random: seededRandom(3),
    config: { heartbeatMs: 30, electionTimeoutMs: 150, forwardTimeoutMs: 1000 }, sliceMs: 1, exactlyOnce: limits,
  });
  // Every clock read moves time on: a slice ends after a few entries, so snapshot requests land mid-batch.
  const now = clock.now.bind(clock);
  clock.now = () => {
    clock.advance(0.4);
    return now();
  };
  return { clock, machine, host, client };
}

type Item = { kind: 'command'; client: number; seq: number } | { kind: 'noop' };
const itemArb: fc.Arbitrary<Item> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('command' as const), client: fc.integer({ min: 0, max: 3 }), seq: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'noop' as const }) },
);

function logOf(items: Item[]): LogEntry[] {
  return items.map((item, i) =>
    item.kind === 'noop'
      ? { kind: 'noop', index: i + 1, term: 1 }
      : { kind: 'command', index: i + 1, term: 1, data: encodeValue(`c${item.client}:${item.seq}@${i + 1}`), client: { clientId: `c${item.client}`, seq: item.seq } },
  );
}

/** Without limits: each (clientId, seq) applied the first time it is logged, in log order. */
function modelOf(log: LogEntry[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const entry of log) {
    if (entry.kind !== 'command' || !entry.client) continue;
    const tag = `${entry.client.clientId}:${entry.client.seq}`;
    if (seen.has(tag)) continue;
    seen.add(tag);
    out.push(`${tag}@${entry.index}`);
  }
  return out;
}

/** Runs due timers (the applier's later slices) until none is left. */
async function drain(clock: ManualClock): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    await flushMicrotasks();
    if (clock.pending === 0) return;
    clock.advance(1);
    clock.runDue();
  }
  throw new Error('the applier never went idle');
}

/** The snapshot a page sends when asked to cover everything it applied. */
async function finalSnapshot(p: ReturnType<typeof page>, upTo: number): Promise<Snapshot> {
  const before = p.host.of('snapshot').length;
  p.host.post({ type: 'take-snapshot', upTo });
  await drain(p.clock);
  const taken = p.host.of('snapshot');
  expect(taken.length).toBe(before + 1);
  return taken[taken.length - 1].snapshot;
}

describe('the page apply path: a snapshot plus the rest of the log is the whole log', () => {
  it.each<[string, Limits]>([
    ['default exactly-once limits', undefined],
    ['2 runs per client, 2 clients', { maxRunsPerClient: 2, maxClients: 2 }],
    ['1 run per client, 1 client', { maxRunsPerClient: 1, maxClients: 1 }],
  ])('random logs with retried tags, chunkings and snapshot requests (%s)', async (_name, limits) => {
    let snapshotsChecked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(itemArb, { minLength: 1, maxLength: 120 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 120 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 30 }),
        async (items, chunks, requests, overlap) => {
          const log = logOf(items);
          const a = page(limits);
          const pending = [...requests].sort((x, y) => x - y);
          for (let at = 0, c = 0; at < log.length; c++) {
            const n = chunks[c % chunks.length];
            a.host.post({ type: 'apply', snapshot: null, entries: log.slice(at, at + n) });
            at += n;
            // The host asks for what its engine applied: never past the log.
            while (pending.length > 0 && pending[0] <= at) a.host.post({ type: 'take-snapshot', upTo: Math.min(pending.shift()!, log.length) });
            await flushMicrotasks();
            if (c % 2 === 1) await drain(a.clock);
          }
          await drain(a.clock);
          if (!limits) expect(a.machine.applied).toEqual(modelOf(log));
          const taken = a.host.of('snapshot').map((m) => m.snapshot);
          const whole = await finalSnapshot(a, log.length);
          for (const snapshot of taken) {
            snapshotsChecked++;
            const b = page(limits);
            b.host.post({ type: 'apply', snapshot, entries: [] });
            b.host.post({ type: 'apply', snapshot: null, entries: log.slice(Math.max(0, snapshot.meta.index - overlap)) });
            await drain(b.clock);
            expect(b.client.status.applied).toBe(log.length);
            expect(b.machine.applied).toEqual(a.machine.applied);
            expect(b.client.stats.gaps).toBe(0);
            const again = await finalSnapshot(b, log.length);
            expect(again.meta.index).toBe(whole.meta.index);
            expect(Buffer.from(again.data).equals(Buffer.from(whole.data))).toBe(true);
          }
        },
      ),
      { numRuns: 200, ...propertySeed },
    );
    expect(snapshotsChecked).toBeGreaterThan(30);
  }, 120_000);
});

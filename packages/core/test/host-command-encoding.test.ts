// GroupClient encodes a large executeMany in time slices (host/command-encoder.ts): the UI thread
// gets no long task from it, the host still gets each proposal whole, once, in call order.
import { describe, expect, it } from 'vitest';
import { decodeValue } from '../src/codec/value-codec';
import { ClosedError, InvalidInputError } from '../src/errors';
import { clientRig } from './support-cluster/fake-host';
import type { ManualClock } from './support-cluster/manual-clock';

/** Commands whose encoding takes `msPerRead` of fake time each time the codec reads their field (twice per command). */
function slowCommands(clock: ManualClock, count: number, msPerRead: number, first = 0): number[] {
  return Array.from({ length: count }, (_, i) => ({
    get n() {
      clock.advance(msPerRead);
      return first + i;
    },
  })) as unknown as number[];
}

/** Runs the tasks due (one timer each) until none is; returns each task's fake duration. */
function runTasks(clock: ManualClock): number[] {
  const durations: number[] = [];
  for (;;) {
    const before = clock.now();
    if (clock.runDue(1) === 0) return durations;
    durations.push(clock.now() - before);
  }
}

describe('GroupClient encoding a large executeMany', () => {
  it('spreads the encoding over several tasks of bounded length, then sends the batch once, whole and in order', async () => {
    const { client, host, clock, settle } = clientRig();
    host.status({ leader: 'p0', online: true });
    await settle();
    // 0.5 ms per command: 400 commands are 200 ms of encoding.
    void client.executeMany(slowCommands(clock, 400, 0.25));
    await settle();
    // The calling task encoded its share (3 ms, and at most one 16-command stride more) and yielded.
    expect(clock.now()).toBeLessThanOrEqual(3 + 8);
    expect(host.of('propose')).toHaveLength(0);
    const tasks = runTasks(clock);
    await settle();
    // 8 ms slices, each at most one stride (16 commands, 8 ms) over.
    expect(tasks.length).toBeGreaterThanOrEqual(12);
    expect(Math.max(...tasks)).toBeLessThanOrEqual(8 + 8);
    expect(client.stats.slices).toBe(0); // nothing applied: these were encoding slices
    const proposes = host.of('propose');
    expect(proposes).toHaveLength(1);
    expect(proposes[0].commands.map((c) => decodeValue(c))).toEqual(Array.from({ length: 400 }, (_, i) => ({ n: i })));
  });

  it('keeps call order: a proposal made while a large one is encoding is sent after it, with later seqs', async () => {
    const { client, host, clock, settle } = clientRig();
    host.status({ leader: 'p0', online: true });
    await settle();
    void client.executeMany(slowCommands(clock, 100, 0.25));
    void client.execute(7);
    await settle();
    expect(host.of('propose')).toHaveLength(0);
    runTasks(clock);
    await settle();
    const [big, small] = host.of('propose');
    expect(big.commands).toHaveLength(100);
    expect(small.commands.map((c) => decodeValue(c))).toEqual([7]);
    expect(small.client.seq).toBe(big.client.seq + 100);
  });

  it('rejects a batch with an unencodable command with InvalidInputError, sends none of it, and goes on with the next', async () => {
    const { client, host, clock, settle } = clientRig();
    host.status({ leader: 'p0', online: true });
    await settle();
    const commands = slowCommands(clock, 100, 0.25);
    commands[90] = (() => 1) as unknown as number;
    const bad = client.executeMany(commands).catch((e: unknown) => e);
    void client.execute(7);
    runTasks(clock);
    await settle();
    expect(await bad).toBeInstanceOf(InvalidInputError);
    expect(host.of('propose').map((p) => p.commands.length)).toEqual([1]);
  });

  it('closing while a batch is encoding rejects it with ClosedError and sends nothing of it', async () => {
    const { client, host, clock, settle } = clientRig();
    host.status({ leader: 'p0', online: true });
    await settle();
    const pending = client.executeMany(slowCommands(clock, 100, 0.25)).catch((e: unknown) => e);
    void client.close();
    runTasks(clock);
    await settle();
    const error = await pending;
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as ClosedError).unexecuted).toMatchObject({ kind: 'commands' });
    expect(host.of('propose')).toHaveLength(0);
  });
});

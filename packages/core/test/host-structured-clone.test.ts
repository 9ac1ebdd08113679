// The HostPort protocol survives structured cloning (what Worker.postMessage does): a real
// EngineHost and GroupClient joined by ports that clone every message still form a working peer.
import { describe, expect, it } from 'vitest';
import { realClock } from '../src/host/clock';
import { EngineHost } from '../src/host/engine-host';
import { GroupClient } from '../src/host/group-client';
import { createInProcessPorts } from '../src/host/ports';
import type { Port } from '../src/host/protocol';
import { seededRandom } from '../src/rng';
import { createMemoryStorage } from '../src/storage-memory/index';
import { Counter } from './support-cluster/counter';
import { within } from './support-cluster/wait';

/** Wrap a port so everything it posts is structured-cloned, as across a Worker boundary. */
function cloning<Out, In>(port: Port<Out, In>, seen: string[]): Port<Out, In> {
  return {
    post: (message) => {
      seen.push((message as { type: string }).type);
      port.post(structuredClone(message));
    },
    onMessage: (handler) => port.onMessage(handler),
    close: () => port.close(),
  };
}

describe('HostPort protocol across a clone boundary', () => {
  it('a single peer elects itself, executes, answers strong queries and closes', async () => {
    const seen: string[] = [];
    const ports = createInProcessPorts();
    const config = { electionTimeoutMs: 150, electionJitterMs: 150, heartbeatMs: 30, bootstrapDelayMs: 50 };
    const storage = createMemoryStorage();
    const host = new EngineHost({
      id: 'w', storage, port: cloning(ports.host, seen), clock: realClock, random: seededRandom(3), config,
      bootstrap: { voters: ['w'], learners: [] }, transport: { send: () => undefined },
    });
    const counter = new Counter();
    const group = new GroupClient<number, 'value', number>({
      peerId: 'w', port: cloning(ports.client, seen), stateMachine: counter, clock: realClock, random: seededRandom(4), config,
    });
    await host.start();
    await within(group.when.online(), 10_000, 'online');
    const range = await group.executeMany([2, 3]);
    expect(range.end - range.start).toBe(1);
    // Results stay on the client side of the port: what this peer's apply returned, per command.
    expect(range.results).toEqual([2, 5]);
    await expect(group.query('value', 'strong')).resolves.toEqual({ result: 5, position: range.end });
    await within(group.close(), 10_000, 'close');
    expect(new Set(seen)).toEqual(new Set(['status', 'apply', 'proposal-result', 'read-result', 'propose', 'read', 'close', 'closed']));
    expect(storage.dump().hardState.commit).toBe(range.end);
    await expect(storage.hardState()).rejects.toThrow(/closed/);
  });
});

// A scripted stand-in for EngineHost: records what a GroupClient sends and lets a test answer,
// so the client's logic (retries, exactly-once, slicing, errors) is tested without an engine.
import { encodeValue } from '../../src/codec/index';
import { GroupClient } from '../../src/host/group-client';
import { createInProcessPorts } from '../../src/host/ports';
import type { ClientToHost, HostPort, HostToClient } from '../../src/host/protocol';
import type { RaftConfig } from '../../src/config';
import { seededRandom } from '../../src/rng';
import type { ApplyContext, ClientTag, CommandEntry, LogEntry, RaftStatus } from '../../src/types';
import { Counter } from './counter';
import { ManualClock } from './manual-clock';
import { flushMicrotasks } from './wait';

export class FakeHost {
  readonly received: ClientToHost[] = [];
  constructor(readonly port: HostPort) {
    port.onMessage((m) => this.received.push(m));
  }

  post(message: HostToClient): void {
    this.port.post(message);
  }

  /** Messages of one type received so far. */
  of<T extends ClientToHost['type']>(type: T): Array<Extract<ClientToHost, { type: T }>> {
    return this.received.filter((m): m is Extract<ClientToHost, { type: T }> => m.type === type);
  }

  status(patch: Partial<RaftStatus>): void {
    this.post({ type: 'status', status: { ...baseStatus, ...patch } });
  }
}

export const baseStatus: RaftStatus = {
  peerId: 'p1', role: 'follower', term: 1, leader: null, committed: 0, applied: 0, lastIndex: 0,
  online: false, members: { voters: ['p1'], learners: [] }, catchUp: null,
};

export function command(index: number, amount: number, client?: ClientTag, term = 1): CommandEntry {
  return { kind: 'command', index, term, data: encodeValue(amount), client };
}

export function noop(index: number, term = 1): LogEntry {
  return { kind: 'noop', index, term };
}

export interface ClientRig {
  client: GroupClient<number, 'value', number, number>;
  host: FakeHost;
  clock: ManualClock;
  counter: Counter;
  /** Let port messages travel (microtasks). */
  settle(): Promise<void>;
}

export function clientRig(options: { config?: Partial<RaftConfig>; sliceMs?: number; onApply?: (clock: ManualClock, ctx: ApplyContext) => void } = {}): ClientRig {
  const clock = new ManualClock();
  const counter = new Counter((ctx) => options.onApply?.(clock, ctx));
  const ports = createInProcessPorts();
  const host = new FakeHost(ports.host);
  const client = new GroupClient<number, 'value', number, number>({
    peerId: 'p1', port: ports.client, stateMachine: counter, clock, random: seededRandom(7),
    config: { heartbeatMs: 30, electionTimeoutMs: 150, forwardTimeoutMs: 1000, ...options.config },
    sliceMs: options.sliceMs,
  });
  return { client, host, clock, counter, settle: () => flushMicrotasks() };
}

// Simulated clients: each runs one operation at a time against a random peer and records the
// history the linearizability checker judges. Writes go through engine.propose with a (clientId,
// seq) tag and are retried with the same tag (on another random peer) after an error or an
// attempt timeout; reads use ReadIndex, wait until the peer applied the read index, then read the
// local KV store. An operation still unanswered at its deadline is recorded with an unknown outcome.
import { encodeKvCommand, type KvCommand, type KvInput, type KvOutput } from './kv-model';
import type { EventQueue } from './event-queue';
import type { HistoryOp } from './lin-checker';
import type { Dice } from './seeds';
import type { RequestOutcome, SimPeer } from './sim-peer';
import type { Trace } from './trace';

export interface ClientPlan {
  count: number;
  opsPerClient: number;
  keys: string[];
  /** Relative weights of operation kinds. */
  mix: { put: number; get: number; cas: number };
  /** No new operation starts at or after this virtual time. */
  stopAt: number;
  opTimeoutMs: number;
  attemptTimeoutMs: number;
  thinkMs: [number, number];
  /** Peers clients may talk to (default: all). Scenarios may favour some (e.g. the leader). */
  preferLeaderRate?: number;
}

interface Client {
  id: string;
  seq: number;
  done: number;
}

interface RunningOp {
  record: HistoryOp;
  deadline: number;
  attempt: number;
  finished: boolean;
}

export class ClientDriver {
  readonly history: HistoryOp[] = [];
  private readonly clients: Client[] = [];
  private readonly written = new Map<string, string[]>();
  private running = 0;
  private logical = 0;
  private nextRequestId = 1;

  constructor(
    private readonly queue: EventQueue,
    private readonly dice: Dice,
    /** The peers clients may talk to now (the set changes in churn runs). */
    private readonly peers: () => SimPeer[],
    private readonly plan: ClientPlan,
    private readonly trace: Trace,
  ) {
    for (let i = 0; i < plan.count; i++) this.clients.push({ id: `c${i + 1}`, seq: 0, done: 0 });
  }

  start(firstAt: number): void {
    for (const client of this.clients) this.queue.at(firstAt + this.dice.int(0, 200), () => this.next(client));
  }

  /** True while an operation is in flight. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** True while some client has an operation in flight or still has operations to make. */
  get writing(): boolean {
    return this.busy || (this.queue.now < this.plan.stopAt && this.clients.some((c) => c.done < this.plan.opsPerClient));
  }

  get unknownOutcomes(): number {
    return this.history.filter((op) => op.ret === null).length;
  }

  /** A timestamp that is the virtual time, made strictly increasing across history events. */
  private stamp(): number {
    return this.queue.now + ++this.logical * 1e-9;
  }

  private next(client: Client): void {
    if (this.queue.now >= this.plan.stopAt || client.done >= this.plan.opsPerClient) return;
    const input = this.randomInput(client);
    const op: RunningOp = {
      record: { id: this.history.length, clientId: client.id, input, call: this.stamp(), ret: null, output: null },
      deadline: this.queue.now + this.plan.opTimeoutMs,
      attempt: 0,
      finished: false,
    };
    this.history.push(op.record);
    this.running++;
    client.seq++;
    const seq = client.seq;
    this.trace.record(this.queue.now, client.id, `invoke #${op.record.id} ${input.kind} ${input.key}`);
    this.attempt(client, op, seq);
  }

  private randomInput(client: Client): KvInput {
    const key = this.dice.pick(this.plan.keys);
    const kind = this.dice.weighted(this.plan.mix) ?? 'get';
    if (kind === 'get') return { kind: 'get', key };
    const value = `${client.id}.${client.seq + 1}`;
    const history = this.written.get(key) ?? [];
    this.written.set(key, [...history.slice(-3), value]);
    if (kind === 'put') return { kind: 'put', key, value };
    const expected = history.length === 0 || this.dice.chance(0.15) ? null : this.dice.pick(history.slice(-3));
    return { kind: 'cas', key, expected, value };
  }

  private attempt(client: Client, op: RunningOp, seq: number): void {
    if (op.finished) return;
    if (this.queue.now >= op.deadline) return this.finish(client, op, null);
    const attempt = ++op.attempt;
    const live = () => !op.finished && op.attempt === attempt;
    const retry = () => {
      if (!live()) return;
      op.attempt++; // abandon this attempt; late answers to it are ignored
      this.queue.after(this.dice.int(5, 40), () => this.attempt(client, op, seq));
    };
    const peer = this.choosePeer();
    this.queue.after(this.plan.attemptTimeoutMs, retry);
    if (peer === null) return; // no peer at all right now (every tab closed): the retry asks again
    const requestId = this.nextRequestId++;
    const input = op.record.input;
    if (input.kind === 'get') {
      const sent = peer.read(requestId, (outcome) => {
        if (!live()) return;
        if (!outcome.ok || !('index' in outcome)) return retry();
        peer.whenApplied(outcome.index, (applied) => {
          if (!live()) return;
          if (!applied) return retry();
          this.finish(client, op, { kind: 'get', value: peer.kv.get(input.key) });
        });
      });
      if (!sent) retry();
      return;
    }
    const tag = { clientId: client.id, seq };
    const command: KvCommand = input;
    const sent = peer.propose(requestId, encodeKvCommand(command), tag, (outcome: RequestOutcome) => {
      if (!live()) return;
      if (!outcome.ok || !('end' in outcome)) return retry();
      peer.whenApplied(outcome.end, (applied) => {
        if (!live()) return;
        // The index may have been overwritten by a new leader: then the tag is not applied yet.
        const result = applied ? peer.kv.resultFor(tag) : undefined;
        if (result === undefined) return retry();
        this.finish(client, op, result);
      });
    });
    if (!sent) retry();
  }

  private choosePeer(): SimPeer | null {
    const peers = this.peers();
    if (peers.length === 0) return null;
    const rate = this.plan.preferLeaderRate ?? 0;
    if (rate > 0 && this.dice.chance(rate)) {
      const leader = peers.find((p) => p.lastStatus?.role === 'leader');
      if (leader) return leader;
    }
    return this.dice.pick(peers);
  }

  private finish(client: Client, op: RunningOp, output: KvOutput | null): void {
    if (op.finished) return;
    op.finished = true;
    this.running--;
    client.done++;
    if (output !== null) {
      op.record.ret = this.stamp();
      op.record.output = output;
    }
    this.trace.record(this.queue.now, client.id, `${output ? 'return' : 'timeout'} #${op.record.id} ${JSON.stringify(output)}`);
    this.queue.after(this.dice.int(this.plan.thinkMs[0], this.plan.thinkMs[1]), () => this.next(client));
  }
}

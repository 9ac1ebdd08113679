// Runs testdata script commands against a group of engines (EngineHarness): virtual time moves only
// on `tick`/`campaign`, messages move only on `stabilize`/`deliver-msgs`, so every output is
// deterministic. Each command returns the lines it prints (see testdata/README.md for the list).
import { defaultRaftConfig, type RaftConfig } from '../../src/config';
import { describeEntry, describeMessage } from '../../src/describe-message';
import type { PeerId } from '../../src/types';
import { EngineHarness, encodeImage, type InFlight } from './engine-harness';
import type { ScriptArgs } from './script-format';
import { describeStatus, ReadyPrinter } from './script-ready';

/** Time step of `tick` and `campaign`, as in the other engine tests. */
const STEP_MS = 10;
const CAMPAIGN_LIMIT_MS = 30_000;

export class ScriptError extends Error {}

export class ScriptDriver {
  private h: EngineHarness | null = null;
  private readonly printer = new ReadyPrinter();
  private nextRequestId = 1;

  /** Wire request ids start at a random point per engine: scripts show them as #w1, #w2, ... */
  private readonly wireIds = new Map<string, string>();

  run(command: string, args: ScriptArgs): string[] {
    const handler = this.commands[command];
    if (!handler) throw new ScriptError(`unknown command '${command}'`);
    return handler(args).map((l) => l.replace(/#(\d{4,})/g, (_, id: string) => this.wireId(id)));
  }

  private wireId(id: string): string {
    let alias = this.wireIds.get(id);
    if (alias === undefined) this.wireIds.set(id, (alias = `#w${this.wireIds.size + 1}`));
    return alias;
  }

  private get harness(): EngineHarness {
    if (!this.h) throw new ScriptError('no group yet: start with add-nodes');
    return this.h;
  }

  private readonly commands: Record<string, (args: ScriptArgs) => string[]> = {
    'add-nodes': (a) => this.addNodes(a),
    tick: (a) => this.capture(() => this.tick(Number(one(a, 'milliseconds')), [...this.harness.nodes.keys()])),
    'tick-peer': (a) => this.capture(() => this.tick(Number(a.positional.at(-1)), a.positional.slice(0, -1))),
    advance: (a) => this.advance(Number(one(a, 'milliseconds'))),
    campaign: (a) => this.campaign(peer(a)),
    stabilize: (a) => this.deliver(matcher(a), true),
    'deliver-msgs': (a) => this.deliver(matcher(a), false),
    'drop-msgs': (a) => this.harness.dropWhere(matcher(a)).map((m) => `dropped ${line(m)}`),
    msgs: (a) => this.harness.network.filter(matcher(a)).map(line),
    propose: (a) => {
      const [id, ...commands] = a.positional;
      return this.capture(() => this.harness.propose(id, this.nextRequestId++, commands));
    },
    'read-index': (a) => this.capture(() => this.harness.read(peer(a), this.nextRequestId++)),
    'transfer-leader': (a) => {
      const [from, to] = a.positional;
      return this.capture(() => {
        this.harness.node(from).transferLeadership(to, this.harness.now);
        this.harness.drain(from);
      });
    },
    leave: (a) => this.capture(() => this.each(a, (id) => this.harness.node(id).leave(this.harness.now))),
    'peer-up': (a) => this.linkEvent(a, 'up'),
    'peer-down': (a) => this.linkEvent(a, 'down'),
    isolate: (a) => this.none(() => this.harness.isolate(peer(a))),
    cut: (a) => this.none(() => this.harness.cut(a.positional[0], a.positional[1])),
    heal: () => this.none(() => this.harness.heal()),
    restart: (a) =>
      this.capture(() => {
        this.printer.forget(peer(a));
        this.harness.start(peer(a));
        this.harness.drain(peer(a));
      }),
    compact: (a) => this.capture(() => this.each(a, (id) => this.compact(id))),
    status: (a) => this.ids(a).map((id) => describeStatus(this.harness.node(id).status())),
    log: (a) => this.ids(a).flatMap((id) => this.log(id)),
    applied: (a) => this.ids(a).map((id) => `${id} ${JSON.stringify(this.harness.sm.get(id))}`),
  };

  /**
   * `add-nodes 1 2 3 [voters=(..)] [learners=(..)] [seed=N] [<RaftConfig field>=value ...]`: the
   * first call makes the group (bootstrap membership: every id a voter unless voters/learners say
   * otherwise); a later call adds peers that start empty and ask to join.
   */
  private addNodes(a: ScriptArgs): string[] {
    const ids = a.positional;
    if (this.h) return this.capture(() => ids.forEach((id) => this.h!.addPeer(id, null)));
    const voters = a.named.get('voters') ?? ids;
    const learners = a.named.get('learners') ?? [];
    const config: Partial<RaftConfig> = {};
    for (const [key, [value]] of a.named) {
      if (key === 'voters' || key === 'learners' || key === 'seed') continue;
      const known = (defaultRaftConfig as unknown as Record<string, unknown>)[key];
      if (typeof known === 'boolean') (config as Record<string, unknown>)[key] = value === 'true';
      else if (typeof known === 'number') (config as Record<string, unknown>)[key] = Number(value);
      else throw new ScriptError(`unknown option '${key}'`);
    }
    const seed = Number(a.named.get('seed')?.[0] ?? 1);
    return this.capture(() => {
      this.h = new EngineHarness({ ids, seed, config, bootstrap: { voters, learners }, autoSnapshot: false });
      this.h.drainAll();
    });
  }

  /** Advance virtual time by `ms`, ticking the engines of `ids` (only); nothing is delivered. */
  private tick(ms: number, ids: PeerId[]): void {
    const h = this.harness;
    if (!Number.isFinite(ms) || ms <= 0) throw new ScriptError(`tick: expected a positive number of milliseconds`);
    const end = h.now + ms;
    while (h.now < end) {
      h.now = Math.min(end, h.now + STEP_MS);
      for (const id of ids) {
        h.node(id).tick(h.now);
        h.drain(id);
      }
    }
  }

  /**
   * Let `ms` of virtual time pass with a working network: tick every engine each step and deliver
   * everything. Too much happens to print it all: only role and term changes, and a count of the
   * messages delivered and dropped.
   */
  private advance(ms: number): string[] {
    const h = this.harness;
    let delivered = 0;
    let dropped = 0;
    const lines = this.capture(() => {
      const end = h.now + ms;
      while (h.now < end) {
        this.tick(Math.min(STEP_MS, end - h.now), [...h.nodes.keys()]);
        while (h.network.length > 0) {
          if (this.receive(h.network.shift()!)) delivered++;
          else dropped++;
        }
      }
    }).filter((l) => / becomes /.test(l));
    return [...lines, `${delivered} messages delivered, ${dropped} dropped`];
  }

  /**
   * Tick only `id` until its election timer fires (the others' timers do not run meanwhile): until
   * it leaves follower, changes term, or asks every other voter for a vote again (a new round; a
   * candidate's resends go only to the voters that did not answer).
   */
  private campaign(id: PeerId): string[] {
    const h = this.harness;
    const node = h.node(id);
    const start = node.status();
    const others = start.members.voters.filter((v) => v !== id);
    const asksAll = (from: number) =>
      h.readies.slice(from).some(({ id: who, ready }) => {
        if (who !== id) return false;
        const asked = new Set(ready.messages.filter((m) => m.message.type === 'PreVote' || m.message.type === 'RequestVote').map((m) => m.to));
        return others.length > 0 && others.every((v) => asked.has(v));
      });
    return this.capture(() => {
      const mark = h.readies.length;
      const limit = h.now + CAMPAIGN_LIMIT_MS;
      const started = () => (start.role === 'follower' && node.status().role !== 'follower') || node.status().term !== start.term || asksAll(mark);
      while (!started()) {
        if (h.now >= limit) throw new ScriptError(`${id} did not campaign within ${CAMPAIGN_LIMIT_MS} ms`);
        h.now += STEP_MS;
        node.tick(h.now);
        h.drain(id);
      }
    });
  }

  /**
   * Deliver queued messages matching `filter`, oldest first, printing each with what the receiver
   * did. `untilQuiet`: keep delivering what the deliveries produce; otherwise only what was queued.
   */
  private deliver(filter: (m: InFlight) => boolean, untilQuiet: boolean): string[] {
    const h = this.harness;
    const out: string[] = [];
    const queued = new Set(h.network);
    for (;;) {
      const at = h.network.findIndex((m) => filter(m) && (untilQuiet || queued.has(m)));
      if (at < 0) return out;
      const [m] = h.network.splice(at, 1);
      const printed: string[] = [];
      const received = this.receive(m, printed);
      out.push(`> ${line(m)}${received ? '' : ' (dropped)'}`, ...printed.map((l) => `  ${l}`));
    }
  }

  /** Hand `m` to its receiver and drain it; false when the link is cut or the receiver is gone. */
  private receive(m: InFlight, printed?: string[]): boolean {
    const h = this.harness;
    if (h.isCut(m.from, m.to) || !h.nodes.has(m.to)) return false;
    const act = () => {
      h.node(m.to).receive(m.from, m.message, h.now);
      h.drain(m.to);
    };
    // Inside an outer capture (advance), the outer one prints: a Ready must be printed once.
    if (printed) printed.push(...this.capture(act));
    else act();
    return true;
  }

  private linkEvent(a: ScriptArgs, event: 'up' | 'down'): string[] {
    const [id, ...others] = a.positional;
    return this.capture(() => {
      for (const other of others) {
        if (event === 'up') this.harness.node(id).peerUp(other, this.harness.now);
        else this.harness.node(id).peerDown(other, this.harness.now);
      }
      this.harness.drain(id);
    });
  }

  /** The host snapshots its state machine at what it applied and hands it to the engine. */
  private compact(id: PeerId): void {
    const h = this.harness;
    const index = h.smIndex.get(id)!;
    h.node(id).snapshotTaken({ meta: { index, term: 0, membership: { voters: [], learners: [] } }, data: encodeImage(h.sm.get(id)!) });
    h.drain(id);
  }

  private log(id: PeerId): string[] {
    const { snapshot, entries } = this.harness.disks.get(id)!.state;
    const head = snapshot ? [`${id} snapshot ${snapshot.meta.index}/${snapshot.meta.term}`] : [];
    const body = entries.map((e) => `${id} ${describeEntry(e)}`);
    return head.length + body.length > 0 ? [...head, ...body] : [`${id} empty`];
  }

  /** Run `action`, then print every Ready it produced, in order. */
  private capture(action: () => void): string[] {
    const mark = this.h?.readies.length ?? 0;
    action();
    return this.harness.readies.slice(mark).flatMap(({ id, ready }) => this.printer.lines(id, ready));
  }

  private none(action: () => void): string[] {
    action();
    return [];
  }

  private each(a: ScriptArgs, action: (id: PeerId) => void): void {
    for (const id of this.ids(a)) action(id);
  }

  /** The ids named, or every running peer. */
  private ids(a: ScriptArgs): PeerId[] {
    return a.positional.length > 0 ? a.positional : [...this.harness.nodes.keys()];
  }
}

function peer(a: ScriptArgs): PeerId {
  return one(a, 'peer id');
}

function one(a: ScriptArgs, what: string): string {
  if (a.positional.length !== 1) throw new ScriptError(`expected one ${what}, got ${a.positional.length}`);
  return a.positional[0];
}

/** `from=`, `to=` and `type=` (the message type, e.g. AppendEntries) narrow a message command. */
function matcher(a: ScriptArgs): (m: InFlight) => boolean {
  const from = a.named.get('from');
  const to = a.named.get('to');
  const type = a.named.get('type');
  return (m) => (!from || from.includes(m.from)) && (!to || to.includes(m.to)) && (!type || type.includes(m.message.type));
}

function line(m: InFlight): string {
  return `${m.from}->${m.to} ${describeMessage(m.message)}`;
}

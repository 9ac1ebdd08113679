// The engine under fire: three voters on the deterministic EngineHarness, every honest message
// crossing the real codec (encode, then decode) as it would on the wire, and hostile messages
// delivered from an outsider peer ("mallory": a connection that is not a member).
// Checks: no engine call throws, at most one leader per term, and the group can still elect a
// leader and commit a command through it.
//
// Raft trusts its members (it tolerates crashes, not lies), so mallory is given no authority: it
// never joins (JoinRequest is withheld), its AppendEntries/Heartbeat reach a peer only with a term
// below that peer's (a stale leader, answered and ignored), and no engine is told it is connected,
// so catch-up never fetches log data from it and it is never asked for a log tail (its unasked
// LogTailResponse frames are delivered, and dropped). Everything else that decodes is delivered: votes and
// vote requests, responses, forwarded commands, reads, catch-up requests and replies, leaves,
// TimeoutNow, with whatever numbers the codec let through, terms up to CODEC_LIMITS.maxTerm included.
// A group that adopted any higher term could be pushed to the limit and left without a term to elect
// with; the engine refuses such jumps from outside its voters (engine/bounds.ts, counted in
// `refusals.termJumps`), and the liveness probes check that it does.
import { encodeMessage, tryDecodeMessage } from '../../packages/core/src/codec/index';
import type { Message } from '../../packages/core/src/messages';
import type { PeerId } from '../../packages/core/src/types';
import { EngineHarness, type InFlight } from '../../packages/core/test/support/engine-harness';
import type { GroupView } from './valid-messages';

export const VOTERS: PeerId[] = ['a', 'b', 'c'];
export const OUTSIDER: PeerId = 'mallory';

export interface GroupStats {
  /** Honest messages the codec refused to encode or decode (each is a message the group lost). */
  honestEncodeRefused: number;
  honestDecodeRefused: number;
  /** Hostile messages handed to an engine, and those withheld because they would give mallory authority. */
  delivered: number;
  withheld: number;
  /** What the voters' engines refused (RaftNode.refusals, summed): term jumps, campaigns, proposals, appends. */
  refusals: { termJumps: number; campaigns: number; proposals: number; appends: number };
  /** Exceptions thrown by an engine (or its harness) while handling input: must stay 0. */
  engineExceptions: number;
  firstEngineException: string | null;
  /** Terms in which two different peers were leader: must stay empty. */
  splitTerms: number[];
  /** Liveness probes passed / failed. */
  probesPassed: number;
  probesFailed: number;
  highestTerm: number;
}

/** EngineHarness whose network carries every honest message through the codec, as a real link does. */
class CodecHarness extends EngineHarness {
  constructor(private readonly stats: GroupStats, seed: number) {
    super({ ids: VOTERS, seed });
  }

  override deliverOne(filter: (m: InFlight) => boolean = () => true): boolean {
    const at = this.network.findIndex(filter);
    if (at < 0) return false;
    const item = this.network[at];
    if (item.to === OUTSIDER) {
      this.network.splice(at, 1); // replies to mallory go nowhere
      return true;
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(item.message);
    } catch {
      this.stats.honestEncodeRefused++;
      this.network.splice(at, 1);
      return true;
    }
    const decoded = tryDecodeMessage(bytes);
    if (!decoded.ok) {
      this.stats.honestDecodeRefused++;
      this.network.splice(at, 1);
      return true;
    }
    item.message = decoded.message;
    return super.deliverOne((m) => m === item);
  }

  /** The harness records every Ready, message and applied entry; a long run must not keep them. */
  forgetHistory(): void {
    this.readies.length = 0;
    this.trace.length = 0;
    for (const id of VOTERS) {
      this.applied.get(id)!.length = 0;
      this.proposals.get(id)!.length = 0;
      this.reads.get(id)!.length = 0;
    }
  }
}

export class FuzzGroup {
  readonly stats: GroupStats = {
    honestEncodeRefused: 0, honestDecodeRefused: 0, delivered: 0, withheld: 0, refusals: { termJumps: 0, campaigns: 0, proposals: 0, appends: 0 }, engineExceptions: 0, firstEngineException: null,
    splitTerms: [], probesPassed: 0, probesFailed: 0, highestTerm: 0,
  };
  private readonly harness: CodecHarness;
  private readonly leaderOfTerm = new Map<number, PeerId>();
  private requestId = 0;
  private probeCount = 0;

  constructor(seed: number) {
    this.harness = new CodecHarness(this.stats, seed);
    this.guard(() => this.harness.connectAll());
  }

  view(): GroupView {
    let term = 0;
    let lastIndex = 0;
    for (const id of VOTERS) {
      const status = this.harness.node(id).status();
      term = Math.max(term, status.term);
      lastIndex = Math.max(lastIndex, status.lastIndex);
    }
    return { term, lastIndex, voters: VOTERS };
  }

  /** Hands a hostile message to one voter, as if mallory had sent it (unless it would give mallory authority). */
  inject(to: PeerId, message: Message): void {
    const claimsLeadership = message.type === 'AppendEntries' || message.type === 'Heartbeat';
    if (message.type === 'JoinRequest' || (claimsLeadership && message.term >= this.harness.node(to).term)) {
      this.stats.withheld++;
      return;
    }
    this.stats.delivered++;
    this.guard(() => {
      this.harness.node(to).receive(OUTSIDER, message, this.harness.now);
      this.harness.drain(to);
    });
    this.checkLeaders();
  }

  /** Lets virtual time pass (ticks, honest traffic), optionally proposing a command at the leader. */
  run(ms: number, propose: boolean): void {
    this.guard(() => {
      if (propose) {
        const leader = this.currentLeader();
        if (leader) this.harness.propose(leader, ++this.requestId, [`cmd-${this.requestId}`]);
      }
      this.advance(ms);
    });
    this.harness.forgetHistory();
  }

  /**
   * Liveness: within `budgetMs` of virtual time (hostile input paused), the group agrees on a leader
   * and a fresh command commits on all three voters.
   */
  probe(budgetMs = 60_000): boolean {
    const command = `probe-${++this.probeCount}`;
    let proposed = false;
    let ok = false;
    this.guard(() => {
      const end = this.harness.now + budgetMs;
      while (this.harness.now < end) {
        this.advance(50);
        const leader = this.currentLeader();
        if (!proposed && leader && this.agreed(leader)) {
          this.harness.propose(leader, ++this.requestId, [command]);
          proposed = true;
        }
        if (proposed && VOTERS.every((id) => this.harness.sm.get(id)!.includes(command))) {
          ok = true;
          return;
        }
        // A proposal lost with a deposed leader is proposed again at the next one.
        if (proposed && !leader) proposed = false;
      }
    });
    if (ok) this.stats.probesPassed++;
    else this.stats.probesFailed++;
    this.harness.forgetHistory();
    for (const id of VOTERS) {
      const sm = this.harness.sm.get(id)!;
      if (sm.length > 1000) sm.splice(0, sm.length - 100); // only recent commands are looked up
    }
    return ok;
  }

  private advance(ms: number): void {
    const end = this.harness.now + ms;
    while (this.harness.now < end) {
      this.harness.advance(10, 10);
      this.checkLeaders();
    }
  }

  private currentLeader(): PeerId | null {
    const leaders = this.harness.leaders().filter((id) => VOTERS.includes(id));
    if (leaders.length === 0) return null;
    return leaders.sort((x, y) => this.harness.node(y).term - this.harness.node(x).term)[0];
  }

  private agreed(leader: PeerId): boolean {
    const term = this.harness.node(leader).term;
    return VOTERS.every((id) => this.harness.node(id).term === term && this.harness.node(id).status().leader === leader);
  }

  /** Sums the voters' refusal counters into the stats (engines are never restarted here). */
  countRefusals(): void {
    const total = { termJumps: 0, campaigns: 0, proposals: 0, appends: 0 };
    for (const id of VOTERS) {
      const refusals = this.harness.node(id).refusals;
      for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += refusals[key];
    }
    this.stats.refusals = total;
  }

  private checkLeaders(): void {
    for (const id of VOTERS) {
      const node = this.harness.nodes.get(id);
      if (!node) continue;
      const status = node.status();
      this.stats.highestTerm = Math.max(this.stats.highestTerm, status.term);
      if (status.role !== 'leader') continue;
      const known = this.leaderOfTerm.get(status.term);
      if (known === undefined) this.leaderOfTerm.set(status.term, id);
      else if (known !== id && !this.stats.splitTerms.includes(status.term)) this.stats.splitTerms.push(status.term);
    }
    if (this.leaderOfTerm.size > 10_000) {
      // Keep the recent terms only: a split is detected while both leaders are alive.
      const terms = [...this.leaderOfTerm.keys()].sort((x, y) => x - y);
      for (const term of terms.slice(0, terms.length - 1000)) this.leaderOfTerm.delete(term);
    }
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.stats.engineExceptions++;
      this.stats.firstEngineException ??= error instanceof Error ? `${error.name}: ${error.message}\n${error.stack?.split('\n').slice(1, 6).join('\n')}` : String(error);
    }
  }
}

// The successor lists departed leaders named (Departure.successors) with their final positions:
// who re-founds the group once every voter is gone, and which claims that peer's log must cover
// first (departure-handler.ts maybeSucceed). Only the latest departed leader's list names the
// successor; earlier ones count when every peer on the later lists departed too.
import type { Departure } from '../messages';
import type { PeerId } from '../types';

/** A departed leader's final position. */
export interface LeaderClaim {
  lastIndex: number;
  lastTerm: number;
}

export interface SuccessorChoice {
  peer: PeerId;
  /** The term of the departed leader whose list named `peer`. */
  term: number;
  /** The claims of every leader whose list was consulted, the latest first. */
  claims: LeaderClaim[];
  /**
   * The peers passed over on those lists (each known departed). One may have re-founded the group
   * and committed entries there before it departed: when it departs as a follower (its tab crashed
   * and was adopted, say), no leader's notice says so, and only its own final position covers them.
   */
  passed: PeerId[];
}

export class SuccessorLists {
  /** The latest departed leader's list and its term. */
  private latest: PeerId[] = [];
  private latestTerm = -1;
  /** That leader's final position (null: no leader's notice kept). */
  private claim: LeaderClaim | null = null;
  /** Lists and claims of earlier departed leaders, by term. */
  private readonly earlier = new Map<number, { successors: PeerId[]; claim: LeaderClaim }>();

  /** The latest departed leader's list (empty: none, or it named nobody). */
  get current(): readonly PeerId[] {
    return this.latest;
  }

  /** The latest departed leader's final position, or null. */
  get latestClaim(): LeaderClaim | null {
    return this.claim;
  }

  /**
   * Keeps the list of a departed leader's notice (one of a later term replaces the latest, which
   * is kept among the earlier ones); true when `m` is now the latest departed leader's notice.
   */
  note(m: Departure): boolean {
    if (m.led !== true) return false;
    const list = { successors: m.successors ?? [], claim: { lastIndex: m.lastIndex, lastTerm: m.lastTerm } };
    if (m.term < this.latestTerm) {
      this.earlier.set(m.term, list);
      return false;
    }
    if (m.term > this.latestTerm && this.claim !== null) this.earlier.set(this.latestTerm, { successors: this.latest, claim: this.claim });
    this.latestTerm = m.term;
    this.latest = list.successors;
    this.claim = list.claim;
    return true;
  }

  /**
   * Who re-founds: the first peer not known departed on the latest departed leader's list, and the
   * claims of the leaders whose lists were consulted. When every peer on that list is known departed
   * (a leader of a moment that left before it heard of the others' departures, and named only them),
   * the list of the leader before it counts, and so on: notices are genuine, so every peer passed
   * over really is gone, and every peer that reads the lists reaches the same one (a peer that does
   * not know yet that someone ahead of it departed does not act). The claims of every leader from
   * that list on must be covered.
   */
  choice(departed: (peer: PeerId) => boolean): SuccessorChoice | null {
    if (this.claim === null) return null;
    const claims = [this.claim];
    const passed: PeerId[] = [];
    const alive = (list: readonly PeerId[]) => {
      const index = list.findIndex((p) => !departed(p));
      passed.push(...(index < 0 ? list : list.slice(0, index)));
      return index < 0 ? undefined : list[index];
    };
    const latest = alive(this.latest);
    if (latest !== undefined) return { peer: latest, term: this.latestTerm, claims, passed };
    // Every list kept there is of a term below the latest one's (note()).
    const earlier = [...this.earlier].sort(([a], [b]) => b - a);
    for (const [term, list] of earlier) {
      claims.push(list.claim);
      const peer = alive(list.successors);
      if (peer !== undefined) return { peer, term, claims, passed };
    }
    return null;
  }

  /** The group was re-founded here: no list applies any more. */
  clear(): void {
    this.latest = [];
    this.claim = null;
    this.earlier.clear();
  }
}

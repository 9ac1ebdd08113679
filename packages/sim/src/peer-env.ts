// What a simulated peer is given by the run (PeerEnv: the seed, virtual time, the network, the
// monitor, the trace, the engine's configuration and bug switches, the fsync times) and what it
// reports back (PeerEvents: the fault injector, the churn and tabs drivers react to them).
import type { Departure, PeerId, RaftConfig } from '@meshraft/core';
import type { InjectedBugs } from '@meshraft/core/testing';
import type { EventQueue } from './event-queue';
import type { InvariantMonitor } from './invariants';
import type { SimNetwork } from './network';
import type { SimPeer } from './sim-peer';
import type { Trace } from './trace';

/** Things a peer reports to the fault injector and the cluster (scenarios react to them). */
export interface PeerEvents {
  leaderElected(peer: SimPeer, term: number): void;
  voteGranted(peer: SimPeer, to: PeerId): void;
  /** A vote message left before its batch's write (a candidate's RequestVote, splitReadyMessages). */
  voteSentEarly(peer: SimPeer): void;
  leaderCommitted(peer: SimPeer, term: number, commit: number): void;
  /** The engine reports this peer removed from the group (status.removed). */
  removed(peer: SimPeer): void;
  /** The engine saw another peer's Departure notice for the first time (Ready.departures). */
  departureSeen(peer: SimPeer, notice: Departure): void;
  /** The engine's configuration changed (status.members). */
  membersChanged(peer: SimPeer): void;
  /** The engine reports this peer frozen (status.frozen: every voter of its configuration departed). */
  frozen(peer: SimPeer): void;
}

export interface PeerEnv {
  seed: number;
  queue: EventQueue;
  network: SimNetwork;
  monitor: InvariantMonitor;
  trace: Trace;
  config: RaftConfig;
  bugs: InjectedBugs | undefined;
  fsyncDelay(): number;
  events: PeerEvents;
}

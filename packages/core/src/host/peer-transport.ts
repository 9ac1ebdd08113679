// How an EngineHost reaches other peers. Outbound only: inbound messages and connectivity changes
// are pushed into the host with EngineHost.receive / peerUp / peerDown by whoever owns the network
// (the in-memory network in tests, the WebRTC mesh relay in the browser).
import type { DeparturePlan } from '../engine/api';
import type { Departure, Message } from '../messages';
import type { PeerId } from '../types';

export interface PeerTransport {
  /** Best effort, unordered across peers; may drop silently (Raft retries). */
  send(to: PeerId, message: Message): void;
  /**
   * The engine's departure plan changed (Ready.departure). Called before the messages of the same
   * Ready are sent, so whoever sends the plan when the page goes away (synchronously, without the
   * engine) holds one that covers every acknowledgement already sent.
   */
  departurePlan?(plan: DeparturePlan): void;
  /** Departure notices of other peers the engine saw for the first time (Ready.departures), to keep as tombstones. */
  departures?(notices: Departure[]): void;
}

// Which of a Ready's messages may leave before its persist batch is durable.
//
// Raft's rule is that a peer must not send anything that vouches for state it has not stored yet
// (Raft Fig. 2). A leader's AppendEntries and Heartbeat vouch for nothing on the sender's disk: the
// leader may write its log in parallel with replicating it (thesis §10.2.1) because it counts itself
// toward a commit only for entries its storage acknowledged (the engine's persistedIndex()). The same
// holds for forwarding requests and their answers, which only name log positions. Everything else
// (AppendEntriesResponse, votes, catch-up replies, ...) waits, and so does every message of a batch
// that changes the term or vote, installs a snapshot or truncates the log: then the sender's role
// or log is itself being decided by the batch.
//
// One exception: a candidate's RequestVote (§5.2) may leave while the batch that stores its new
// term and its vote for itself is being written. The request vouches for nothing: a voter grants
// on its own state and persists its own vote before answering. What must not happen is that the
// candidate leads a term in which, after a crash that lost the batch, it could vote again for
// someone else. It cannot: a host takes the next Ready only once this one is durable, and
// everything the candidate sends as leader is in a later Ready. A crash before the write lands
// leaves voters in the new term with nobody leading it, as a lost RequestVote answer would.
import type { Ready } from '../engine/api';
import type { Envelope, Message } from '../messages';
import { writesBesidesHardState, type PersistBatch } from '../storage';
import type { PeerId } from '../types';

const MAY_LEAVE_EARLY: ReadonlySet<Message['type']> = new Set<Message['type']>([
  'AppendEntries',
  'Heartbeat',
  'ForwardCommands',
  'ForwardCommandsResponse',
  'ReadIndexRequest',
  'ReadIndexResponse',
]);

export function mayLeaveEarly(message: Message): boolean {
  return MAY_LEAVE_EARLY.has(message.type);
}

/** True when the batch decides nothing about the sender's term, vote or log prefix. */
export function appendsOnly(batch: PersistBatch, durable: { term: number; vote: PeerId | null }): boolean {
  return batch.snapshot === undefined && batch.truncateFrom === undefined && keepsTermAndVote(batch, durable);
}

/** The batch stores no hard state, or one of the term and vote already durable. */
function keepsTermAndVote(batch: PersistBatch, durable: { term: number; vote: PeerId | null }): boolean {
  const hard = batch.hardState;
  return hard === undefined || (hard.term === durable.term && hard.vote === durable.vote);
}

/** The batch stores `self`'s vote for itself in a term it has not stored yet: its own candidacy (§5.2). */
export function startsCandidacy(batch: PersistBatch, durable: { term: number; vote: PeerId | null }, self: PeerId): boolean {
  const hard = batch.hardState;
  return hard !== undefined && hard.vote === self && hard.term > durable.term;
}

/**
 * Splits `messages` into those that may be sent now and those that wait for `batch`. Order is kept
 * within each. With `self` (the sending peer's id), a candidate's RequestVote of the term the batch
 * starts may go early too (see the top of this file); without it, it waits.
 */
export function splitReadyMessages(
  batch: PersistBatch,
  durable: { term: number; vote: PeerId | null },
  messages: Envelope[],
  self?: PeerId,
): { early: Envelope[]; late: Envelope[] } {
  if (messages.length === 0) return { early: [], late: [] };
  const appends = appendsOnly(batch, durable);
  const candidacyTerm = self !== undefined && startsCandidacy(batch, durable, self) ? batch.hardState?.term : undefined;
  if (!appends && candidacyTerm === undefined) return { early: [], late: messages };
  const early: Envelope[] = [];
  const late: Envelope[] = [];
  for (const envelope of messages) {
    const { message } = envelope;
    const leaves = appends ? mayLeaveEarly(message) : message.type === 'RequestVote' && message.term === candidacyTerm;
    (leaves ? early : late).push(envelope);
  }
  return { early, late };
}

/**
 * Whether a Ready's departure plan goes out with its early messages (else after its write). It does,
 * unless those are only vote requests: they acknowledge nothing, so the plan already held still
 * covers every acknowledgement sent, while the new one names a log still being written.
 */
export function planLeavesEarly(early: Envelope[]): boolean {
  return early.some((envelope) => envelope.message.type !== 'RequestVote');
}

/**
 * True when the batch leaves the sender's term, vote and log prefix as they are: it may append,
 * move the commit index and store a snapshot the engine took of its own applied state (compaction,
 * §7), but truncates nothing and installs no snapshot fetched from another peer.
 */
export function keepsTermAndPrefix(ready: Pick<Ready, 'persist' | 'snapshotToInstall'>, durable: { term: number; vote: PeerId | null }): boolean {
  return ready.persist.truncateFrom === undefined && ready.snapshotToInstall === null && keepsTermAndVote(ready.persist, durable);
}

/**
 * Whether a Ready's departure plan goes out before its batch is written (else after it), the one
 * rule both hosts follow. It does with its early messages unless they are only vote requests
 * (planLeavesEarly). A leader's goes even with no early message (its followers may all be waiting on
 * earlier appends): its notice claims the commit index (or the entries it inherited on election),
 * which a quorum stored already, its appends carry no more, and a batch that keeps its term and log
 * prefix (keepsTermAndPrefix: appends, or its own compaction snapshot) decides nothing about them.
 * It must: the page applies the Ready's committed entries before the write, and a closing leader's
 * notice is raised to what its page applied (finalNotice), so with an older plan its last appends
 * would stop short of its own notice and its successors would wait for entries only its slot
 * holds. A lone voter whose own write committed an entry, and whose page asked for a snapshot at the
 * index before, gets exactly that Ready: the entry committed, the snapshot to store.
 */
export function planLeavesBeforeWrite(early: Envelope[], ready: Pick<Ready, 'departure' | 'persist' | 'snapshotToInstall'>, durable: { term: number; vote: PeerId | null }): boolean {
  return planLeavesEarly(early) || (ready.departure?.notice.led === true && keepsTermAndPrefix(ready, durable));
}

/**
 * True when the batch only moves the stored commit index (same term and vote, no entries, nothing
 * truncated, compacted or installed). Raft's commit index is volatile state (Fig. 2); storing it
 * only lets a restart replay more of the log at once. Nothing the peer sends or reports depends on
 * it being durable, so the host does not wait for such a batch before the next Ready.
 */
export function commitOnly(batch: PersistBatch, durable: { term: number; vote: PeerId | null }): boolean {
  return !writesBesidesHardState(batch) && batch.hardState !== undefined && keepsTermAndVote(batch, durable);
}

// Shape checks for what a host hands to MemoryStorage. A failure is a host/engine bug, so it is a
// plain thrown Error naming the offending field (not a typed user-facing error).
import type { PersistedState } from '../storage';
import type { HardState, LogEntry, Membership, Snapshot } from '../types';

/** A PersistBatch or PersistedState violates the storage contract. */
export class InvalidBatchError extends Error {
  override name = 'InvalidBatchError';
}

function fail(message: string): never {
  throw new InvalidBatchError(message);
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function checkMembership(m: Membership | undefined, where: string): void {
  if (!m || !Array.isArray(m.voters) || !Array.isArray(m.learners)) fail(`${where}: membership needs voters[] and learners[]`);
  for (const id of [...m.voters, ...m.learners]) if (typeof id !== 'string') fail(`${where}: member ids must be strings`);
}

export function checkEntry(entry: LogEntry, where: string): void {
  if (typeof entry !== 'object' || entry === null) fail(`${where}: not an entry object`);
  if (!isUint(entry.index) || entry.index < 1) fail(`${where}: index must be an integer >= 1, got ${String(entry.index)}`);
  if (!isUint(entry.term)) fail(`${where}: term must be a non-negative integer, got ${String(entry.term)}`);
  switch (entry.kind) {
    case 'noop':
      return;
    case 'command':
      if (!(entry.data instanceof Uint8Array)) fail(`${where}: command data must be a Uint8Array`);
      if (entry.client !== undefined && (typeof entry.client.clientId !== 'string' || !isUint(entry.client.seq))) {
        fail(`${where}: malformed client tag`);
      }
      return;
    case 'config':
      checkMembership(entry.membership, where);
      return;
    default:
      fail(`${where}: unknown entry kind ${String((entry as { kind: unknown }).kind)}`);
  }
}

/**
 * `entries` must continue the log: first index `nextIndex`, contiguous, terms never below `minTerm`
 * and non-decreasing (a Raft log's terms only grow, §5.3).
 */
export function checkRun(entries: readonly LogEntry[], nextIndex: number, minTerm: number, what: string): void {
  let expected = nextIndex;
  let term = minTerm;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    checkEntry(entry, `${what}[${i}]`);
    if (entry.index !== expected) fail(`${what}: non-contiguous entries, expected index ${expected}, got ${entry.index}`);
    if (entry.term < term) fail(`${what}: entry ${entry.index} has term ${entry.term}, below the preceding term ${term}`);
    term = entry.term;
    expected++;
  }
}

export function checkHardState(h: HardState, where: string): void {
  if (typeof h !== 'object' || h === null) fail(`${where}: not an object`);
  if (!isUint(h.term) || !isUint(h.commit)) fail(`${where}: term and commit must be non-negative integers`);
  if (h.vote !== null && typeof h.vote !== 'string') fail(`${where}: vote must be a peer id or null`);
}

export function checkSnapshot(s: Snapshot, where: string): void {
  if (typeof s !== 'object' || s === null || typeof s.meta !== 'object' || s.meta === null) fail(`${where}: not a snapshot`);
  if (!isUint(s.meta.index) || !isUint(s.meta.term)) fail(`${where}: meta index/term must be non-negative integers`);
  checkMembership(s.meta.membership, `${where}.meta`);
  if (!(s.data instanceof Uint8Array)) fail(`${where}: data must be a Uint8Array`);
}

/** A whole state, as accepted by MemoryStorage.from: entries must directly follow the snapshot. */
export function checkPersistedState(state: PersistedState): void {
  checkHardState(state.hardState, 'hardState');
  if (state.snapshot !== null) checkSnapshot(state.snapshot, 'snapshot');
  if (!Array.isArray(state.entries)) fail('entries must be an array');
  const snapshotIndex = state.snapshot?.meta.index ?? 0;
  checkRun(state.entries, snapshotIndex + 1, state.snapshot?.meta.term ?? 0, 'entries');
}

export { fail as invalidBatch };

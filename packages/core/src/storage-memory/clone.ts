// Deep copies of persisted values. MemoryStorage copies on the way in and out so that neither the
// engine nor a test can change "disk" contents by mutating an object it handed over or got back,
// exactly as a real store (IndexedDB structured clone) behaves.
import type { PersistedState } from '../storage';
import type { HardState, LogEntry, Membership, Snapshot } from '../types';

export function cloneBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

export function cloneMembership(m: Membership): Membership {
  return { voters: [...m.voters], learners: [...m.learners] };
}

export function cloneEntry(entry: LogEntry): LogEntry {
  switch (entry.kind) {
    case 'noop':
      return { kind: 'noop', index: entry.index, term: entry.term };
    case 'command': {
      const copy: LogEntry = { kind: 'command', index: entry.index, term: entry.term, data: cloneBytes(entry.data) };
      if (entry.client) copy.client = { clientId: entry.client.clientId, seq: entry.client.seq };
      return copy;
    }
    case 'config':
      return { kind: 'config', index: entry.index, term: entry.term, membership: cloneMembership(entry.membership) };
  }
}

export function cloneHardState(h: HardState): HardState {
  return { term: h.term, vote: h.vote, commit: h.commit };
}

export function cloneSnapshot(s: Snapshot): Snapshot {
  return {
    meta: { index: s.meta.index, term: s.meta.term, membership: cloneMembership(s.meta.membership) },
    data: cloneBytes(s.data),
  };
}

export function clonePersistedState(state: PersistedState): PersistedState {
  return {
    hardState: cloneHardState(state.hardState),
    snapshot: state.snapshot ? cloneSnapshot(state.snapshot) : null,
    entries: state.entries.map(cloneEntry),
  };
}

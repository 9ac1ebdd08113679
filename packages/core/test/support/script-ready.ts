// How a testdata script prints what an engine handed out in one Ready: one line per fact, each
// starting with the peer's id, messages as `from->to <describer text>`. Only what a reader of a
// Raft trace needs: role changes, durable writes, commits, sends, request results.
import { describeEntry, describeMembership, describeMessage } from '../../src/describe-message';
import type { Ready } from '../../src/engine/api';
import type { LogEntry, PeerId, RaftStatus } from '../../src/types';

/** Entries on one line; long runs keep the first two and the last. */
export function describeEntries(entries: LogEntry[]): string {
  if (entries.length <= 5) return entries.map(describeEntry).join(', ');
  return `${describeEntry(entries[0])}, ${describeEntry(entries[1])}, … ${describeEntry(entries.at(-1)!)} (${entries.length} entries)`;
}

export function describeStatus(s: RaftStatus): string {
  const flags = [s.online ? 'online' : '', s.removed ? 'removed' : '', s.catchUp ? `catching-up ${s.catchUp.phase}` : ''].filter((f) => f !== '');
  return [
    `${s.peerId} ${s.role} t${s.term} leader=${s.leader ?? '-'} commit=${s.committed} applied=${s.applied} last=${s.lastIndex}`,
    describeMembership(s.members),
    ...flags,
  ].join(' ');
}

type Seen = Pick<RaftStatus, 'role' | 'term' | 'leader'>;

/** Remembers each peer's role, term and leader so a Ready prints only when they change. */
export class ReadyPrinter {
  private readonly seen = new Map<PeerId, Seen>();

  forget(id: PeerId): void {
    this.seen.delete(id);
  }

  lines(id: PeerId, ready: Ready): string[] {
    const out: string[] = [];
    const s = ready.status;
    if (s) {
      const before = this.seen.get(id);
      if (!before || before.role !== s.role || before.term !== s.term || before.leader !== s.leader) {
        out.push(`${id} becomes ${s.role} t${s.term}${s.leader !== null && s.role !== 'leader' ? ` leader=${s.leader}` : ''}`);
      }
      this.seen.set(id, { role: s.role, term: s.term, leader: s.leader });
    }
    const p = ready.persist;
    if (p.snapshot) out.push(`${id} store snapshot ${p.snapshot.meta.index}/${p.snapshot.meta.term} ${describeMembership(p.snapshot.meta.membership)}`);
    if (p.truncateFrom !== undefined) out.push(`${id} truncate from=${p.truncateFrom}`);
    if (p.entries.length > 0) out.push(`${id} append ${describeEntries(p.entries)}`);
    if (p.hardState) out.push(`${id} hard-state term=${p.hardState.term} vote=${p.hardState.vote ?? '-'} commit=${p.hardState.commit}`);
    if (p.compactTo !== undefined) out.push(`${id} compact to=${p.compactTo}`);
    if (ready.snapshotToInstall) out.push(`${id} install snapshot ${ready.snapshotToInstall.meta.index}/${ready.snapshotToInstall.meta.term}`);
    if (ready.committed.length > 0) out.push(`${id} apply ${describeEntries(ready.committed)}`);
    if (ready.snapshotRequest) out.push(`${id} snapshot-request up-to=${ready.snapshotRequest.upTo}`);
    for (const r of ready.proposals) out.push(`${id} proposal #${r.requestId} ${r.ok ? `ok ${r.start}..${r.end}` : r.error}`);
    for (const r of ready.reads) out.push(`${id} read #${r.requestId} ${r.ok ? `ok index=${r.index}` : r.error}`);
    for (const d of ready.departures ?? []) out.push(`${id} learns ${d.peer ?? '?'} departed`);
    for (const { to, message } of ready.messages) out.push(`${id}->${to} ${describeMessage(message)}`);
    return out;
  }
}

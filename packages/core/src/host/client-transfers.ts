// The client's side of transferLeadership (thesis §3.10): requests wait for the host's
// 'transfer-result' and turn it into the caller's typed outcome. Only the leader can hand over, so a
// 'not-leader' answer is a success when the wished-for peer already leads and misuse otherwise; an
// 'invalid-target' answer (a peer that cannot lead) is misuse.
import { ClosedError, InvalidInputError, OfflineError, TimeoutError } from '../errors';
import type { PeerId } from '../types';
import type { ClientToHost, TransferResultNotice } from './protocol';

interface PendingTransfer {
  to?: PeerId;
  resolve(): void;
  reject(error: unknown): void;
}

export class ClientTransfers {
  private readonly pending = new Map<number, PendingTransfer>();

  constructor(private readonly post: (message: ClientToHost) => void) {}

  start(requestId: number, to: PeerId | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject, to });
      this.post({ type: 'transfer', requestId, to });
    });
  }

  onResult(message: TransferResultNotice, currentLeader: PeerId | null): void {
    const pending = this.pending.get(message.requestId);
    if (!pending) return;
    this.pending.delete(message.requestId);
    if (message.ok) return pending.resolve();
    if (message.error === 'not-leader') {
      // Nothing to do if the wished-for peer already leads; otherwise only the leader can hand over.
      if (pending.to !== undefined && currentLeader === pending.to) return pending.resolve();
      return pending.reject(new InvalidInputError('transferLeadership must be called on the current leader'));
    }
    if (message.error === 'invalid-target') return pending.reject(new InvalidInputError(message.message));
    pending.reject(message.error === 'timeout' ? new TimeoutError('leadership transfer did not complete in time', { kind: 'none' }) : new ClosedError('engine shutting down'));
  }

  /** A new host (another peer id) took over: the old one's transfers will never be answered. */
  rejectForNewHost(): void {
    this.rejectAll(() => new OfflineError('this peer re-joined the group under a new id', { kind: 'none' }));
  }

  /** The group closes (`reason`: the ClosedError message): every transfer still waiting rejects with ClosedError. */
  closeAll(reason = 'group closed'): void {
    this.rejectAll(() => new ClosedError(reason));
  }

  /** One error per caller, so no two promises share an error object. */
  private rejectAll(errorOf: () => unknown): void {
    for (const [requestId, pending] of [...this.pending]) {
      this.pending.delete(requestId);
      pending.reject(errorOf());
    }
  }
}

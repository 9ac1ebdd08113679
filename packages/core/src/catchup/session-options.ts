// Validation of CatchUpSessionOptions: a bad configuration is a typed error at construction,
// never a session that silently stalls.
import { InvalidInputError } from '../errors';
import type { CatchUpSessionOptions } from './api';

export function validateSessionOptions(options: CatchUpSessionOptions): void {
  const positive = (name: string, value: number) => {
    if (!Number.isSafeInteger(value) || value < 1) throw new InvalidInputError(`catch-up ${name} must be a positive integer, got ${value}`);
  };
  positive('batchSize', options.batchSize);
  positive('snapshotChunkBytes', options.snapshotChunkBytes);
  positive('from', options.from);
  if (!(options.requestTimeoutMs > 0)) throw new InvalidInputError(`catch-up requestTimeoutMs must be > 0, got ${options.requestTimeoutMs}`);
  if (!Number.isSafeInteger(options.firstRequestId) || options.firstRequestId < 0) {
    throw new InvalidInputError(`catch-up firstRequestId must be a non-negative integer, got ${options.firstRequestId}`);
  }
  if (!Number.isSafeInteger(options.to) || !Number.isSafeInteger(options.localSnapshotIndex) || options.localSnapshotIndex < 0) {
    throw new InvalidInputError('catch-up to / localSnapshotIndex must be integers (localSnapshotIndex >= 0)');
  }
  if (!Number.isSafeInteger(options.prevTerm) || options.prevTerm < 0) {
    throw new InvalidInputError(`catch-up prevTerm must be a non-negative integer, got ${options.prevTerm}`);
  }
  if (!Array.isArray(options.peers)) throw new InvalidInputError('catch-up peers must be an array');
  const hint = options.entryBytesHint;
  if (hint !== undefined && !(Number.isFinite(hint) && hint > 0)) throw new InvalidInputError(`catch-up entryBytesHint must be a positive number, got ${hint}`);
}

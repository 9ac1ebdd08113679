// Public exports of catchup/: the multi-peer catch-up scheduler and the serving side of its protocol.
export * from './api';
export { CatchUpSession } from './catch-up-session';
export { answerCatchUpRequest, arraySource, MAX_ENTRIES_ANSWER_BYTES, MAX_SNAPSHOT_PIECE_BYTES, type CatchUpSource, type CatchUpReply } from './responder';
export { estimateEntryBytes, estimateEntriesBytes } from './entry-size';

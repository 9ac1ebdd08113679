export { atLeastAsUpToDate, chooseSlot, frozenRestartSlot, runningPeers, type SlotChoice, type SlotSummary } from './local-slots';
export { decideFounding, decideFrozenRestart, startReadsConfiguration, refoundingTerm, type Founding, type FoundingInput, type RoomEvidence } from './founding';
export { SlotCollector } from './slot-collector';
export { LOCAL_LOG_TAIL_MAX_ENTRIES, localLogTailSources } from './local-log-tail';
export { roomEvidenceOf, type RoomPeerSays } from './room';
export { replayedNotice, replayedPeers } from './replayed-notice';
export { finalNotice, type SeenByPage } from './final-notice';
export { handedOver, handedOverCommit, handOverLimits, keptWithinTerm, type HandOverLimits } from './hand-over';
export { logConfiguration, type LogConfiguration } from './log-configuration';

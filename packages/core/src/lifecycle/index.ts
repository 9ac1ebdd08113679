export { atLeastAsUpToDate, chooseSlot, type SlotChoice, type SlotSummary } from './local-slots';
export { decideFounding, decideFrozenRestart, refoundingTerm, type Founding, type FoundingInput, type RoomEvidence } from './founding';
export { SlotCollector } from './slot-collector';

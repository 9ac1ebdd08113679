// Public exports of codec/: the wire-message codec, decode statistics, generic value encoding and the
// stored-state helpers. @meshraft/core's main entry re-exports every name listed here.
export {
  CODEC_VERSION,
  DEFAULT_MAX_MESSAGE_BYTES,
  encodeMessage,
  decodeMessage,
  tryDecodeMessage,
  type CodecOptions,
  type DecodeResult,
} from './message-codec';
export { CODEC_LIMITS, MAX_WIRE_INTEGER, type CodecLimits } from './limits';
export { createDecodeStats, decodeCounted, type DecodeStats } from './decode-stats';
export { encodeValue, decodeValue, decodeValueSharingBytes, MAX_VALUE_DEPTH } from './value-codec';
export {
  STATE_CODEC_VERSION,
  encodeLogEntry,
  decodeLogEntry,
  encodeHardState,
  decodeHardState,
  encodeSnapshot,
  decodeSnapshot,
  encodePersistedState,
  decodePersistedState,
} from './state-codec';

// What decoding one frame may allocate. Every object the decoder builds is charged, BEFORE it is
// built, at a conservative estimate of its V8 heap cost; past the budget the frame is refused
// ('too-large'). The budget is a multiple of the frame size plus a floor (CODEC_LIMITS), so no frame
// can make the decoder allocate more than that, whatever its shape.
import { overBudget } from './wire-error';

/**
 * Estimated heap bytes per allocation, measured on Node 20 (x64, no pointer compression; browsers
 * with pointer compression use less) and rounded up. A small Uint8Array with its own ArrayBuffer is
 * the expensive one (~200 bytes whatever its length), which is why a frame of empty byte strings is
 * the worst case per frame byte.
 */
export const ALLOCATION_COST = Object.freeze({
  /** A plain object, plus one slot per field. */
  object: 40,
  field: 8,
  /** An array, plus one slot per element. */
  array: 48,
  slot: 8,
  /** A Uint8Array with its own ArrayBuffer, plus its length. */
  bytes: 224,
  /** A Uint8Array viewing another's ArrayBuffer (no backing store of its own). */
  view: 96,
  /** A string, plus two bytes per UTF-8 byte (UTF-16 at worst). */
  string: 32,
  /** A number outside the small-integer range (boxed). */
  boxedNumber: 16,
});

/** Largest integer V8 keeps unboxed on every 64-bit build. */
const SMALL_INTEGER_MAX = 2 ** 30 - 1;

export class DecodeBudget {
  private left: number;

  constructor(readonly limit: number) {
    this.left = limit;
  }

  /** Budget for a frame of `frameBytes` bytes: floor + perByte x size. */
  static forFrame(frameBytes: number, floor: number, perByte: number): DecodeBudget {
    return new DecodeBudget(floor + perByte * frameBytes);
  }

  charge(bytes: number): void {
    this.left -= bytes;
    if (this.left < 0) throw overBudget(`decoding would allocate more than ${this.limit} bytes`);
  }

  chargeNumber(value: number): void {
    if (value > SMALL_INTEGER_MAX) this.charge(ALLOCATION_COST.boxedNumber);
  }

  get spent(): number {
    return this.limit - this.left;
  }
}

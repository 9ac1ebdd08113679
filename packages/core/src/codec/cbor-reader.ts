// A strict reader of CBOR item heads (RFC 8949 §3). It allocates nothing: callers read one head at a
// time and decide, from their schema, whether the item is acceptable before anything is built.
//
// Refused as 'bad-cbor' whatever the schema: truncation, reserved additional information (28-30),
// indefinite lengths and the break byte, simple values in the two-byte form below 32, and lengths
// that cannot fit in the bytes left (a string of n bytes needs n bytes, an array of n items at least
// n, a map of n pairs at least 2n), so a declared length is never trusted to size an allocation.
import { malformed } from './wire-error';

export const MAJOR = { uint: 0, negint: 1, bytes: 2, text: 3, array: 4, map: 5, tag: 6, simple: 7 } as const;

export const SIMPLE = { false: 20, true: 21, null: 22, undefined: 23 } as const;

/** An argument above 2^53 reads as Infinity: every limit refuses it, and no precision is pretended. */
const TWO_POW_32 = 2 ** 32;

export class CborReader {
  pos: number;
  /** The last head read: major type, additional information and argument (length, value or tag). */
  major = 0;
  info = 0;
  arg = 0;

  /**
   * `ownsBytes`: `bytes` is the decoder's private copy, so byte strings read from it may be views
   * into it (nothing else holds or changes it).
   */
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
    readonly ownsBytes = false,
  ) {
    this.pos = start;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The initial byte of the next item, without consuming it. */
  peek(): number {
    if (this.pos >= this.end) throw malformed('truncated: an item is missing');
    return this.bytes[this.pos];
  }

  /** Reads the next item's head (see the file comment for what is refused); returns its major type. */
  head(): number {
    const b = this.bytes;
    if (this.pos >= this.end) throw malformed('truncated: an item is missing');
    const initial = b[this.pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    let arg: number;
    if (info < 24) {
      arg = info;
    } else if (info <= 27) {
      const size = 1 << (info - 24);
      const p = this.pos;
      if (p + size > this.end) throw malformed('truncated: an item head is cut short');
      if (size === 1) arg = b[p];
      else if (size === 2) arg = (b[p] << 8) | b[p + 1];
      else if (size === 4) arg = b[p] * 2 ** 24 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
      else {
        const high = b[p] * 2 ** 24 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
        const low = b[p + 4] * 2 ** 24 + ((b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]);
        arg = high >= 2 ** 21 ? Number.POSITIVE_INFINITY : high * TWO_POW_32 + low;
      }
      this.pos += size;
    } else if (info === 31) {
      throw malformed(major === MAJOR.simple ? 'a break byte outside an indefinite-length item' : 'indefinite-length items are not accepted');
    } else {
      throw malformed(`reserved additional information ${info}`);
    }
    if (major === MAJOR.simple && info === 24 && arg < 32) throw malformed('a simple value in the two-byte form below 32');
    const left = this.end - this.pos;
    if ((major === MAJOR.bytes || major === MAJOR.text || major === MAJOR.array) && arg > left) {
      throw malformed(`truncated: declares ${arg} ${major === MAJOR.array ? 'items' : 'bytes'} with ${left} bytes left`);
    }
    if (major === MAJOR.map && arg > left / 2) throw malformed(`truncated: declares ${arg} map pairs with ${left} bytes left`);
    this.major = major;
    this.info = info;
    this.arg = arg;
    return major;
  }

  /** Consumes the payload of the byte or text string whose head was just read; returns its start. */
  payload(): number {
    const start = this.pos;
    this.pos += this.arg;
    return start;
  }

  /** A short description of the last head read, for error messages (never echoes payload bytes). */
  describeHead(): string {
    switch (this.major) {
      case MAJOR.uint:
        return `integer ${this.arg}`;
      case MAJOR.negint:
        return 'a negative integer';
      case MAJOR.bytes:
        return `bytes(${this.arg})`;
      case MAJOR.text:
        return 'a text string';
      case MAJOR.array:
        return `array(${this.arg})`;
      case MAJOR.map:
        return 'a map';
      case MAJOR.tag:
        return `tag ${this.arg}`;
      default:
        if (this.info === SIMPLE.false || this.info === SIMPLE.true) return 'a boolean';
        if (this.info === SIMPLE.null) return 'null';
        if (this.info === SIMPLE.undefined) return 'undefined';
        if (this.info >= 25 && this.info <= 27) return 'a float';
        return 'a simple value';
    }
  }
}

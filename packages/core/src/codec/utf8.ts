// UTF-8 for wire strings (ids): the byte length a string will take on the wire, and a strict decoder.
// Lone surrogates cannot be encoded and invalid UTF-8 is refused, so what decodes is exactly what
// could have been encoded.
import { malformed } from './wire-error';

/** UTF-8 byte length of `s`, or -1 when it holds a lone surrogate (not representable in UTF-8). */
export function utf8Length(s: string): number {
  let length = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      length += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else length += 3;
  }
  return length;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes bytes[start, start + length) as UTF-8; throws 'bad-cbor' on invalid UTF-8. */
export function decodeUtf8(bytes: Uint8Array, start: number, length: number): string {
  // Ids are short and almost always ASCII: skip TextDecoder's per-call cost for them.
  if (length <= 64) {
    let ascii = '';
    let i = start;
    const end = start + length;
    for (; i < end; i++) {
      const c = bytes[i];
      if (c >= 0x80) break;
      ascii += String.fromCharCode(c);
    }
    if (i === end) return ascii;
  }
  try {
    return strictDecoder.decode(bytes.subarray(start, start + length));
  } catch {
    throw malformed('a text string is not valid UTF-8');
  }
}

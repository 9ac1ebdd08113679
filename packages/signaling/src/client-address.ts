// The key a connection is counted under for the per-address cap. IPv4 addresses count one by one;
// IPv6 addresses count per /64, because one host routinely holds a whole /64 and could otherwise
// open a fresh address per connection.

import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

export function clientAddressKey(request: IncomingMessage, trustProxy: boolean): string {
  let address = request.socket.remoteAddress ?? 'unknown';
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const header = Array.isArray(forwarded) ? forwarded[forwarded.length - 1] : forwarded;
    // The proxy appends the address it saw: the last entry is the only one it vouches for.
    const last = header?.split(',').pop()?.trim();
    if (last) address = last;
  }
  return normalizeAddress(address);
}

export function normalizeAddress(raw: string): string {
  const address = withoutPort(raw.trim()).replace(/%.*$/, ''); // IPv6 zone id
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address.toLowerCase(); // not an IP (a bad header): counted as given
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/**
 * Some proxies (Azure's among them) write the client's address with its source port into
 * X-Forwarded-For: "203.0.113.7:40000", "[2001:db8::1]:40000". Counted with the port, every
 * connection would be an address of its own.
 */
function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1];
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(address);
  return v4 ? v4[1] : address;
}

/** Eight hextets, lower case, without leading zeros. */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  const embedded = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (embedded) {
    const [a, b, c, d] = embedded.slice(1).map(Number);
    text = `${text.slice(0, embedded.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...zeros, ...right].map((part) => parseInt(part, 16).toString(16));
}

// Framework-free assertions for the storage conformance suite: it also runs inside Chromium against
// IndexedDB, so it may not import vitest (or anything Node-only).

export class ConformanceError extends Error {
  override name = 'ConformanceError';
}

export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new ConformanceError(what);
}

/**
 * Deep structural equality for persisted values: plain objects, arrays, Uint8Array, primitives.
 * An object key holding undefined counts as absent (stores may or may not keep such keys).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const key of keys) if (!deepEqual(ra[key], rb[key])) return false;
  return true;
}

function show(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? `bytes[${Array.from(v).join(',')}]` : v));
  return text === undefined ? String(value) : text.length > 400 ? `${text.slice(0, 400)}...` : text;
}

export function checkEqual(actual: unknown, expected: unknown, what: string): void {
  if (!deepEqual(actual, expected)) throw new ConformanceError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** The promise must reject (with anything). */
export async function checkRejects(promise: Promise<unknown>, what: string): Promise<void> {
  let rejected = false;
  try {
    await promise;
  } catch {
    rejected = true;
  }
  if (!rejected) throw new ConformanceError(`${what}: expected a rejection, but it resolved`);
}

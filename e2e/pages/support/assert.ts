// Plain assertions for in-page test cases (no test framework runs inside the page).

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function assertEqual<T>(actual: T, expected: T, message: string): void {
  if (!deepEqual(actual, expected)) {
    throw new AssertionError(`${message}\n  expected: ${show(expected)}\n  actual:   ${show(actual)}`);
  }
}

/** Expects `action` to reject with an error whose name is `errorName`. */
export async function assertRejects(action: () => Promise<unknown>, errorName: string, message: string): Promise<void> {
  try {
    await action();
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    assert(name === errorName, `${message}: expected ${errorName}, got ${name} (${String(error)})`);
    return;
  }
  throw new AssertionError(`${message}: expected a ${errorName} rejection, but it resolved`);
}

/** Structural equality over plain data, arrays and typed byte arrays. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.byteLength !== b.byteLength) return false;
    return a.every((byte, i) => byte === b[i]);
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function show(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? `bytes[${Array.from(v).join(',')}]` : v));
}

// The key-value model shared by the simulated state machine and the linearizability checker:
// one register per key with put, get and compare-and-set. Keeping the sequential semantics in one
// place means the checker judges histories against exactly what the replicas execute.

export type KvInput =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'cas'; key: string; expected: string | null; value: string };

export type KvOutput = { kind: 'put' } | { kind: 'get'; value: string | null } | { kind: 'cas'; swapped: boolean };

/** A write as it travels through the log (reads never enter the log). */
export type KvCommand = Extract<KvInput, { kind: 'put' | 'cas' }>;

/**
 * Applies `input` to a register holding `value` and returns the new value and the output a
 * sequential execution would produce.
 */
export function stepRegister(value: string | null, input: KvInput): { next: string | null; output: KvOutput } {
  switch (input.kind) {
    case 'put':
      return { next: input.value, output: { kind: 'put' } };
    case 'get':
      return { next: value, output: { kind: 'get', value } };
    case 'cas': {
      const swapped = value === input.expected;
      return { next: swapped ? input.value : value, output: { kind: 'cas', swapped } };
    }
  }
}

export function sameOutput(a: KvOutput, b: KvOutput): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'get' && b.kind === 'get') return a.value === b.value;
  if (a.kind === 'cas' && b.kind === 'cas') return a.swapped === b.swapped;
  return true;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeKvCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

/** Decodes a command; returns null for bytes that are not a well-formed KV command (dropped and counted by the caller). */
export function decodeKvCommand(bytes: Uint8Array): KvCommand | null {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.key !== 'string' || typeof r.value !== 'string') return null;
  if (r.kind === 'put') return { kind: 'put', key: r.key, value: r.value };
  if (r.kind === 'cas' && (r.expected === null || typeof r.expected === 'string')) {
    return { kind: 'cas', key: r.key, expected: r.expected, value: r.value };
  }
  return null;
}

export function describeInput(input: KvInput): string {
  switch (input.kind) {
    case 'put':
      return `put(${input.key}, ${input.value})`;
    case 'get':
      return `get(${input.key})`;
    case 'cas':
      return `cas(${input.key}, ${input.expected}, ${input.value})`;
  }
}

export function describeOutput(output: KvOutput | null): string {
  if (output === null) return '?';
  if (output.kind === 'get') return String(output.value);
  if (output.kind === 'cas') return output.swapped ? 'swapped' : 'unchanged';
  return 'ok';
}

// The replicated state machine of the simulation: a KV store of registers with an exactly-once
// table keyed by (clientId, seq). A command whose tag was already applied is skipped (a retried
// proposal may reach the log twice); the table keeps each command's output so a retrying client
// gets the answer of the first application. Snapshots carry the registers AND the table
// (the dedup table is part of the snapshot), so a peer restored from one still
// answers retries exactly once.
import type { ClientTag, LogEntry } from '@meshraft/core';
import { decodeKvCommand, stepRegister, type KvOutput } from './kv-model';

function tagKey(tag: ClientTag): string {
  return `${tag.clientId}#${tag.seq}`;
}

/** Snapshot bytes that do not describe a KV store image. */
export class KvSnapshotError extends Error {}

interface KvImage {
  v: 1;
  applied: number;
  data: Array<[string, string]>;
  results: Array<[string, KvOutput]>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isOutput(o: unknown): o is KvOutput {
  if (typeof o !== 'object' || o === null) return false;
  const r = o as Record<string, unknown>;
  if (r.kind === 'put') return true;
  if (r.kind === 'get') return r.value === null || typeof r.value === 'string';
  if (r.kind === 'cas') return typeof r.swapped === 'boolean';
  return false;
}

function isImage(raw: unknown): raw is KvImage {
  if (typeof raw !== 'object' || raw === null) return false;
  const r = raw as Record<string, unknown>;
  if (r.v !== 1 || !Number.isSafeInteger(r.applied) || (r.applied as number) < 0) return false;
  if (!Array.isArray(r.data) || !Array.isArray(r.results)) return false;
  const pairs = (a: unknown[], ok: (v: unknown) => boolean) => a.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && ok(p[1]));
  return pairs(r.data, (v) => typeof v === 'string') && pairs(r.results, isOutput);
}

export class KvStore {
  private data = new Map<string, string>();
  private results = new Map<string, KvOutput>();
  appliedIndex = 0;
  /** Commands skipped because their tag was already applied. */
  duplicatesSkipped = 0;
  /** Command bytes that did not decode (dropped and counted). */
  malformed = 0;

  /** Applies the next entry; the caller guarantees entry.index === appliedIndex + 1. */
  apply(entry: LogEntry): void {
    this.appliedIndex = entry.index;
    if (entry.kind !== 'command') return;
    const command = decodeKvCommand(entry.data);
    if (command === null) {
      this.malformed++;
      return;
    }
    if (entry.client) {
      const key = tagKey(entry.client);
      if (this.results.has(key)) {
        this.duplicatesSkipped++;
        return;
      }
      const { next, output } = stepRegister(this.get(command.key), command);
      this.set(command.key, next);
      this.results.set(key, output);
      return;
    }
    this.set(command.key, stepRegister(this.get(command.key), command).next);
  }

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** The output of the command with this tag, once applied. */
  resultFor(tag: ClientTag): KvOutput | undefined {
    return this.results.get(tagKey(tag));
  }

  /** A canonical description of the whole state (compared across peers for convergence). */
  fingerprint(): string {
    const keys = [...this.data.keys()].sort();
    return `${this.appliedIndex}|${keys.map((k) => `${k}=${this.data.get(k)}`).join(',')}|${this.results.size}`;
  }

  /** The whole image (registers, exactly-once table, applied index) as snapshot bytes. */
  snapshot(): Uint8Array {
    const image: KvImage = { v: 1, applied: this.appliedIndex, data: [...this.data], results: [...this.results] };
    return encoder.encode(JSON.stringify(image));
  }

  /** A store rebuilt from snapshot bytes; throws KvSnapshotError on bytes that are not an image. */
  static restore(bytes: Uint8Array): KvStore {
    let raw: unknown;
    try {
      raw = JSON.parse(decoder.decode(bytes));
    } catch {
      throw new KvSnapshotError('snapshot bytes are not JSON');
    }
    if (!isImage(raw)) throw new KvSnapshotError('snapshot bytes are not a KV image');
    const store = new KvStore();
    store.appliedIndex = raw.applied;
    store.data = new Map(raw.data);
    store.results = new Map(raw.results);
    return store;
  }

  private set(key: string, value: string | null): void {
    if (value === null) this.data.delete(key);
    else this.data.set(key, value);
  }
}

// The replicated state machine of the simulation: a KV store of registers with an exactly-once
// table keyed by (clientId, seq). A command whose tag was already applied is skipped (a retried
// proposal may reach the log twice); the table keeps each command's output so a retrying client
// gets the answer of the first application.
import type { ClientTag, LogEntry } from '@meshraft/core';
import { decodeKvCommand, stepRegister, type KvOutput } from './kv-model';

function tagKey(tag: ClientTag): string {
  return `${tag.clientId}#${tag.seq}`;
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

  private set(key: string, value: string | null): void {
    if (value === null) this.data.delete(key);
    else this.data.set(key, value);
  }
}

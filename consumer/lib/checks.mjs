// Named checks with pass/fail counts, like a tiny test runner: a check that throws failed; a check
// whose prerequisite failed is not run and counts as failed too (nothing is ever skipped silently).
// A selection (`--only`) runs the checks whose names contain one of its texts, and the `setup`
// checks the others build on; the unselected ones are listed as such and not counted.

export class Checks {
  /** @type {{ name: string, ok: boolean, error?: string, seconds: number }[]} */
  results = [];
  /** @type {string[]} */
  unselected = [];
  #only;

  /** `only`: name fragments to select (empty: every check). */
  constructor({ only = [] } = {}) {
    this.#only = only;
  }

  /**
   * Runs `fn` as the check `name` and returns its value (undefined when it failed or is unselected).
   * `needs`: names of checks that must have passed first. `setup`: runs even when not selected.
   */
  async run(name, fn, { needs = [], timeoutMs = 240_000, setup = false } = {}) {
    if (!setup && this.#only.length && !this.#only.some((text) => name.includes(text))) {
      this.unselected.push(name);
      console.log(`  - ${name} (not selected)`);
      return undefined;
    }
    const missing = needs.filter((need) => !this.results.some((r) => r.name === need && r.ok));
    if (missing.length) {
      this.#record(name, false, `not run: needs ${missing.map((m) => `"${m}"`).join(', ')}`, 0);
      return undefined;
    }
    const started = performance.now();
    let timer;
    try {
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
      });
      const value = await Promise.race([fn(), timeout]);
      this.#record(name, true, undefined, performance.now() - started);
      return value;
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.#record(name, false, message, performance.now() - started);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  passed(name) {
    return this.results.some((r) => r.name === name && r.ok);
  }

  get counts() {
    const passed = this.results.filter((r) => r.ok).length;
    return { passed, failed: this.results.length - passed };
  }

  #record(name, ok, error, ms) {
    const seconds = Math.round(ms / 100) / 10;
    this.results.push({ name, ok, ...(error && { error }), seconds });
    console.log(`${ok ? '  ✓' : '  ✗'} ${name} (${seconds} s)${ok ? '' : `\n      ${error.split('\n').join('\n      ')}`}`);
  }
}

/** Polls `probe` (returns { ok, detail }) until ok; throws with `what` and the last detail on timeout. */
export async function waitFor(what, probe, { timeoutMs = 60_000, intervalMs = 300 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'never probed';
  for (;;) {
    try {
      const { ok, detail } = await probe();
      if (ok) return detail;
      last = detail;
    } catch (error) {
      last = `probe failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s; last: ${typeof last === 'string' ? last : JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

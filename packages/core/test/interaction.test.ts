// Interaction scripts: each testdata/*.txt file drives a group of engines with commands and holds
// the output each command must print (format: testdata/README.md). REWRITE=1 regenerates the
// outputs instead of comparing them; read the diff before committing it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScriptDriver } from './support/script-driver';
import { parseScript, renderScript } from './support/script-format';

const dir = fileURLToPath(new URL('./testdata/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
const rewrite = process.env.REWRITE === '1';

describe('engine interaction scripts', () => {
  it('finds the script files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file, () => {
      const text = readFileSync(dir + file, 'utf8');
      const script = parseScript(text, file);
      const driver = new ScriptDriver();
      const outputs = script.blocks.map((block) => {
        try {
          return driver.run(block.command, block.args).join('\n');
        } catch (err) {
          return `error: ${err instanceof Error ? err.message : String(err)}`;
        }
      });
      const actual = renderScript(script, outputs);
      if (rewrite) {
        writeFileSync(dir + file, actual);
        // A regeneration run checks nothing: it must never pass as a test run.
        expect.fail(`${file} rewritten (REWRITE=1): review the diff, then run without REWRITE`);
      }
      // Whole-file comparison: a mismatch shows as a line diff naming the commands around it.
      expect(actual, `${file} (REWRITE=1 regenerates it)`).toBe(text);
    });
  }
});

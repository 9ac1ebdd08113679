// The testdata script format: blocks of one command line, a `----` line and the expected output,
// separated by blank lines; `#` lines between blocks are comments. Parsing keeps everything that is
// not output (comments, command lines) so a rewrite only replaces the outputs.

export interface ScriptArgs {
  /** Bare words after the command name, in order. */
  positional: string[];
  /** `key=value` and `key=(a,b,c)` arguments; a list is kept as its items. */
  named: Map<string, string[]>;
}

export interface ScriptBlock {
  /** 1-based line of the command in the file (for failure messages). */
  line: number;
  /** The command line as written. */
  input: string;
  command: string;
  args: ScriptArgs;
  /** Comment lines and blank lines written before the command. */
  leading: string[];
  expected: string;
}

export interface Script {
  blocks: ScriptBlock[];
  /** Comment and blank lines after the last block. */
  trailing: string[];
}

export const SEPARATOR = '----';

export function parseArgs(words: string[]): ScriptArgs {
  const positional: string[] = [];
  const named = new Map<string, string[]>();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) {
      positional.push(word);
      continue;
    }
    const value = word.slice(eq + 1);
    const items = value.startsWith('(') && value.endsWith(')') ? value.slice(1, -1).split(',').filter((s) => s !== '') : [value];
    named.set(word.slice(0, eq), items);
  }
  return { positional, named };
}

/** Split a command line into words; `(a, b)` lists may contain spaces. */
function words(line: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of line) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (current !== '') out.push(current);
      current = '';
    } else if (!(/\s/.test(ch) && depth > 0)) current += ch;
  }
  if (current !== '') out.push(current);
  return out;
}

export function parseScript(text: string, file: string): Script {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const blocks: ScriptBlock[] = [];
  let leading: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) {
      leading.push(line);
      i++;
      continue;
    }
    if (lines[i + 1] !== SEPARATOR) throw new Error(`${file}:${i + 1}: expected '${SEPARATOR}' after the command '${line}'`);
    const output: string[] = [];
    let j = i + 2;
    while (j < lines.length && lines[j].trim() !== '') output.push(lines[j++]);
    const [command, ...rest] = words(line);
    blocks.push({ line: i + 1, input: line, command, args: parseArgs(rest), leading, expected: output.join('\n') });
    leading = [];
    i = j;
  }
  return { blocks, trailing: leading };
}

/** The file text with each block's output replaced by `outputs[i]` (empty output is written `ok`). */
export function renderScript(script: Script, outputs: string[]): string {
  const parts: string[] = [];
  script.blocks.forEach((block, i) => {
    parts.push(...block.leading, block.input, SEPARATOR, outputs[i] === '' ? 'ok' : outputs[i]);
  });
  parts.push(...script.trailing);
  return parts.join('\n') + '\n';
}

// The published declarations must type-check against every @types/react the `react >=18` peer range
// admits. @types/react 18.0.x has no React.JSX namespace (only the global JSX), so a declaration
// that names `import("react").JSX.Element` (what TypeScript infers for a component returning JSX)
// breaks those apps. This emits the declaration of context.tsx the way the build does (TypeScript's
// declaration emit with the workspace's compiler options) and reads GroupProvider's return type.
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const source = path.join(root, 'packages/react/src/context.tsx');

function emitDeclaration(file: string): string {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (!config) throw new Error('tsconfig.json did not parse');
  const options: ts.CompilerOptions = { ...config.options, noEmit: false, declaration: true, emitDeclarationOnly: true, types: [] };
  const program = ts.createProgram([file], options);
  let declaration = '';
  const result = program.emit(program.getSourceFile(file), (name, text) => {
    if (name.endsWith('.d.ts')) declaration += text;
  }, undefined, true);
  expect(result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  return declaration;
}

describe('published declarations', () => {
  it('GroupProvider returns ReactElement, not React.JSX.Element (absent from @types/react 18.0)', () => {
    const declaration = emitDeclaration(source);
    const provider = declaration.split('\n').find((line) => line.includes('function GroupProvider'));
    expect(provider).toMatch(/\): ReactElement;$/);
    expect(declaration).not.toMatch(/\bJSX\b/);
  }, 60_000);
});

#!/usr/bin/env node
// `npm run build`: compiles every published package (scripts/packages.mjs) to its dist/, one file per
// source module: ESM JavaScript with source maps, and .d.ts files with declaration maps. Made by
// Rolldown (the bundler inside Vite) and rolldown-plugin-dts (TypeScript's declaration emit, with
// import paths that resolve under nodenext too). Every bare import (other @meshraft packages,
// dependencies, node: builtins) stays an import, so users' bundlers dedupe them.
//   node scripts/build.mjs                 all packages
//   node scripts/build.mjs meshraft ...    only the named packages
// The workspace itself never needs dist/ (tsconfig.json's paths point workspace tools at src/); this
// build is what npm pack ships and what the consumer test (consumer/) installs.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { dts } from 'rolldown-plugin-dts';
import ts from 'typescript';
import { builtPath, publishedPackages } from './packages.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The engine Worker is started with `new Worker(new URL('./worker.ts', import.meta.url))`, which Vite
 * serves from sources in the workspace. In dist/ the worker is the built `worker.js` next to the
 * module that starts it; the call keeps its `new Worker(new URL(literal, import.meta.url))` shape so
 * Vite and webpack 5 still detect and bundle it (esbuild users add `meshraft/worker` as an entry).
 */
function builtWorkerUrl() {
  const source = "new URL('./worker.ts', import.meta.url)";
  return {
    name: 'meshraft:built-worker-url',
    transform(code, id) {
      if (!id.endsWith(`${path.sep}browser${path.sep}worker-engine.ts`)) return null;
      if (!code.includes(source)) this.error(`${id}: expected ${source}`);
      // Same length ('ts' -> 'js'): the columns of the source map stay right.
      return { code: code.replaceAll(source, "new URL('./worker.js', import.meta.url)"), map: null };
    },
  };
}

const isBare = (id) => !id.startsWith('.') && !path.isAbsolute(id) && !id.startsWith('\0');

async function buildPackage(pkg) {
  const dir = path.join(root, pkg.dir);
  const dist = path.join(dir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  const input = Object.fromEntries(pkg.entries.map((file) => [builtPath(file, '').slice('dist/'.length), path.join(dir, file)]));
  const bundle = await rolldown({
    cwd: dir,
    input,
    platform: 'neutral',
    external: isBare,
    tsconfig: path.join(root, 'tsconfig.json'),
    transform: { target: 'es2022' },
    plugins: [
      builtWorkerUrl(),
      dts({
        cwd: root,
        entry: pkg.entries.filter((file) => !pkg.untyped?.includes(file)).map((file) => path.join(pkg.dir, file)),
        tsconfig: path.join(root, 'tsconfig.json'),
        sourcemap: true,
        compilerOptions: { noEmit: false, declaration: true, declarationMap: true },
      }),
    ],
    // The plugin-timings report is a profiling hint, not a problem with the output.
    checks: { pluginTimings: false },
    onLog(level, log, handler) {
      // A warning in a published build is a bug to fix, not noise. One exception: the declaration
      // bundler reports a missing map for a module whose declarations all moved elsewhere (its .d.ts
      // is an empty `export {}`); checkPackage() proves every .d.ts that declares anything has its map.
      const emptyDeclaration = log.code === 'SOURCEMAP_BROKEN' && log.plugin === 'rolldown-plugin-dts:fake-js';
      if (emptyDeclaration) return;
      if (level === 'warn') throw new Error(`${pkg.name}: ${log.message}`);
      handler(level, log);
    },
  });
  await bundle.write({
    dir: dist,
    format: 'es',
    sourcemap: true,
    // One file per source module: apps' bundlers then split and tree-shake meshraft per module
    // (a lazily imported part of a package can leave the main chunk only if it is its own module).
    preserveModules: true,
    preserveModulesRoot: path.join(dir, 'src'),
    entryFileNames: '[name].js',
  });
  await bundle.close();
  checkPackage(pkg, dir);
}

/** tsconfig.json's `paths`, as resolved by TypeScript (comments allowed). */
function workspacePaths() {
  const file = path.join(root, 'tsconfig.json');
  const parsed = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8'));
  if (parsed.error) throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(parsed.error.messageText, '\n')}`);
  return parsed.config.compilerOptions?.paths ?? {};
}

/**
 * Every file package.json promises (main, types, exports, bin) exists; every export is one of the
 * built entries and tsconfig.json's paths send its specifier to that entry's source; no built file
 * loads a .ts.
 */
function checkPackage(pkg, dir) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})];
  const paths = workspacePaths();
  for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
    targets.push(...Object.values(conditions));
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const entry = pkg.entries.find((file) => `./${builtPath(file)}` === conditions.import);
    if (!entry) throw new Error(`${pkg.name}: export ${subpath} (${conditions.import}) is not one of the entries in scripts/packages.mjs`);
    const source = `./${pkg.dir}/${entry}`;
    if (paths[specifier]?.[0] !== source) {
      throw new Error(`${pkg.name}: tsconfig.json paths must map "${specifier}" to ["${source}"] (found ${JSON.stringify(paths[specifier])})`);
    }
  }
  for (const target of targets.filter(Boolean)) {
    if (!existsSync(path.join(dir, target))) throw new Error(`${pkg.name}: package.json names ${target}, which the build did not produce`);
  }
  for (const file of readdirSync(path.join(dir, 'dist'), { recursive: true })) {
    const code = file.endsWith('.js') || file.endsWith('.d.ts') ? readFileSync(path.join(dir, 'dist', file), 'utf8') : '';
    if (file.endsWith('.d.ts')) {
      // Only re-exports (or nothing): no declaration of its own to map.
      const declares = code.split('\n').some((line) => line.trim() && !/^(import |export \{|export \*|\/\/)/.test(line.trim()));
      if (declares && (!code.includes(`//# sourceMappingURL=${path.basename(file)}.map`) || !existsSync(path.join(dir, 'dist', `${file}.map`)))) {
        throw new Error(`${pkg.name}: dist/${file} has no declaration map`);
      }
    }
    if (!file.endsWith('.js')) continue;
    const tsImport = code.match(/(?:from |import\(|new URL\()\s*['"][^'"]+\.tsx?['"]/);
    if (tsImport) throw new Error(`${pkg.name}: dist/${file} still refers to TypeScript: ${tsImport[0]}`);
  }
}

const only = process.argv.slice(2);
const selected = only.length ? publishedPackages.filter((p) => only.includes(p.name) || only.includes(path.basename(p.dir))) : publishedPackages;
if (only.length && selected.length !== only.length) {
  throw new Error(`unknown package in ${only.join(', ')} (known: ${publishedPackages.map((p) => p.name).join(', ')})`);
}
for (const pkg of selected) {
  const started = performance.now();
  await buildPackage(pkg);
  console.log(`built ${pkg.name} -> ${pkg.dir}/dist (${Math.round(performance.now() - started)} ms)`);
}

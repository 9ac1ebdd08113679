#!/usr/bin/env node
// `npm run bench:size`: what a browser app pays, in bytes, for meshraft versus Yjs + y-webrtc +
// y-indexeddb. Each case is a tiny app built by Vite (production: Rolldown, its default minifier)
// from the installed packages' published files (meshraft's dist/, built first by scripts/build.mjs);
// every output file is measured raw (minified) and gzipped (zlib level 9). Files are grouped as
//   main:    the entry chunk and what it imports statically (parsed before the app runs),
//   lazy:    main-thread chunks loaded by dynamic import() (e.g. simple-peer's browser bundle),
//   worker:  files of the engine's Web Worker (meshraft only: it runs off the main thread).
// Writes bench/results/size.json. Options: --no-build (measure the dist/ already there), --sources
// (resolve the workspace packages to src/*.ts through tsconfig.json's paths instead of dist/: sizes
// of the code as it stands, without a build; results then go to stdout only).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';
import { build, version as viteVersion } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const GZIP_LEVEL = 9;

/** Each case: the app's entry module (what a minimal real app would write). */
const cases = {
  meshraft: `
    import { createGroup } from 'meshraft';
    const counter = { total: 0, apply(c) { return (this.total += c.add); }, query() { return this.total; } };
    const group = createGroup({ key: 'bundle-size-group-key', signaling: 'http://127.0.0.1:8787', stateMachine: counter });
    group.execute({ add: 1 }).then(() => group.query('total', 'strong')).then(console.log);
  `,
  'yjs + y-webrtc + y-indexeddb': `
    import * as Y from 'yjs';
    import { WebrtcProvider } from 'y-webrtc';
    import { IndexeddbPersistence } from 'y-indexeddb';
    const doc = new Y.Doc();
    new IndexeddbPersistence('size', doc);
    new WebrtcProvider('size', doc, { signaling: ['ws://127.0.0.1:4444'] });
    doc.getMap('counter').set('total', 1);
    console.log(doc.getMap('counter').toJSON());
  `,
};

function measure(code) {
  const bytes = Buffer.from(code);
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: GZIP_LEVEL }).length };
}

function sum(files) {
  return files.reduce((total, f) => ({ minified: total.minified + f.minified, gzip: total.gzip + f.gzip }), { minified: 0, gzip: 0 });
}

/** Where a chunk's bytes come from: rendered (pre-minification) bytes per package, largest first. */
function byPackage(chunk) {
  const totals = {};
  for (const [id, info] of Object.entries(chunk.modules)) {
    const workspace = id.match(/\/packages\/([^/]+)\//);
    const installed = id.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const name = id.includes('/.cache/meshraft-size-') || id.startsWith('\0')
      ? 'app'
      : workspace
        ? workspace[1] === 'meshraft' ? 'meshraft' : `@meshraft/${workspace[1]}`
        : installed?.[1] ?? 'app';
    totals[name] = (totals[name] ?? 0) + info.renderedLength;
  }
  return Object.fromEntries(Object.entries(totals).sort((a, b) => b[1] - a[1]));
}

/** tsconfig.json's paths as Vite aliases (exact specifiers -> the packages' src/*.ts). */
function sourceAliases() {
  const file = path.join(root, 'tsconfig.json');
  const { config } = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8'));
  return Object.entries(config.compilerOptions.paths).map(([specifier, [target]]) => ({
    find: new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`),
    replacement: path.join(root, target),
  }));
}

/** Builds one case with Vite and sorts its output into main / lazy / worker files. */
async function buildCase(name, entryCode, workDir) {
  const dir = path.join(workDir, name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
  writeFileSync(path.join(dir, 'main.js'), entryCode);
  let bundle = null;
  await build({
    configFile: false,
    root: dir,
    logLevel: 'error',
    resolve: { alias: fromSources ? sourceAliases() : [] },
    build: { outDir: path.join(dir, 'dist'), emptyOutDir: true, reportCompressedSize: false, modulePreload: { polyfill: false } },
    plugins: [{ name: 'size:collect', generateBundle: (_options, output) => void (bundle = output) }],
  });
  const chunks = Object.values(bundle).filter((f) => f.type === 'chunk');
  const entry = chunks.find((c) => c.isEntry);
  const main = new Set();
  const visit = (fileName) => {
    if (main.has(fileName)) return;
    main.add(fileName);
    for (const imported of bundle[fileName]?.imports ?? []) visit(imported);
  };
  visit(entry.fileName);
  const files = { main: [], lazy: [], worker: [] };
  for (const file of Object.values(bundle)) {
    if (!file.fileName.endsWith('.js')) continue;
    const code = file.type === 'chunk' ? file.code : file.source;
    // Vite emits a Worker's bundle as an asset of the main build.
    const group = file.type === 'asset' ? 'worker' : main.has(file.fileName) ? 'main' : 'lazy';
    files[group].push({ file: path.basename(file.fileName), ...measure(code), ...(file.type === 'chunk' && { packages: byPackage(file) }) });
  }
  return Object.fromEntries(Object.entries(files).map(([group, list]) => [group, { ...sum(list), files: list }]));
}

const fromSources = process.argv.includes('--sources');
const measured = ['core', 'idb', 'webrtc', 'meshraft'];
// dist/ folders this run creates are removed at the end: the workspace itself runs from sources.
const created = measured.filter((dir) => !existsSync(path.join(root, 'packages', dir, 'dist')));
if (!fromSources && !process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), ...measured], { stdio: 'inherit' });
}
// Inside the workspace, so the cases resolve packages from its node_modules (tsconfig paths are not
// applied here: 'meshraft' resolves through its package.json exports to dist/, as in a user's app).
mkdirSync(path.join(root, 'node_modules/.cache'), { recursive: true });
const workDir = mkdtempSync(path.join(root, 'node_modules/.cache/meshraft-size-'));
const results = {};
try {
  for (const [name, code] of Object.entries(cases)) results[name] = await buildCase(name, code, workDir);
} finally {
  rmSync(workDir, { recursive: true, force: true });
  if (!fromSources) for (const dir of created) rmSync(path.join(root, 'packages', dir, 'dist'), { recursive: true, force: true });
}

const version = (name) => JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const report = {
  what: 'bytes a browser app pays: Vite production build (minified), then gzip level 9 per file',
  measuredWith: { vite: viteVersion, node: process.version },
  versions: { meshraft: version('meshraft'), yjs: version('yjs'), 'y-webrtc': version('y-webrtc'), 'y-indexeddb': version('y-indexeddb') },
  results,
};
if (!fromSources) {
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/size.json'), `${JSON.stringify(report, null, 2)}\n`);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const [name, groups] of Object.entries(results)) {
  console.log(`\n${name}`);
  for (const [group, { minified, gzip, files }] of Object.entries(groups)) {
    if (!files.length) continue;
    console.log(`  ${group.padEnd(6)} ${kb(minified).padStart(10)} min  ${kb(gzip).padStart(10)} gzip   (${files.map((f) => f.file).join(', ')})`);
  }
}
console.log(fromSources ? '\n(from sources: nothing written)' : '\nwrote bench/results/size.json');

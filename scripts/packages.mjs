// The packages published to npm: what scripts/build.mjs compiles and consumer/ packs and installs.
// Every module of a package's src/ becomes its own dist/ file (src/a/b.ts -> dist/a/b.js + b.d.ts),
// so the bundlers of apps split and tree-shake meshraft per module; `entries` are the modules that
// package.json's exports and bin point at (`untyped`: no .d.ts, nothing imports them). Inside the
// workspace tsconfig.json's paths send the same specifiers to the sources; `npm run build` checks
// that exports, bin, entries and paths agree.
// Private workspaces (sim, demo) are never built: they run from sources only.
export const publishedPackages = [
  // testing: the test machinery entry ('@meshraft/core/testing'), typed like the main one.
  { name: '@meshraft/core', dir: 'packages/core', entries: ['src/index.ts', 'src/testing/index.ts'] },
  { name: '@meshraft/idb', dir: 'packages/idb', entries: ['src/index.ts'] },
  { name: '@meshraft/webrtc', dir: 'packages/webrtc', entries: ['src/index.ts', 'src/simple-peer-node.ts'] },
  // bin: the `meshraft-signal` executable.
  { name: '@meshraft/signaling', dir: 'packages/signaling', entries: ['src/index.ts', 'src/bin.ts'], untyped: ['src/bin.ts'] },
  {
    name: 'meshraft',
    dir: 'packages/meshraft',
    // The engine Worker, started by `new Worker(new URL('./worker.js', import.meta.url))` in
    // dist/browser/worker-engine.js; an export too, for bundlers that need it as an entry point.
    entries: ['src/index.ts', 'src/node.ts', 'src/browser/worker.ts'],
    untyped: ['src/browser/worker.ts'],
  },
  { name: '@meshraft/react', dir: 'packages/react', entries: ['src/index.ts'] },
];

/** dist/ path of a source module: 'src/a/b.ts' -> 'dist/a/b.js'. */
export function builtPath(source, extension = '.js') {
  return source.replace(/^src\//, 'dist/').replace(/\.tsx?$/, extension);
}

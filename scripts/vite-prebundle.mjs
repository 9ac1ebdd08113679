// Third-party modules a page running meshraft (and React) imports, for Vite's optimizeDeps.include.
// Pre-bundling them up front matters: a dependency Vite discovers only when the runtime's Worker
// loads makes it re-optimize and reload every open tab, which restarts those tabs' peers.
// Shared by the demo (apps/demo/vite.config.ts) and the e2e pages server (scripts/e2e-servers.mjs).
export const vitePrebundle = [
  'idb',
  'cbor-x',
  'socket.io-client',
  'simple-peer/simplepeer.min.js',
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom',
  'react-dom/client',
];

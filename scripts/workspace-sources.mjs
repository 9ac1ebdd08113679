// Resolve options that make Vite (and so Vitest) read the workspace packages' TypeScript sources:
// the root tsconfig.json maps each published package name to its src/*.ts (`paths`), ahead of the
// dist/ files its package.json exports. Apps that install meshraft from npm get dist/.
// Used by vite.config.ts (Vitest), apps/demo/vite.config.ts and scripts/e2e-servers.mjs.
export const workspaceSources = { resolve: { tsconfigPaths: true } };

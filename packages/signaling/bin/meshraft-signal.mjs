#!/usr/bin/env node
// Workspace launcher for `meshraft-signal` (not published): runs the CLI from its TypeScript sources
// through tsx, so `npm start` and the CLI tests need no build. The published package's bin is the
// built dist/bin.js (see package.json), which runs with plain node.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin.ts');

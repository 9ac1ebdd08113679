#!/usr/bin/env node
// Launcher for `meshraft-signal`: the package ships TypeScript sources (no build step), so register
// tsx's ESM loader in this process and then import the CLI.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));

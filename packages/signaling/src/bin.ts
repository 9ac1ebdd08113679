#!/usr/bin/env node
// The `meshraft-signal` executable (the package's bin, built to dist/bin.js): runs the CLI of cli.ts.
import { runCli } from './cli';

process.exitCode = await runCli(process.argv.slice(2));

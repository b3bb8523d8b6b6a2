#!/usr/bin/env node
// The published package runs the bundle; a checkout without one runs the tsc output.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.bundle.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/cli.js');
process.exitCode = await main(process.argv.slice(2));

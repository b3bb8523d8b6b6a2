#!/usr/bin/env node
// The published package runs the bundle; a checkout without one runs the tsc output.
import { existsSync } from 'node:fs';

// `create-backend-starter --help | head -2` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const bundle = new URL('../dist/cli.bundle.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/cli.js');
process.exitCode = await main(process.argv.slice(2));

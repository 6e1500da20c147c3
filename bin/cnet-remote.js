#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// `cnet-remote plan inv | head`: a closed pipe ends the output, not with a stack trace
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
process.exitCode = await main(process.argv);

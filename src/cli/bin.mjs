#!/usr/bin/env node
// The installed entry point. tsx runs the TypeScript sources directly (no build step), and the same
// loader lets users write their mappings as typed .ts modules.
import { register } from 'tsx/esm/api';

// `dynamic-migrate export idmap | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));

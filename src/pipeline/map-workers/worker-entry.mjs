// A map worker's entry point. Worker threads do not inherit the main thread's loader hooks, so the
// worker registers tsx itself (as bin.mjs does) before loading the TypeScript worker and the mapping.
import { register } from 'tsx/esm/api';

register();
await import('./map-worker.ts');

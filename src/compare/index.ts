/** `run --compare-target`: read-only lookups in Dynamic predicting create, update or conflict per user. */
export * from './find-target-users.js';
export * from './target-tally.js';
export * from './target-comparison.js';

/** The loader: sends batches to Dynamic's bulk endpoint, rate-limited and retried, and reads outcomes back. */
export * from './rate-limiter.js';
export * from './retry-policy.js';
export * from './attempt-error.js';
export * from './redact-token.js';
export * from './retrying-request.js';
export * from './bulk-client.js';
export * from './bound-fetch.js';
export * from './match-outcomes.js';
export * from './adaptive-limit.js';
export * from './rate-limit-headers.js';
export * from './loader-wait.js';

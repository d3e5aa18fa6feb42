/** The one contract of Dynamic's bulk-create-users API, shared by the mapper, the loader and the emulator. */
export * from './bulk-request.js';
export * from './bulk-response.js';
export * from './enums.js';
export * from './patterns.js';
export * from './user-fields.js';
export * from './describe-issues.js';
export * from './identity-keys.js';

import { describe, expect, it } from 'vitest';
import { chunkId } from '../../../src/scale/chunk-queue.js';

describe('chunkId', () => {
  it('is the same UUID for the same job and chunk, and a different one otherwise', () => {
    expect(chunkId('users', 7)).toBe(chunkId('users', 7));
    const ids = new Set([chunkId('users', 1), chunkId('users', 2), chunkId('users', 12), chunkId('users-1', 2), chunkId('users:1', 2)]);
    expect(ids.size).toBe(5);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

import { describe, expect, it } from 'vitest';
import { readRetryAfterMs, readServerLimit } from '../../../src/load/index.js';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('readServerLimit', () => {
  it('reads the draft RateLimit-Limit with the window of RateLimit-Policy', () => {
    expect(readServerLimit(headers({ 'RateLimit-Limit': '300', 'RateLimit-Policy': '300;w=60' }))).toEqual({ limit: 300, windowMs: 60_000 });
    expect(readServerLimit(headers({ 'RateLimit-Limit': '3', 'RateLimit-Policy': '3;w=1.5' }))).toEqual({ limit: 3, windowMs: 1_500 });
  });

  it('falls back to X-RateLimit-Limit, and to a window written on the limit itself', () => {
    expect(readServerLimit(headers({ 'X-RateLimit-Limit': '150' }))).toEqual({ limit: 150 });
    expect(readServerLimit(headers({ 'RateLimit-Limit': '100;w=60, 10;w=1' }))).toEqual({ limit: 100, windowMs: 60_000 });
  });

  it('ignores absent, unreadable and zero limits', () => {
    expect(readServerLimit(headers({}))).toBeUndefined();
    expect(readServerLimit(headers({ 'RateLimit-Limit': 'lots' }))).toBeUndefined();
    expect(readServerLimit(headers({ 'X-RateLimit-Limit': '0' }))).toBeUndefined();
  });
});

describe('readRetryAfterMs', () => {
  it('prefers Retry-After, else the draft RateLimit-Reset in delta seconds; never X-RateLimit-Reset', () => {
    expect(readRetryAfterMs(headers({ 'Retry-After': '7', 'RateLimit-Reset': '30' }))).toBe(7_000);
    expect(readRetryAfterMs(headers({ 'RateLimit-Reset': '30' }))).toBe(30_000);
    expect(readRetryAfterMs(headers({ 'X-RateLimit-Reset': '1764250000' }))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { readAhead } from '../../../src/extract/read-ahead.js';

/** A source that logs when each page is requested and when it is closed. */
function loggedPages(count: number, log: string[], failAt?: number) {
  return (async function* () {
    try {
      for (let page = 1; page <= count; page += 1) {
        log.push(`read ${page}`);
        await Promise.resolve();
        if (page === failAt) throw new Error(`page ${page} failed`);
        yield page;
      }
    } finally {
      log.push('closed');
    }
  })();
}

describe('readAhead', () => {
  it('starts reading the next page before the consumer has finished with the current one', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const page of readAhead(loggedPages(3, log))) {
      log.push(`use ${page}`);
      seen.push(page);
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(log).toEqual(['read 1', 'read 2', 'use 1', 'read 3', 'use 2', 'closed', 'use 3']);
  });

  it('closes the source when the consumer stops early, after the read in flight', async () => {
    const log: string[] = [];
    for await (const page of readAhead(loggedPages(5, log))) {
      if (page === 2) break;
    }
    expect(log).toEqual(['read 1', 'read 2', 'read 3', 'closed']);
  });

  it('hands out the pages read before a failure, then throws it', async () => {
    const seen: number[] = [];
    const run = async () => {
      for await (const page of readAhead(loggedPages(5, [], 3))) seen.push(page);
    };
    await expect(run()).rejects.toThrow('page 3 failed');
    expect(seen).toEqual([1, 2]);
  });

  it('does not leave a rejection unhandled when the consumer stops before a failing read is awaited', async () => {
    const log: string[] = [];
    for await (const page of readAhead(loggedPages(5, log, 2))) {
      if (page === 1) break;
    }
    expect(log).toEqual(['read 1', 'read 2', 'closed']);
  });
});

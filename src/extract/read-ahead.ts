/**
 * Asks `pages` for its next item as soon as the current one is handed out, so the database works
 * on page N+1 while the pipeline maps page N (without it the pipeline sat idle on every query).
 * Holds at most two items. When the consumer stops early, the read in flight is awaited and the
 * source closed, so no query outlives the loop (and no rejection goes unhandled).
 */
export async function* readAhead<T>(pages: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined = iterator.next();
  try {
    for (;;) {
      const result: IteratorResult<T> = await pending;
      if (result.done) {
        pending = undefined;
        return;
      }
      pending = iterator.next();
      pending.catch(() => {}); // observed by the next `await pending`, or dropped on early exit
      yield result.value;
    }
  } finally {
    if (pending) {
      const settled = await pending.then((result) => result.done === true, () => true);
      if (!settled) await iterator.return?.(undefined);
    }
  }
}

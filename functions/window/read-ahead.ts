/**
 * Iterates `source` one item ahead: the next page is already being fetched
 * while the caller evaluates and publishes the current one, so ClickHouse
 * and the CPU work overlap instead of taking turns.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      // A prefetch abandoned by an early exit must not become an unhandled rejection.
      next.catch(() => {});
      yield r.value;
    }
  } finally {
    // Release the source (e.g. its ClickHouse stream) once the prefetch settled.
    void next.then(
      (r) => (r.done ? undefined : it.return?.()),
      () => undefined,
    ).catch(() => undefined);
  }
}

/**
 * Runs `work` over `windows` with at most `parallelism` at once, in order of
 * index, as the controller admits them: a new window starts as soon as one
 * finishes. The first failure stops new windows and is rethrown.
 */
export async function runWindows<T>(windows: readonly T[], parallelism: number, work: (window: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < windows.length) {
      const window = windows[next++]!;
      try {
        await work(window);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, windows.length) }, worker));
}

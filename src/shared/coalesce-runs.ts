/**
 * Runs `task` one at a time, with callers that arrive while it runs sharing one follow-up run: a
 * run already under way may have started before the caller's change, so it cannot stand for it,
 * but one that starts after the caller arrived can stand for every caller waiting for it. Each
 * caller's promise resolves once a run that started after its call has finished (group commit).
 */
export function coalesceRuns(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const run = task().finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };
  return () => {
    if (queued) return queued;
    if (!running) return start();
    queued = running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  };
}

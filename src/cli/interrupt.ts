/**
 * First SIGINT/SIGTERM: stop extracting and let in-flight batches settle (the summary still prints,
 * exit 130). Second: exit at once. That is still safe, because every settle is one SQLite transaction
 * and a batch left unsettled is replayed with upsert by the next run.
 */
export function interruptOnSignals(warn: (message: string) => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      warn(`${name} again: exiting now; the next run replays any batch left in doubt`);
      process.exit(130);
    }
    warn(`${name}: finishing the batches in flight, then stopping (press Ctrl-C again to exit at once)`);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

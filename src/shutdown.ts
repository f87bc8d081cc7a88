export interface StopReport {
  timedOut(): void;
  failed(err: unknown): void;
}

/**
 * A stop that runs `work` once, then exits 0; it exits 1 when the work fails or outlasts
 * `graceMs`, so a shutdown can never hang the process.
 */
export function gracefulStop(graceMs: number, work: (reason: string) => Promise<void>, report: StopReport): (reason: string) => void {
  let stopping = false;
  return (reason) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      report.timedOut();
      process.exit(1);
    }, graceMs).unref();
    work(reason).then(
      () => process.exit(0),
      (err: unknown) => {
        report.failed(err);
        process.exit(1);
      },
    );
  };
}

export function stopOnSignals(stop: (reason: string) => void): void {
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

// The shape every scheduler upkeep step shares: runs when due, never twice at once.

/** A step's run: null when it was not due (or still running). */
export type PeriodicStep<R> = (now: Date) => Promise<R | null>;

/**
 * Wraps `run`, which does the work and says when the step is next due (epoch ms; 0 while work is
 * left, so the next call runs at once).
 */
export function periodicStep<R>(run: (now: Date) => Promise<{ report: R; nextDue: number }>): PeriodicStep<R> {
  let due = 0;
  let running = false;
  return async (now) => {
    if (running || now.getTime() < due) return null;
    running = true;
    try {
      const { report, nextDue } = await run(now);
      due = nextDue;
      return report;
    } finally {
      running = false;
    }
  };
}

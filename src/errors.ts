/** One reason an input was refused, naming the item (for batches) and the field. */
export interface FieldProblem {
  index?: number;
  id?: string;
  field: string;
  reason: string;
}

/** Bad input: answered 400 with every problem listed; nothing was stored. */
export class ValidationError extends Error {
  constructor(
    readonly problems: FieldProblem[],
    message = `${problems.length} invalid field${problems.length === 1 ? '' : 's'}`,
  ) {
    super(message);
  }
}

/** A dependency (Postgres or Redis) did not answer: the caller should retry later (503). */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: 'postgres' | 'redis',
    cause?: unknown,
  ) {
    super(`${dependency} is unavailable`, { cause });
  }
}

/** The named thing does not exist (404 / GraphQL NOT_FOUND). */
export class NotFound extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`);
  }
}

/** The action does not fit the current state, e.g. approving twice or approving an expired proposal. */
export class Conflict extends Error {
  constructor(
    message: string,
    readonly current: string,
  ) {
    super(message);
  }
}

// Guards against queries that would cost the database more than a dashboard ever needs.

/** Deepest selection accepted: the deepest useful query (an event's intervention's alternatives' NRV) is 5. */
export const maxQueryDepth = 7;

/** Most rows one list may return; `last` above this is refused rather than silently cut. */
export const maxPageSize = 500;

/** Cost ceiling of one operation: each field costs 1, a list multiplies its items' cost by its size. */
export const maxQueryCost = 20_000;

/** Assumed size of a nested list without a `last` argument (transitions, alternatives, evidence). */
export const nestedListCost = 10;

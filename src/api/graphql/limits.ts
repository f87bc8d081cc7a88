/** Assumed size of a nested list without a `last` argument (transitions, alternatives, evidence): its cost multiplier. */
export const nestedListCost = 10;

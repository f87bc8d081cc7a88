import { GraphQLError, getNullableType, isListType, type ValidationRule } from 'graphql';
import { createComplexityRule, type ComplexityEstimator } from 'graphql-query-complexity';
import { tooComplex } from './errors';
import { nestedListCost } from './limits';

// A field costs 1 plus its selection; a list costs its selection once per row it may return.
const rowsEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!isListType(getNullableType(field.type))) return 1 + childComplexity;
  const rows = typeof args.last === 'number' ? args.last : nestedListCost;
  return 1 + rows * Math.max(childComplexity, 1);
};

/** Refuses an operation whose estimated cost is over the limit (graphql.max_query_cost), before anything runs. */
export function costRule(variables: Record<string, unknown> | undefined, operationName: string | undefined, maxQueryCost: number): ValidationRule {
  return createComplexityRule({
    maximumComplexity: maxQueryCost,
    variables: variables ?? {},
    operationName,
    estimators: [rowsEstimator],
    createError: (max, actual) =>
      new GraphQLError(`query cost ${actual} is over the limit of ${max}: ask for fewer rows (last) or fewer nested lists`, {
        extensions: { code: tooComplex, cost: actual, maxCost: max },
      }),
  });
}

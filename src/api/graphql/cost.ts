import { GraphQLError, getNullableType, isListType, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
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

/** A refused operation: mercurius' error handling lists `errors` as the request's GraphQL errors. */
export class QueryTooComplex extends Error {
  readonly statusCode = 400;
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors[0]?.message ?? 'query too complex');
  }
}

/**
 * The cost rule, run per request on a parsed (possibly cached) document: cost depends on the
 * variables (`last: $n`), which mercurius' parse-and-validate cache cannot key on.
 */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  maxQueryCost: number,
): void {
  const errors = validate(schema, document, [costRule(variables, operationName, maxQueryCost)]);
  if (errors.length) throw new QueryTooComplex(errors);
}

import { BadInput } from './errors';

/** A list's `last` argument, refused when it is not a whole number from 0 to the page limit (graphql.max_page_size). */
export function pageSize(last: number, maxPageSize: number): number {
  if (!Number.isInteger(last) || last < 0 || last > maxPageSize) throw new BadInput(`last must be a whole number from 0 to ${maxPageSize}`);
  return last;
}

/** A numeric cursor (a pattern or audit entry id) from its ID form. */
export function numericCursor(before: string | null | undefined): number | undefined {
  if (before === null || before === undefined) return undefined;
  const value = Number(before);
  if (!Number.isSafeInteger(value) || value < 0) throw new BadInput(`before must be the id of an item of this list, not ${JSON.stringify(before)}`);
  return value;
}

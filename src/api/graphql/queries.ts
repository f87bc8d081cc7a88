import type { IResolverObject } from 'mercurius';
import { emptyWindow, systemHealth, type InterventionStatus, type PatternType } from '../../agent';
import { recentAudit } from '../../db/audit';
import { withPostgres } from '../../db/client';
import { patternsOfCycles, recentCycles, recentPatterns } from '../../db/cycles';
import { interventionsPage } from '../../db/intervention-reads';
import { getIntervention } from '../../db/interventions';
import { authorise } from './auth';
import type { GraphqlContext, GraphqlDeps } from './context';
import { numericCursor, pageSize } from './pages';
import { auditView, cycleView, interventionView, patternView } from './views';

type Page = { last: number; before?: string | null };

export function queryResolvers({ db, config }: GraphqlDeps): IResolverObject<unknown, GraphqlContext> {
  const pool = db.pool;
  const maxPageSize = config.graphql.max_page_size;
  return {
    async health(_root, _args, ctx) {
      authorise(ctx.caller, 'viewer');
      const [latest] = await withPostgres(() => recentCycles(pool, 1));
      if (!latest) {
        return { cycleNumber: 0, windowStart: null, windowEnd: null, ...systemHealth(emptyWindow(0, 0), [], config.agent) };
      }
      const patterns = await withPostgres(() => patternsOfCycles(pool, [latest.number]));
      return {
        cycleNumber: latest.number,
        windowStart: latest.window_start,
        windowEnd: latest.window_end,
        ...systemHealth(latest.metrics, patterns, config.agent),
      };
    },
    async cycles(_root, args: { last: number; before?: number | null }, ctx) {
      authorise(ctx.caller, 'viewer');
      const rows = await withPostgres(() => recentCycles(pool, pageSize(args.last, maxPageSize), args.before ?? undefined));
      return rows.map(cycleView);
    },
    async patterns(_root, args: Page & { type?: PatternType | null }, ctx) {
      authorise(ctx.caller, 'viewer');
      const rows = await withPostgres(() => recentPatterns(pool, pageSize(args.last, maxPageSize), args.type ?? undefined, numericCursor(args.before)));
      return rows.map(patternView);
    },
    async interventions(_root, args: Page & { status?: InterventionStatus | null }, ctx) {
      authorise(ctx.caller, 'viewer');
      const page = { limit: pageSize(args.last, maxPageSize), status: args.status ?? undefined, beforeId: args.before ?? undefined };
      const rows = await withPostgres(() => interventionsPage(pool, page));
      return rows.map(interventionView);
    },
    async intervention(_root, args: { id: string }, ctx) {
      authorise(ctx.caller, 'viewer');
      const row = await withPostgres(() => getIntervention(pool, args.id));
      return row ? interventionView(row) : null;
    },
    async auditLog(_root, args: Page, ctx) {
      authorise(ctx.caller, 'viewer');
      const rows = await withPostgres(() => recentAudit(pool, pageSize(args.last, maxPageSize), numericCursor(args.before)));
      return rows.map(auditView);
    },
  };
}

-- BRIN instead of btree on window_time for keys and rollups: both are appended in window-time order, so
-- block-range summaries find a window or the expired keys, and an insert costs almost nothing to index.
DROP INDEX "transaction_ids_window_time_idx";--> statement-breakpoint
DROP INDEX "window_rollups_window_time_idx";--> statement-breakpoint
CREATE INDEX "transaction_ids_window_time_idx" ON "transaction_ids" USING brin ("window_time") WITH (autosummarize=true);--> statement-breakpoint
CREATE INDEX "window_rollups_window_time_idx" ON "window_rollups" USING brin ("window_time") WITH (autosummarize=true);
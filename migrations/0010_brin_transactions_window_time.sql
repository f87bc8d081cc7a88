-- BRIN instead of btree on transactions.window_time: rows are appended in window-time order and read
-- by it only for partition upkeep, so a block-range summary serves that and an insert skips a btree.
DROP INDEX "transactions_window_time_idx";--> statement-breakpoint
CREATE INDEX "transactions_window_time_idx" ON "transactions" USING brin ("window_time") WITH (autosummarize=true);
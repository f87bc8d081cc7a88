-- Amount sums as double precision: sums of integers, exact below 2^53, where a bigint sum of
-- large amounts (up to 2^53 each) could overflow.
ALTER TABLE "window_rollups" ALTER COLUMN "amount_minor_sum" SET DATA TYPE double precision;--> statement-breakpoint
ALTER TABLE "window_rollups" ALTER COLUMN "currency_amounts" SET DATA TYPE double precision[];
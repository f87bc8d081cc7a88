ALTER TABLE "transactions" ADD COLUMN "window_time" timestamp with time zone;--> statement-breakpoint
UPDATE "transactions" SET "window_time" = "event_time";--> statement-breakpoint
ALTER TABLE "transactions" ALTER COLUMN "window_time" SET NOT NULL;--> statement-breakpoint
DROP INDEX "transactions_event_time_idx";--> statement-breakpoint
CREATE INDEX "transactions_window_time_idx" ON "transactions" USING btree ("window_time");

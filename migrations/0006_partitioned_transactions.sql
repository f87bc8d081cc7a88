-- transactions becomes partitioned by window_time (PostgreSQL declarative partitioning, which
-- drizzle-kit cannot express): src/db/partitions.ts creates the partitions ahead and drops expired
-- ones whole. A partitioned table can hold no key unique across partitions that leaves window_time
-- out, so idempotency moves to transaction_ids. Rows already stored move across with their ids;
-- they land in the default partition, which the scheduler drains into real partitions.
-- Window rollups start with this migration: windows ingested before it have none.
ALTER TABLE "transactions" RENAME TO "transactions_unpartitioned";
--> statement-breakpoint
ALTER INDEX "transactions_window_time_idx" RENAME TO "transactions_unpartitioned_window_time_idx";
--> statement-breakpoint
CREATE TABLE "transactions" (
	"id" text NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"window_time" timestamp with time zone NOT NULL,
	"issuer" text NOT NULL,
	"method" text NOT NULL,
	"status" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"latency_ms" double precision NOT NULL,
	"retry_count" integer NOT NULL,
	"error_code" text,
	"merchant_id" text,
	"gateway" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
) PARTITION BY RANGE ("window_time");
--> statement-breakpoint
CREATE INDEX "transactions_window_time_idx" ON "transactions" USING btree ("window_time");
--> statement-breakpoint
CREATE TABLE "transactions_default" PARTITION OF "transactions" DEFAULT;
--> statement-breakpoint
CREATE TABLE "transaction_ids" (
	"id" text PRIMARY KEY NOT NULL,
	"window_time" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "transaction_ids_window_time_idx" ON "transaction_ids" USING btree ("window_time");
--> statement-breakpoint
CREATE TABLE "window_rollups" (
	"window_time" timestamp with time zone NOT NULL,
	"issuer" text NOT NULL,
	"method" text NOT NULL,
	"gateway" text,
	"volume" integer NOT NULL,
	"successes" integer NOT NULL,
	"retries" integer NOT NULL,
	"retry_successes" integer NOT NULL,
	"latency_sum_ms" double precision NOT NULL,
	"amount_minor_sum" bigint NOT NULL,
	"currencies" text[] NOT NULL,
	"currency_amounts" bigint[] NOT NULL,
	"error_codes" text[] NOT NULL,
	"error_code_counts" integer[] NOT NULL,
	"latency_buckets" integer[] NOT NULL,
	"latency_counts" integer[] NOT NULL
) PARTITION BY RANGE ("window_time");
--> statement-breakpoint
CREATE INDEX "window_rollups_window_time_idx" ON "window_rollups" USING btree ("window_time");
--> statement-breakpoint
CREATE TABLE "window_rollups_default" PARTITION OF "window_rollups" DEFAULT;
--> statement-breakpoint
INSERT INTO "transactions" ("id", "event_time", "window_time", "issuer", "method", "status", "amount_minor", "currency", "latency_ms", "retry_count", "error_code", "merchant_id", "gateway", "received_at")
SELECT "id", "event_time", "window_time", "issuer", "method", "status", "amount_minor", "currency", "latency_ms", "retry_count", "error_code", "merchant_id", "gateway", "received_at"
FROM "transactions_unpartitioned";
--> statement-breakpoint
INSERT INTO "transaction_ids" ("id", "window_time") SELECT "id", "window_time" FROM "transactions_unpartitioned";
--> statement-breakpoint
DROP TABLE "transactions_unpartitioned";

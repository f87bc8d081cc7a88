CREATE TABLE "transactions" (
	"id" text PRIMARY KEY NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
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
);
--> statement-breakpoint
CREATE INDEX "transactions_event_time_idx" ON "transactions" USING btree ("event_time");
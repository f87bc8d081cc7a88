CREATE TABLE "agent_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"cycle_number" integer NOT NULL,
	"window_end" timestamp with time zone,
	"state" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"subject" text,
	"cycle_number" integer,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cycles" (
	"number" integer PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"transactions" integer NOT NULL,
	"decision" text NOT NULL,
	"reason" text NOT NULL,
	"metrics" jsonb NOT NULL,
	"hypotheses" jsonb NOT NULL,
	"options" jsonb NOT NULL,
	"refused" jsonb NOT NULL,
	"incident_events" jsonb NOT NULL,
	"evaluations" jsonb NOT NULL,
	"completed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directives" (
	"intervention_id" text PRIMARY KEY NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"params" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	"removed_reason" text
);
--> statement-breakpoint
CREATE TABLE "event_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "intervention_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"intervention_id" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_cycle" integer
);
--> statement-breakpoint
CREATE TABLE "interventions" (
	"id" text PRIMARY KEY NOT NULL,
	"cycle_number" integer NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"subject" text NOT NULL,
	"params" jsonb NOT NULL,
	"status" text NOT NULL,
	"nrv" double precision NOT NULL,
	"option" jsonb NOT NULL,
	"alternatives" jsonb NOT NULL,
	"pre_mortem" jsonb NOT NULL,
	"hypothesis" jsonb,
	"blast_radius" double precision NOT NULL,
	"requires_approval" boolean NOT NULL,
	"ttl_seconds" integer NOT NULL,
	"approved_scope" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"approval_expires_at" timestamp with time zone,
	"executed_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"outcome" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patterns" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"cycle_number" integer NOT NULL,
	"type" text NOT NULL,
	"dimension" text NOT NULL,
	"target" text NOT NULL,
	"metric" text NOT NULL,
	"z_score" double precision NOT NULL,
	"observed" double precision NOT NULL,
	"baseline" double precision NOT NULL,
	"severity" double precision NOT NULL,
	"volume" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"intervention_id" text NOT NULL,
	"url" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "cycles_window_start_idx" ON "cycles" USING btree ("window_start");--> statement-breakpoint
CREATE INDEX "directives_live_idx" ON "directives" USING btree ("expires_at") WHERE removed_at IS NULL;--> statement-breakpoint
CREATE INDEX "event_outbox_unpublished_idx" ON "event_outbox" USING btree ("id") WHERE published_at IS NULL;--> statement-breakpoint
CREATE INDEX "transitions_intervention_idx" ON "intervention_transitions" USING btree ("intervention_id");--> statement-breakpoint
CREATE INDEX "transitions_unapplied_idx" ON "intervention_transitions" USING btree ("id") WHERE applied_cycle IS NULL;--> statement-breakpoint
CREATE INDEX "interventions_status_idx" ON "interventions" USING btree ("status");--> statement-breakpoint
CREATE INDEX "interventions_cycle_idx" ON "interventions" USING btree ("cycle_number");--> statement-breakpoint
CREATE INDEX "patterns_cycle_idx" ON "patterns" USING btree ("cycle_number");--> statement-breakpoint
CREATE INDEX "patterns_type_idx" ON "patterns" USING btree ("type","cycle_number");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_once_idx" ON "webhook_deliveries" USING btree ("intervention_id","url");
CREATE TABLE "fleet_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"origin" text NOT NULL,
	"event" text NOT NULL,
	"payload" "bytea" NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "leases" ADD COLUMN "offered_to" text;--> statement-breakpoint
ALTER TABLE "leases" ADD COLUMN "offered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_outbox" ADD COLUMN "claim_id" text;--> statement-breakpoint
CREATE INDEX "fleet_events_at" ON "fleet_events" USING btree ("at");
CREATE TABLE "webhook_outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"delivery_id" text NOT NULL,
	"webhook_id" text NOT NULL,
	"lane" text NOT NULL,
	"event" text NOT NULL,
	"payload" "bytea" NOT NULL,
	"created_at" bigint NOT NULL,
	"queued_at" bigint NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"last_attempt_at" bigint,
	"status_code" integer,
	"error" text,
	"duration_ms" integer,
	"response" text,
	"claimed_by" text,
	"claimed_until" bigint,
	CONSTRAINT "webhook_outbox_delivery_id_unique" UNIQUE("delivery_id")
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"events" text NOT NULL,
	"secret" "bytea" NOT NULL,
	"created_at" bigint NOT NULL,
	"last_success_at" bigint,
	"failures_in_a_row" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE INDEX "webhook_outbox_lane" ON "webhook_outbox" USING btree ("webhook_id","status","lane","seq");--> statement-breakpoint
CREATE INDEX "webhook_outbox_due" ON "webhook_outbox" USING btree ("status","next_attempt_at");
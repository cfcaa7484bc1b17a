CREATE TABLE "known_contacts" (
	"account_id" text NOT NULL,
	"jid" text NOT NULL,
	"first_at" bigint NOT NULL,
	CONSTRAINT "known_contacts_account_id_jid_pk" PRIMARY KEY("account_id","jid")
);
--> statement-breakpoint
CREATE TABLE "sends" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"account_id" text NOT NULL,
	"jid" text NOT NULL,
	"payload" "bytea",
	"new_contact" boolean NOT NULL,
	"state" text NOT NULL,
	"created_at" bigint NOT NULL,
	"done_at" bigint,
	"error" text,
	"claimed_by" text,
	CONSTRAINT "sends_message_id_unique" UNIQUE("message_id")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "proxy" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "proxy_url" "bytea";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "limits" text;--> statement-breakpoint
CREATE INDEX "sends_account_state" ON "sends" USING btree ("account_id","state","seq");--> statement-breakpoint
CREATE INDEX "sends_done" ON "sends" USING btree ("state","done_at");
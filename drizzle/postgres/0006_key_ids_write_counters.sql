CREATE TABLE "seen_identities" (
	"identity" text PRIMARY KEY NOT NULL,
	"writes" bigint NOT NULL,
	"account_id" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "auth_creds" ADD COLUMN "writes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "auth_creds" ADD COLUMN "identity" text;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "key_id" text;
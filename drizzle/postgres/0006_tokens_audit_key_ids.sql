CREATE TABLE "api_tokens" (
	"name" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"accounts" text,
	"hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "api_tokens_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "audit" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"actor" text NOT NULL,
	"command" text NOT NULL,
	"accounts" text NOT NULL,
	"result" text NOT NULL,
	"server" text NOT NULL,
	"subject" text
);
--> statement-breakpoint
CREATE TABLE "seen_identities" (
	"identity" text PRIMARY KEY NOT NULL,
	"writes" bigint NOT NULL,
	"account_id" text NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "auth_creds" ADD COLUMN "writes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "auth_creds" ADD COLUMN "identity" text;--> statement-breakpoint
ALTER TABLE "servers" ADD COLUMN "key_id" text;--> statement-breakpoint
CREATE INDEX "audit_at" ON "audit" USING btree ("at");
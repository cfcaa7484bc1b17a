ALTER TABLE "accounts" ADD COLUMN "proxy" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "proxy_url" "bytea";
CREATE TABLE "lid_mappings" (
	"account_id" text NOT NULL,
	"lid" text NOT NULL,
	"pn" text NOT NULL,
	"learned_at" bigint NOT NULL,
	CONSTRAINT "lid_mappings_account_id_lid_pk" PRIMARY KEY("account_id","lid")
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "condition" text;